//! What the image group and the device exchange: the slots, the boot
//! configuration, and the group's errors.

use crate::flash::FlashArea;
use crate::header::GroupId;
use crate::mcuboot::{BootConfig, ImageError};

crate::group_errors! {
    /// Image group errors (`err.rc` with group 1) and their v1 translation (§1.9).
    pub enum ImageMgmtError for GroupId::IMAGE {
        Unknown = 1 => Unknown,
        FlashConfigQueryFail = 2 => Unknown,
        NoImage = 3 => NoEnt,
        NoTlvs = 4 => NoEnt,
        InvalidTlv = 5 => Unknown,
        TlvMultipleHashesFound = 6 => Unknown,
        TlvInvalidSize = 7 => Unknown,
        HashNotFound = 8 => Unknown,
        NoFreeSlot = 9 => BadState,
        FlashOpenFailed = 10 => Unknown,
        FlashReadFailed = 11 => Unknown,
        FlashWriteFailed = 12 => Unknown,
        FlashEraseFailed = 13 => Unknown,
        InvalidSlot = 14 => Inval,
        NoFreeMemory = 15 => NoMem,
        FlashContextAlreadySet = 16 => Unknown,
        FlashContextNotSet = 17 => Unknown,
        FlashAreaDeviceNull = 18 => Unknown,
        InvalidPageOffset = 19 => Inval,
        InvalidOffset = 20 => Inval,
        InvalidLength = 21 => Inval,
        InvalidImageHeader = 22 => Inval,
        InvalidImageHeaderMagic = 23 => Unknown,
        InvalidHash = 24 => Inval,
        InvalidFlashAddress = 25 => Inval,
        VersionGetFailed = 26 => Unknown,
        CurrentVersionIsNewer = 27 => BadState,
        ImageAlreadyPending = 28 => BadState,
        InvalidImageVectorTable = 29 => Unknown,
        InvalidImageTooLarge = 30 => Unknown,
        InvalidImageDataOverrun = 31 => Unknown,
        ImageConfirmationDenied = 32 => Unknown,
        ImageSettingTestToActiveDenied = 33 => Unknown,
        ActiveSlotNotKnown = 34 => Unknown,
    }
}

impl From<ImageError> for ImageMgmtError {
    fn from(e: ImageError) -> Self {
        match e {
            ImageError::InvalidHeader => ImageMgmtError::InvalidImageHeader,
            ImageError::NoImage => ImageMgmtError::NoImage,
            ImageError::BadMagic => ImageMgmtError::InvalidImageHeaderMagic,
            ImageError::NoTlvs => ImageMgmtError::NoTlvs,
            ImageError::InvalidTlv => ImageMgmtError::InvalidTlv,
            ImageError::MultipleHashes => ImageMgmtError::TlvMultipleHashesFound,
            ImageError::TlvInvalidSize => ImageMgmtError::TlvInvalidSize,
            ImageError::HashNotFound => ImageMgmtError::HashNotFound,
            ImageError::Flash(_) => ImageMgmtError::FlashReadFailed,
        }
    }
}

/// What the image group asks of the platform.
///
/// Image `n` owns absolute slots `2n` (primary, the one that runs) and `2n + 1`
/// (secondary, where uploads go).
pub trait ImagePlatform {
    /// Number of updatable images (1 or 2).
    fn image_count(&self) -> u8;
    /// The flash of an absolute slot; `None` when the slot does not exist.
    fn slot(&mut self, slot: u8) -> Option<&mut dyn FlashArea>;
    /// The absolute slot the running image of `image` executes from.
    fn active_slot(&self, image: u8) -> u8;
    /// The bootloader configuration that decides trailer layout and flags.
    fn boot_config(&self) -> BootConfig;
    /// The image whose code is running (the application, image 0 by default):
    /// only its active slot may be confirmed.
    fn active_image(&self) -> u8 {
        0
    }
    /// Whether version comparisons (upload `upgrade`, direct-XIP pending)
    /// count the build number (`MCUMGR_GRP_IMG_VERSION_CMP_USE_BUILD_NUMBER`).
    fn version_cmp_use_build(&self) -> bool {
        false
    }
}
