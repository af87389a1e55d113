//! MCUboot's image format and slot trailer (protocol.md §4), as far as the
//! server reads and writes them: [`ImageHeader`] and [`ImageVersion`], the TLV
//! areas ([`read_image_info`], [`image_hash`]), the trailer
//! ([`TrailerLayout`], [`read_trailer`], [`set_next`]) and what it means
//! ([`swap_type`], [`pair_flags`]).

mod header;
mod state;
mod tlv;
mod trailer;
mod version;

#[cfg(test)]
pub(crate) mod fixtures;
#[cfg(test)]
pub(crate) mod mem_flash;

pub use header::{flags, ImageHeader, IMAGE_HEADER_SIZE, IMAGE_MAGIC, IMAGE_MAGIC_V1};
pub use state::{max_image_size, pair_flags, swap_type_for, NextBoot, NextBootType, SlotFlags};
pub use tlv::{
    image_hash, read_image_info, sha256_of, ImageInfo, HASH_LEN, TLV_INFO_MAGIC,
    TLV_PROT_INFO_MAGIC, TLV_SHA256,
};
pub use trailer::{
    align_down, magic, read_trailer, set_next, swap_type, write_copy_done, write_image_ok,
    write_magic, write_swap_info, write_trailer_byte, Flag, MagicState, SetNextError, SwapType,
    Trailer, TrailerLayout, FLAG_SET, MAGIC, MAGIC_LEN, MAGIC_TAIL,
};
pub use version::{ImageVersion, VERSION_STR_MAX};

use crate::flash::FlashError;

/// Why an image in a slot (or the start of an upload) is not usable; each
/// maps onto one image-group error code (protocol.md §2.1, §4.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageError {
    /// Shorter than a header, header size below 32, sizes overflowing (22).
    InvalidHeader,
    /// The header magic is erased: the slot holds no image (3).
    NoImage,
    /// Any other header magic (23).
    BadMagic,
    /// No unprotected TLV area after the body (4).
    NoTlvs,
    /// An erased TLV entry, or a protected area the header disagrees with (5).
    InvalidTlv,
    /// More than one SHA-256 TLV (6).
    MultipleHashes,
    /// A TLV running past the end of its area (7).
    TlvInvalidSize,
    /// No SHA-256 TLV of 32 bytes (8).
    HashNotFound,
    /// The flash could not be read (11).
    Flash(FlashError),
}

impl From<FlashError> for ImageError {
    fn from(e: FlashError) -> Self {
        ImageError::Flash(e)
    }
}

/// How MCUboot moves images between slots; it decides which trailer flags the
/// image group reports and writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BootMode {
    SingleSlot,
    SwapUsingScratch,
    OverwriteOnly,
    SwapUsingMove,
    DirectXip,
    DirectXipWithRevert,
    RamLoad,
    FirmwareLoader,
    SingleSlotRamLoad,
    SwapUsingOffset,
}

impl BootMode {
    /// The number bootloader info reports as `mode`.
    pub fn wire_value(self) -> i8 {
        match self {
            BootMode::SingleSlot => 0,
            BootMode::SwapUsingScratch => 1,
            BootMode::OverwriteOnly => 2,
            BootMode::SwapUsingMove => 3,
            BootMode::DirectXip => 4,
            BootMode::DirectXipWithRevert => 5,
            BootMode::RamLoad => 6,
            BootMode::FirmwareLoader => 7,
            BootMode::SingleSlotRamLoad => 8,
            BootMode::SwapUsingOffset => 9,
        }
    }
}

/// The bootloader build options trailers and flags depend on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BootConfig {
    pub mode: BootMode,
    /// `BOOT_MAX_ALIGN`: trailer fields are written in chunks of this size.
    pub max_align: u32,
    /// MCUboot refuses images older than the running one.
    pub downgrade_prevention: bool,
}
