//! The TLV areas after the image body, the SHA-256 TLV the server reports and
//! the hash it covers (protocol.md §4.2).

use crate::sha256::Sha256;

use super::error::ImageError;
use super::header::{ImageHeader, IMAGE_HEADER_SIZE};
use crate::flash::FlashArea;

/// Info header magic of the unprotected TLV area.
pub const TLV_INFO_MAGIC: u16 = 0x6907;
/// Info header magic of the protected TLV area.
pub const TLV_PROT_INFO_MAGIC: u16 = 0x6908;
/// `IMAGE_TLV_SHA256`.
pub const TLV_SHA256: u16 = 0x10;
/// Length of a SHA-256 hash.
pub const HASH_LEN: usize = 32;
/// Size of a TLV area info header and of a TLV entry header.
const INFO_LEN: u32 = 4;

/// What [`read_image_info`] finds in a slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImageInfo {
    /// The image header at the start of the slot.
    pub header: ImageHeader,
    /// The value of the SHA-256 TLV: the image's identity in image state.
    pub hash: [u8; HASH_LEN],
    /// Header, body and both TLV areas: the bytes an image file holds.
    pub total_len: u32,
}

/// Reads the header at offset 0 and walks the TLV areas as Zephyr's
/// `img_mgmt_read_info` does, requiring exactly one SHA-256 TLV of 32 bytes.
///
/// Errors: erased header [`ImageError::NoImage`], other magic
/// [`ImageError::BadMagic`], no unprotected area [`ImageError::NoTlvs`], an
/// erased entry (`ffff ffff`) or a protected area whose size disagrees with the
/// header [`ImageError::InvalidTlv`], an entry running past its area or an
/// area running past the slot [`ImageError::TlvInvalidSize`], two SHA-256 TLVs
/// [`ImageError::MultipleHashes`], none [`ImageError::HashNotFound`].
pub fn read_image_info(area: &mut dyn FlashArea) -> Result<ImageInfo, ImageError> {
    let mut raw = [0u8; IMAGE_HEADER_SIZE];
    area.read(0, &mut raw)?;
    let header = ImageHeader::parse(&raw)?;
    let tlv_off = header.tlv_off().ok_or(ImageError::InvalidHeader)?;

    // The protected area, when present, must be the size the header says.
    let (magic, tot) = read_info(area, tlv_off)?;
    let unprotected_off = if magic == TLV_PROT_INFO_MAGIC {
        if tot != header.protect_tlv_size {
            return Err(ImageError::InvalidTlv);
        }
        tlv_off
            .checked_add(u32::from(tot))
            .ok_or(ImageError::InvalidTlv)?
    } else {
        if header.protect_tlv_size != 0 {
            return Err(ImageError::InvalidTlv);
        }
        tlv_off
    };
    let (magic, tot) = read_info(area, unprotected_off)?;
    if magic != TLV_INFO_MAGIC || u32::from(tot) < INFO_LEN {
        return Err(ImageError::NoTlvs);
    }
    let end = unprotected_off
        .checked_add(u32::from(tot))
        .ok_or(ImageError::TlvInvalidSize)?;
    // An entry whose value is never read (a signature, say) could otherwise
    // claim bytes past the slot and give an image longer than its slot.
    if end > area.size() {
        return Err(ImageError::TlvInvalidSize);
    }

    let mut hash = None;
    // Cannot wrap: `end` is at least 4 above `unprotected_off`.
    let mut off = unprotected_off.wrapping_add(INFO_LEN);
    while off < end {
        if end.wrapping_sub(off) < INFO_LEN {
            return Err(ImageError::TlvInvalidSize);
        }
        let (kind, len) = read_info(area, off)?;
        if kind == 0xFFFF && len == 0xFFFF {
            return Err(ImageError::InvalidTlv);
        }
        // At most `end`: checked just above.
        let value_off = off.wrapping_add(INFO_LEN);
        let next = value_off
            .checked_add(u32::from(len))
            .filter(|next| *next <= end)
            .ok_or(ImageError::TlvInvalidSize)?;
        if kind == TLV_SHA256 && usize::from(len) == HASH_LEN {
            if hash.is_some() {
                return Err(ImageError::MultipleHashes);
            }
            let mut value = [0u8; HASH_LEN];
            area.read(value_off, &mut value)?;
            hash = Some(value);
        }
        off = next;
    }
    Ok(ImageInfo {
        header,
        hash: hash.ok_or(ImageError::HashNotFound)?,
        total_len: end,
    })
}

/// Reads a 4-byte `{u16 LE, u16 LE}`: an area info header or a TLV entry header.
fn read_info(area: &mut dyn FlashArea, off: u32) -> Result<(u16, u16), ImageError> {
    let mut b = [0u8; INFO_LEN as usize];
    area.read(off, &mut b)?;
    Ok((
        u16::from_le_bytes([b[0], b[1]]),
        u16::from_le_bytes([b[2], b[3]]),
    ))
}

/// The bytes read from flash at a time while hashing.
const HASH_CHUNK: usize = 64;

/// SHA-256 over header, body and protected TLVs of the image described by
/// `header`: the value its SHA-256 TLV must hold.
pub fn image_hash(
    area: &mut dyn FlashArea,
    header: &ImageHeader,
) -> Result<[u8; HASH_LEN], ImageError> {
    let end = header.protected_end().ok_or(ImageError::InvalidHeader)?;
    sha256_of(area, 0, end)
}

/// SHA-256 of `[from, to)` of `area`, read in small chunks.
pub fn sha256_of(
    area: &mut dyn FlashArea,
    from: u32,
    to: u32,
) -> Result<[u8; HASH_LEN], ImageError> {
    let mut sha = Sha256::new();
    let mut buf = [0u8; HASH_CHUNK];
    let mut off = from;
    while off < to {
        // off < to, and off + n <= to: neither wraps.
        let n = to.wrapping_sub(off).min(HASH_CHUNK as u32);
        let chunk = buf.get_mut(..n as usize).unwrap_or_default();
        area.read(off, chunk)?;
        sha.update(chunk);
        off = off.wrapping_add(n);
    }
    Ok(sha.finalize())
}

#[cfg(test)]
mod tests;
