//! What the Zephyr basic group and the device exchange: storage erase, and the
//! group's errors.

use crate::header::GroupId;

crate::group_errors! {
    /// Zephyr basic group errors (`err.rc` with group 63).
    pub enum BasicError for GroupId::ZEPHYR_BASIC {
        Unknown = 1 => Unknown,
        FlashOpenFailed = 2 => NoEnt,
        FlashConfigQueryFail = 3 => Unknown,
        FlashEraseFailed = 4 => Unknown,
    }
}

/// What the Zephyr basic group asks of the platform.
pub trait BasicPlatform {
    /// Erases the whole storage partition (settings, file systems), before
    /// answering.
    fn erase_storage(&mut self) -> Result<(), BasicError>;
}
