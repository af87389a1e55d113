//! The 32-byte MCUboot image header (protocol.md §4.1).

use super::error::ImageError;
use super::version::ImageVersion;

/// `IMAGE_MAGIC`, bytes `3d b8 f3 96` on flash.
pub const IMAGE_MAGIC: u32 = 0x96f3_b83d;
/// The v1 header magic, no longer accepted.
pub const IMAGE_MAGIC_V1: u32 = 0x96f3_b83c;
/// `IMAGE_HEADER_SIZE`.
pub const IMAGE_HEADER_SIZE: usize = 32;

/// `ih_flags` bits.
pub mod flags {
    /// `IMAGE_F_PIC`: position-independent code; MCUboot does not support it.
    pub const PIC: u32 = 0x01;
    /// `IMAGE_F_ENCRYPTED_AES128`: the body is encrypted with AES-128.
    pub const ENCRYPTED_AES128: u32 = 0x04;
    /// `IMAGE_F_ENCRYPTED_AES256`: the body is encrypted with AES-256.
    pub const ENCRYPTED_AES256: u32 = 0x08;
    /// `IMAGE_F_NON_BOOTABLE`: not bootable on its own; image state reports
    /// `bootable: false`.
    pub const NON_BOOTABLE: u32 = 0x10;
    /// `IMAGE_F_RAM_LOAD`: copied to RAM at `ih_load_addr` before it runs.
    pub const RAM_LOAD: u32 = 0x20;
    /// `IMAGE_F_ROM_FIXED`: linked to run from one slot, the one at
    /// `ih_load_addr`.
    pub const ROM_FIXED: u32 = 0x100;
    /// `IMAGE_F_COMPRESSED_LZMA1`: the body is LZMA1-compressed.
    pub const COMPRESSED_LZMA1: u32 = 0x200;
    /// `IMAGE_F_COMPRESSED_LZMA2`: the body is LZMA2-compressed.
    pub const COMPRESSED_LZMA2: u32 = 0x400;
    /// `IMAGE_F_COMPRESSED_ARM_THUMB_FLT`: the compressed body also went
    /// through the ARM Thumb filter.
    pub const COMPRESSED_ARM_THUMB: u32 = 0x800;
}

/// `struct image_header`, little-endian on flash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImageHeader {
    /// `ih_load_addr`: where a RAM-load or ROM-fixed image runs from; 0 for
    /// others.
    pub load_addr: u32,
    /// Header size including padding: the body starts here.
    pub hdr_size: u16,
    /// Size of the protected TLV area including its 4-byte info header (0 if none).
    pub protect_tlv_size: u16,
    /// Body size, header excluded.
    pub img_size: u32,
    /// `ih_flags`: the [`flags`] bits.
    pub flags: u32,
    /// `ih_ver`: the version image state reports.
    pub version: ImageVersion,
}

impl ImageHeader {
    /// Parses the first 32 bytes of `bytes`.
    ///
    /// Fewer than 32 bytes, a header size below 32 or sizes whose sum does not
    /// fit in 32 bits are [`ImageError::InvalidHeader`]; an erased magic is
    /// [`ImageError::NoImage`]; any other magic [`ImageError::BadMagic`].
    pub fn parse(bytes: &[u8]) -> Result<Self, ImageError> {
        let b: &[u8; IMAGE_HEADER_SIZE] = bytes
            .get(..IMAGE_HEADER_SIZE)
            .and_then(|b| b.try_into().ok())
            .ok_or(ImageError::InvalidHeader)?;
        // Offsets below are constants inside the 32 header bytes.
        let u16_at = |i: usize| {
            let field = b.get(i..).and_then(|b| b.first_chunk()).copied();
            u16::from_le_bytes(field.unwrap_or_default())
        };
        let u32_at = |i: usize| {
            let field = b.get(i..).and_then(|b| b.first_chunk()).copied();
            u32::from_le_bytes(field.unwrap_or_default())
        };
        match u32_at(0) {
            IMAGE_MAGIC => {}
            0xFFFF_FFFF => return Err(ImageError::NoImage),
            _ => return Err(ImageError::BadMagic),
        }
        let mut version = [0u8; 8];
        version.copy_from_slice(&b[20..28]);
        let hdr = ImageHeader {
            load_addr: u32_at(4),
            hdr_size: u16_at(8),
            protect_tlv_size: u16_at(10),
            img_size: u32_at(12),
            flags: u32_at(16),
            version: ImageVersion::from_bytes(version),
        };
        if usize::from(hdr.hdr_size) < IMAGE_HEADER_SIZE || hdr.protected_end().is_none() {
            return Err(ImageError::InvalidHeader);
        }
        Ok(hdr)
    }

