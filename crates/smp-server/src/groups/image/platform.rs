//! What the image group and the device exchange: the slots, the boot
//! configuration, and the group's errors.

use crate::flash::FlashArea;
use crate::header::GroupId;
use crate::mcuboot::{BootConfig, ImageError};

crate::group_errors! {
    /// Image group errors (`err.rc` with group 1) and their v1 translation (§1.9).
    pub enum ImageMgmtError for GroupId::IMAGE {
        /// An error no other code describes.
        Unknown = 1 => Unknown,
        /// The slot's write or erase size is one the upload cannot work with.
        FlashConfigQueryFail = 2 => Unknown,
        /// The slot holds no image (its header is erased).
        NoImage = 3 => NoEnt,
        /// The image has no TLV area.
        NoTlvs = 4 => NoEnt,
        /// A TLV area is malformed: an erased entry, or a protected area whose
        /// size disagrees with the header.
        InvalidTlv = 5 => Unknown,
        /// The image has more than one SHA-256 TLV.
        TlvMultipleHashesFound = 6 => Unknown,
        /// A TLV runs past the end of its area.
        TlvInvalidSize = 7 => Unknown,
        /// The image has no SHA-256 TLV, or (state write) no slot holds the
        /// image of the `hash` given.
        HashNotFound = 8 => Unknown,
        /// No slot can take the upload or be erased: it is running, in use or
        /// missing.
        NoFreeSlot = 9 => BadState,
        /// The slot's flash area could not be opened.
        FlashOpenFailed = 10 => Unknown,
        /// Reading the slot failed.
        FlashReadFailed = 11 => Unknown,
        /// Writing the slot failed (image data or trailer).
        FlashWriteFailed = 12 => Unknown,
        /// Erasing the slot failed.
        FlashEraseFailed = 13 => Unknown,
        /// erase: `slot` names no slot of the device.
        InvalidSlot = 14 => Inval,
        /// Not enough memory for the operation.
        NoFreeMemory = 15 => NoMem,
        /// A flash write context is already open (Zephyr's upload internals).
        FlashContextAlreadySet = 16 => Unknown,
        /// No flash write context is open (Zephyr's upload internals).
        FlashContextNotSet = 17 => Unknown,
        /// The slot's flash device is missing.
        FlashAreaDeviceNull = 18 => Unknown,
        /// An offset not on a flash page boundary.
        InvalidPageOffset = 19 => Inval,
        /// upload: a chunk without `off`.
        InvalidOffset = 20 => Inval,
        /// upload: the first chunk has no `len`.
        InvalidLength = 21 => Inval,
        /// upload: the first chunk is shorter than an image header, or the
        /// header is malformed.
        InvalidImageHeader = 22 => Inval,
        /// The image header's magic is wrong (upload), or the trailer magic of
        /// the slot to schedule is bad (state write).
        InvalidImageHeaderMagic = 23 => Unknown,
        /// A `sha` longer than 32 bytes (upload), or a `hash` not of 32 (state
        /// write).
        InvalidHash = 24 => Inval,
        /// A flash address outside the slot.
        InvalidFlashAddress = 25 => Inval,
        /// upload with `upgrade`: the running image's version could not be
        /// read.
        VersionGetFailed = 26 => Unknown,
        /// upload with `upgrade`: the new image is not newer than the running
        /// one.
        CurrentVersionIsNewer = 27 => BadState,
        /// state write: another image is already set to boot next.
        ImageAlreadyPending = 28 => BadState,
        /// The image's vector table is invalid; here, confirming a running slot
        /// whose trailer magic is bad.
        InvalidImageVectorTable = 29 => Unknown,
        /// upload: `len` is more than the slot holds beside its trailer.
        InvalidImageTooLarge = 30 => Unknown,
        /// upload: the data goes past the `len` announced.
        InvalidImageDataOverrun = 31 => Unknown,
        /// state write: of another image, only the secondary slot may be
        /// confirmed.
        ImageConfirmationDenied = 32 => Unknown,
        /// state write: the running slot cannot be set to test.
        ImageSettingTestToActiveDenied = 33 => Unknown,
        /// The active slot the platform names is not one of the image's two
        /// slots.
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
    /// Direct upload (`MCUMGR_GRP_IMG_DIRECT_UPLOAD`): an upload's `image`
    /// N > 0 names absolute slot N − 1 (0: the slot it would go to anyway),
    /// and slot info gives every slot its `upload_image_id`.
    fn direct_upload(&self) -> bool {
        false
    }
}
