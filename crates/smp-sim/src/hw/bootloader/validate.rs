//! Image validation before a swap and before booting (MCUboot
//! `boot_validate_slot`, `bootutil_img_validate`): header, TLV areas, size,
//! the SHA-256 TLV against the recomputed hash, and with a key the signature.

use std::fmt;

use smp_server::flash::{FlashArea, FlashError};
use smp_server::mcuboot::{
    self, ImageError, ImageHeader, ImageInfo, IMAGE_HEADER_SIZE, TLV_INFO_MAGIC,
    TLV_PROT_INFO_MAGIC,
};

use super::boot_key::{BootKey, TLV_KEYHASH};

/// What a slot holds, as far as booting it goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Valid(ImageInfo),
    /// The header is erased: no image (`boot_check_header_erased`).
    Absent,
    /// A well-formed header flagged `IMAGE_F_NON_BOOTABLE`.
    NotBootable,
    Invalid(Invalid),
}

/// Why an image is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Invalid {
    /// Bad header magic, bad header, bad TLV areas, no or several SHA-256 TLVs.
    Format(ImageError),
    /// The header or the TLV areas point outside the slot.
    OutsideSlot,
    /// Header, TLVs and all do not fit the slot with the room a swap needs.
    TooLarge { size: u32, max: u32 },
    /// The SHA-256 TLV is not the hash of the image.
    HashMismatch,
    /// A key is configured and no signature by it verifies.
    NoValidSignature,
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Invalid::Format(e) => write!(f, "not a valid MCUboot image ({e:?})"),
            Invalid::OutsideSlot => write!(f, "header or TLVs point outside the slot"),
            Invalid::TooLarge { size, max } => {
                write!(
                    f,
                    "image of {size} bytes, more than the {max} a swap allows"
                )
            }
            Invalid::HashMismatch => write!(f, "SHA-256 TLV does not match the image"),
            Invalid::NoValidSignature => write!(f, "no valid signature by the boot key"),
        }
    }
}

/// Validates the image in `area`. `max_size`: the largest image a swap can
/// move. With `key`, a signature by it is required, except for an image whose
/// hash is `trusted` (the virtual device's own image, which nobody signed).
pub fn validate(
    area: &mut dyn FlashArea,
    max_size: u32,
    key: Option<&BootKey>,
    trusted: Option<&[u8; 32]>,
) -> Result<Verdict, FlashError> {
    let mut raw = [0u8; IMAGE_HEADER_SIZE];
    area.read(0, &mut raw)?;
    let header = match ImageHeader::parse(&raw) {
        Ok(header) => header,
        Err(ImageError::NoImage) => return Ok(Verdict::Absent),
        Err(e) => return Ok(Verdict::Invalid(Invalid::Format(e))),
    };
    if !header.bootable() {
        return Ok(Verdict::NotBootable);
    }
    let info = match mcuboot::read_image_info(area) {
        Ok(info) => info,
        Err(e) => return refused(e),
    };
    if info.total_len > max_size {
        return Ok(Verdict::Invalid(Invalid::TooLarge {
            size: info.total_len,
            max: max_size,
        }));
    }
    match mcuboot::image_hash(area, &info.header) {
        Ok(hash) if hash == info.hash => {}
        Ok(_) => return Ok(Verdict::Invalid(Invalid::HashMismatch)),
        Err(e) => return refused(e),
    }
    if let Some(key) = key {
        if trusted != Some(&info.hash) && !signed_by(area, &info, key)? {
            return Ok(Verdict::Invalid(Invalid::NoValidSignature));
        }
    }
    Ok(Verdict::Valid(info))
}

/// An image that cannot be read as one is invalid; only a failing flash is
/// an error (reads outside the slot come from the image's own fields).
fn refused(e: ImageError) -> Result<Verdict, FlashError> {
    match e {
        ImageError::Flash(FlashError::OutOfBounds) => Ok(Verdict::Invalid(Invalid::OutsideSlot)),
        ImageError::Flash(e) => Err(e),
        e => Ok(Verdict::Invalid(Invalid::Format(e))),
    }
}

/// `bootutil_img_validate`'s signature part: a `KEYHASH` TLV naming `key`
/// selects the signature TLV that follows it; the last selected signature
/// decides.
fn signed_by(
    area: &mut dyn FlashArea,
    info: &ImageInfo,
    key: &BootKey,
) -> Result<bool, FlashError> {
    let mut key_selected = false;
    let mut valid = false;
    let mut value = Vec::new();
    for (kind, off, len) in tlvs(area, info)? {
        if kind == TLV_KEYHASH {
            if usize::from(len) > 32 {
                return Ok(false);
            }
            read_value(area, off, len, &mut value)?;
            key_selected = key.key_hash()[..value.len()] == value[..];
        } else if kind == key.signature_tlv() && key_selected {
            read_value(area, off, len, &mut value)?;
            valid = key.verify(&info.hash, &value);
            key_selected = false;
        }
    }
    Ok(valid)
}

fn read_value(
    area: &mut dyn FlashArea,
    off: u32,
    len: u16,
    value: &mut Vec<u8>,
) -> Result<(), FlashError> {
    value.resize(usize::from(len), 0);
    area.read(off, value)
}

/// Every TLV of both areas, protected first: `(type, value offset, length)`.
/// The areas were checked by `read_image_info`; entries running past their
/// area end the walk of that area.
fn tlvs(area: &mut dyn FlashArea, info: &ImageInfo) -> Result<Vec<(u16, u32, u16)>, FlashError> {
    let mut out = Vec::new();
    let Some(mut off) = info.header.tlv_off() else {
        return Ok(out);
    };
    while off < info.total_len {
        let (magic, total) = read_pair(area, off)?;
        if magic != TLV_PROT_INFO_MAGIC && magic != TLV_INFO_MAGIC {
            break;
        }
        let end = off + u32::from(total);
        let mut entry = off + 4;
        while entry + 4 <= end {
            let (kind, len) = read_pair(area, entry)?;
            let value = entry + 4;
            if value + u32::from(len) > end {
                break;
            }
            out.push((kind, value, len));
            entry = value + u32::from(len);
        }
        if total < 4 {
            break;
        }
        off = end;
    }
    Ok(out)
}

fn read_pair(area: &mut dyn FlashArea, off: u32) -> Result<(u16, u16), FlashError> {
    let mut b = [0u8; 4];
    area.read(off, &mut b)?;
    Ok((
        u16::from_le_bytes([b[0], b[1]]),
        u16::from_le_bytes([b[2], b[3]]),
    ))
}