    /// The 32 bytes of this header (magic [`IMAGE_MAGIC`], padding zero).
    pub fn encode(&self) -> [u8; IMAGE_HEADER_SIZE] {
        let mut b = [0u8; IMAGE_HEADER_SIZE];
        b[0..4].copy_from_slice(&IMAGE_MAGIC.to_le_bytes());
        b[4..8].copy_from_slice(&self.load_addr.to_le_bytes());
        b[8..10].copy_from_slice(&self.hdr_size.to_le_bytes());
        b[10..12].copy_from_slice(&self.protect_tlv_size.to_le_bytes());
        b[12..16].copy_from_slice(&self.img_size.to_le_bytes());
        b[16..20].copy_from_slice(&self.flags.to_le_bytes());
        b[20..28].copy_from_slice(&self.version.to_bytes());
        b
    }

    /// Where the TLV areas start: right after the body.
    pub fn tlv_off(&self) -> Option<u32> {
        u32::from(self.hdr_size).checked_add(self.img_size)
    }

    /// End of what the SHA-256 TLV covers: header, body and protected TLVs.
    pub fn protected_end(&self) -> Option<u32> {
        self.tlv_off()?
            .checked_add(u32::from(self.protect_tlv_size))
    }

    /// `!(flags & IMAGE_F_NON_BOOTABLE)`.
    pub fn bootable(&self) -> bool {
        self.flags & flags::NON_BOOTABLE == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A header as imgtool writes it: `--header-size 0x200`, 0x1234-byte body,
    /// version 1.2.3+4, no flags.
    const HEADER: [u8; 32] = [
        0x3d, 0xb8, 0xf3, 0x96, // magic
        0x00, 0x00, 0x00, 0x00, // load_addr
        0x00, 0x02, // hdr_size 0x200
        0x00, 0x00, // protect_tlv_size
        0x34, 0x12, 0x00, 0x00, // img_size
        0x00, 0x00, 0x00, 0x00, // flags
        0x01, 0x02, 0x03, 0x00, 0x04, 0x00, 0x00, 0x00, // 1.2.3+4
        0x00, 0x00, 0x00, 0x00, // pad
    ];

    fn with(edit: impl FnOnce(&mut [u8; 32])) -> [u8; 32] {
        let mut h = HEADER;
        edit(&mut h);
        h
    }

    #[test]
    fn parses_every_field() {
        let h = ImageHeader::parse(&HEADER).unwrap();
        assert_eq!(
            h,
            ImageHeader {
                load_addr: 0,
                hdr_size: 0x200,
                protect_tlv_size: 0,
                img_size: 0x1234,
                flags: 0,
                version: ImageVersion::new(1, 2, 3, 4),
            }
        );
        assert_eq!(h.tlv_off(), Some(0x1434));
    }

    #[test]
    fn encode_is_the_inverse_of_parse() {
        let h = ImageHeader::parse(&HEADER).unwrap();
        assert_eq!(h.encode(), HEADER);
        let other = ImageHeader {
            load_addr: 0x1000_0000,
            hdr_size: 0x20,
            protect_tlv_size: 0x30,
            img_size: 7,
            flags: flags::NON_BOOTABLE | flags::RAM_LOAD,
            version: ImageVersion::new(255, 0, 65535, 1),
        };
        assert_eq!(ImageHeader::parse(&other.encode()), Ok(other));
    }

    #[test]
    fn parse_reads_only_the_first_32_bytes() {
        let mut long = HEADER.to_vec();
        long.extend_from_slice(&[0xAA; 100]);
        assert_eq!(ImageHeader::parse(&long), ImageHeader::parse(&HEADER));
    }

    #[test]
    fn fewer_than_32_bytes_is_invalid_header() {
        assert_eq!(
            ImageHeader::parse(&HEADER[..31]),
            Err(ImageError::InvalidHeader)
        );
        assert_eq!(ImageHeader::parse(&[]), Err(ImageError::InvalidHeader));
    }

    #[test]
    fn erased_magic_is_no_image() {
        assert_eq!(ImageHeader::parse(&[0xFF; 32]), Err(ImageError::NoImage));
    }

    #[test]
    fn other_magic_including_v1_is_bad_magic() {
        let v1 = with(|h| h[0] = 0x3c);
        assert_eq!(ImageHeader::parse(&v1), Err(ImageError::BadMagic));
        let zero = with(|h| h[..4].fill(0));
        assert_eq!(ImageHeader::parse(&zero), Err(ImageError::BadMagic));
    }

    #[test]
    fn header_size_below_32_is_invalid_header() {
        let small = with(|h| h[8..10].copy_from_slice(&31u16.to_le_bytes()));
        assert_eq!(ImageHeader::parse(&small), Err(ImageError::InvalidHeader));
    }

    #[test]
    fn sizes_overflowing_32_bits_are_invalid_header() {
        let huge = with(|h| h[12..16].copy_from_slice(&u32::MAX.to_le_bytes()));
        assert_eq!(ImageHeader::parse(&huge), Err(ImageError::InvalidHeader));
    }

    #[test]
    fn bootable_is_the_negated_non_bootable_flag() {
        let mut h = ImageHeader::parse(&HEADER).unwrap();
        assert!(h.bootable());
        h.flags = flags::NON_BOOTABLE;
        assert!(!h.bootable());
    }
}
