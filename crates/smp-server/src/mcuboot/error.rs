//! Why an image in a slot cannot be used.

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
