//! MCUboot's image format and slot trailer (protocol.md §4), as far as the
//! server reads and writes them: [`ImageHeader`] and [`ImageVersion`], the TLV
//! areas ([`read_image_info`], [`image_hash`]), the trailer
//! ([`TrailerLayout`], [`read_trailer`], [`set_next`]) and what it means
//! ([`swap_type`], [`pair_flags`]).

mod config;
mod error;
mod header;
mod state;
mod tlv;
mod trailer;
mod version;

// Test code, shared with the fuzz targets through the `testing` feature.
#[cfg(any(test, feature = "testing"))]
#[allow(missing_docs)]
pub mod fixtures;
#[cfg(any(test, feature = "testing"))]
#[allow(missing_docs)]
pub mod mem_flash;

pub use config::{BootConfig, BootMode};
pub use error::ImageError;
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
