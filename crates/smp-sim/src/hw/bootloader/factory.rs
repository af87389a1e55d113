//! The virtual device's own firmware image: what a freshly flashed board has
//! in its primary slot. A valid MCUboot image (header with the virtual
//! device's version, a body describing it, a TLV area with the SHA-256 TLV)
//! and no trailer, so it is reported active and confirmed.

use sha2::{Digest, Sha256};
use smp_server::flash::{FlashArea, FlashError};
use smp_server::mcuboot::{ImageHeader, ImageVersion, TLV_INFO_MAGIC, TLV_SHA256};

/// Header size as imgtool pads it for Zephyr (`--header-size 0x200`).
const HEADER_SIZE: u16 = 0x200;
/// Body size: the description, padded.
const BODY_SIZE: usize = 6 * 1024;

const fn parse_u32(s: &str) -> u32 {
    let b = s.as_bytes();
    let mut i = 0;
    let mut n = 0u32;
    while i < b.len() {
        assert!(b[i].is_ascii_digit(), "version numbers are decimal");
        n = n * 10 + (b[i] - b'0') as u32;
        i += 1;
    }
    n
}

/// The image version: this crate's version (build number 0).
pub const VERSION: ImageVersion = ImageVersion::new(
    parse_u32(env!("CARGO_PKG_VERSION_MAJOR")) as u8,
    parse_u32(env!("CARGO_PKG_VERSION_MINOR")) as u8,
    parse_u32(env!("CARGO_PKG_VERSION_PATCH")) as u16,
    0,
);

fn body() -> Vec<u8> {
    let text = format!(
        "smp-sim {} - the virtual MCUmgr device's own firmware image.\n\
         A freshly flashed virtual nrf52840dk_nrf52840: MCUboot (swap using move) \
         in boot_partition, this image in slot0_partition, slot1_partition empty.\n\
         Upload an image to slot 1, mark it for test or confirm it, reset: the \
         emulated MCUboot swaps it in, and reverts an unconfirmed test on the next \
         reset.\n",
        env!("CARGO_PKG_VERSION")
    );
    let mut body = text.into_bytes();
    body.resize(BODY_SIZE, 0);
    body
}

/// The whole image file: header, body, TLV area.
pub fn image() -> Vec<u8> {
    let body = body();
    let header = ImageHeader {
        load_addr: 0,
        hdr_size: HEADER_SIZE,
        protect_tlv_size: 0,
        img_size: body.len() as u32,
        flags: 0,
        version: VERSION,
    };
    let mut image = header.encode().to_vec();
    image.resize(usize::from(HEADER_SIZE), 0);
    image.extend_from_slice(&body);
    let hash: [u8; 32] = Sha256::digest(&image).into();
    image.extend_from_slice(&TLV_INFO_MAGIC.to_le_bytes());
    image.extend_from_slice(&(4u16 + 4 + 32).to_le_bytes());
    image.extend_from_slice(&TLV_SHA256.to_le_bytes());
    image.extend_from_slice(&32u16.to_le_bytes());
    image.extend_from_slice(&hash);
    image
}

/// The hash image state reports for the virtual device's own image.
pub fn hash() -> [u8; 32] {
    let image = image();
    let mut hash = [0u8; 32];
    hash.copy_from_slice(&image[image.len() - 32..]);
    hash
}

/// Writes `image` at the start of `area`, which is erased first, whole
/// (trailer included: the image runs confirmed).
pub fn install(area: &mut dyn FlashArea, image: &[u8]) -> Result<(), FlashError> {
    area.erase(0, area.size())?;
    let write = area.write_size() as usize;
    let mut padded = image.to_vec();
    padded.resize(image.len().div_ceil(write) * write, area.erased_value());
    for (i, chunk) in padded.chunks(1024).enumerate() {
        area.write((i * 1024) as u32, chunk)?;
    }
    Ok(())
}
