//! Images signed by imgtool (`tests/fixtures/make-images.sh`), and what
//! `imgtool verify` said about them.

use super::mem_flash::MemFlash;

/// 1 KiB body, version 1.2.3, no protected TLVs.
pub const APP_1_2_3: &[u8] = include_bytes!("../../tests/fixtures/app-1.2.3.bin");
/// 2 KiB body, version 1.2.4+5, protected TLVs (security counter).
pub const APP_1_2_4_5: &[u8] = include_bytes!("../../tests/fixtures/app-1.2.4+5.bin");
/// 3 KiB body, version 1.3.0, protected TLVs.
pub const APP_1_3_0: &[u8] = include_bytes!("../../tests/fixtures/app-1.3.0.bin");

const VERIFY_1_2_3: &str = include_str!("../../tests/fixtures/app-1.2.3.verify.txt");
const VERIFY_1_2_4_5: &str = include_str!("../../tests/fixtures/app-1.2.4+5.verify.txt");
const VERIFY_1_3_0: &str = include_str!("../../tests/fixtures/app-1.3.0.verify.txt");

/// The image's SHA-256 TLV, as imgtool reported it.
pub fn imgtool_digest(image: &[u8]) -> [u8; 32] {
    let text = verify_text(image);
    let hex_digest = text.lines().nth(1).expect("digest line");
    hex::decode(hex_digest.trim())
        .expect("hex digest")
        .try_into()
        .expect("32 bytes")
}

/// The image version, as imgtool printed it (`1.2.4+5`).
pub fn imgtool_version(image: &[u8]) -> &'static str {
    verify_text(image)
        .lines()
        .next()
        .expect("version line")
        .trim()
}

fn verify_text(image: &[u8]) -> &'static str {
    match image.len() {
        n if n == APP_1_2_3.len() => VERIFY_1_2_3,
        n if n == APP_1_2_4_5.len() => VERIFY_1_2_4_5,
        n if n == APP_1_3_0.len() => VERIFY_1_3_0,
        _ => panic!("not a fixture"),
    }
}

/// A 64 KiB slot of 4 KiB sectors holding `image`.
pub fn slot_with(image: &[u8]) -> MemFlash {
    let mut f = MemFlash::new(0x10000, 0x1000, 8);
    f.program(0, image);
    f
}

#[cfg(test)]
mod tests {
    use super::super::{image_hash, read_image_info, ImageVersion, IMAGE_HEADER_SIZE};
    use super::*;

    const ALL: [&[u8]; 3] = [APP_1_2_3, APP_1_2_4_5, APP_1_3_0];

    #[test]
    fn fixtures_have_distinct_lengths() {
        assert_ne!(APP_1_2_3.len(), APP_1_2_4_5.len());
        assert_ne!(APP_1_2_4_5.len(), APP_1_3_0.len());
        assert_ne!(APP_1_2_3.len(), APP_1_3_0.len());
    }

    #[test]
    fn hash_is_the_digest_imgtool_reports() {
        for image in ALL {
            let info = read_image_info(&mut slot_with(image)).unwrap();
            assert_eq!(info.hash, imgtool_digest(image));
        }
    }

    #[test]
    fn computed_hash_matches_the_sha256_tlv() {
        for image in ALL {
            let mut slot = slot_with(image);
            let info = read_image_info(&mut slot).unwrap();
            assert_eq!(image_hash(&mut slot, &info.header), Ok(info.hash));
        }
    }

    #[test]
    fn total_length_is_the_file_length() {
        for image in ALL {
            let info = read_image_info(&mut slot_with(image)).unwrap();
            assert_eq!(info.total_len as usize, image.len());
        }
    }

    #[test]
    fn versions_as_imgtool_wrote_them() {
        let version = |image| {
            read_image_info(&mut slot_with(image))
                .unwrap()
                .header
                .version
        };
        assert_eq!(version(APP_1_2_3), ImageVersion::new(1, 2, 3, 0));
        assert_eq!(version(APP_1_2_4_5), ImageVersion::new(1, 2, 4, 5));
        assert_eq!(version(APP_1_3_0), ImageVersion::new(1, 3, 0, 0));
        assert_eq!(imgtool_version(APP_1_2_4_5), "1.2.4+5");
    }

    #[test]
    fn header_size_and_protected_area_as_signed() {
        let header = |image| read_image_info(&mut slot_with(image)).unwrap().header;
        assert_eq!(header(APP_1_2_3).hdr_size, 0x200);
        assert_eq!(header(APP_1_2_3).img_size, 1024);
        assert_eq!(header(APP_1_2_3).protect_tlv_size, 0);
        // info header + security counter TLV (4 + 4 + 4)
        assert_eq!(header(APP_1_2_4_5).protect_tlv_size, 12);
        assert_eq!(header(APP_1_3_0).protect_tlv_size, 12);
    }

    #[test]
    fn header_reencodes_to_the_same_bytes() {
        for image in ALL {
            let info = read_image_info(&mut slot_with(image)).unwrap();
            assert_eq!(info.header.encode()[..], image[..IMAGE_HEADER_SIZE]);
        }
    }
}
