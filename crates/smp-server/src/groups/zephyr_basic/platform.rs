//! What the Zephyr basic group and the device exchange: storage erase, and the
//! group's errors.

use crate::header::GroupId;

crate::group_errors! {
    /// Zephyr basic group errors (`err.rc` with group 63).
    pub enum BasicError for GroupId::ZEPHYR_BASIC {
        /// An error no other code describes.
        Unknown = 1 => Unknown,
        /// The storage partition could not be opened (or there is none).
        FlashOpenFailed = 2 => NoEnt,
        /// The storage partition's geometry could not be read.
        FlashConfigQueryFail = 3 => Unknown,
        /// Erasing the storage partition failed.
        FlashEraseFailed = 4 => Unknown,
    }
}

/// What the Zephyr basic group asks of the platform.
pub trait BasicPlatform {
    /// Erases the whole storage partition (settings, file systems), before
    /// answering.
    fn erase_storage(&mut self) -> Result<(), BasicError>;
}
