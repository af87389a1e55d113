//! Image info and hash over hand-built images; the imgtool-signed ones are in
//! `mcuboot::fixtures`.

use super::*;
use crate::flash::FlashError;
use crate::mcuboot::mem_flash::MemFlash;
use crate::mcuboot::{ImageVersion, IMAGE_MAGIC};

const HDR_SIZE: u16 = 0x20;

fn tlv(kind: u16, value: &[u8]) -> Vec<u8> {
    let mut t = kind.to_le_bytes().to_vec();
    t.extend_from_slice(&(value.len() as u16).to_le_bytes());
    t.extend_from_slice(value);
    t
}

/// A TLV area: info header (magic, total size including it) and entries.
fn area(magic: u16, entries: &[Vec<u8>]) -> Vec<u8> {
    let body: Vec<u8> = entries.concat();
    let mut a = magic.to_le_bytes().to_vec();
    a.extend_from_slice(&((body.len() + 4) as u16).to_le_bytes());
    a.extend_from_slice(&body);
    a
}

fn header(body_len: u32, protect_tlv_size: u16) -> ImageHeader {
    ImageHeader {
        load_addr: 0,
        hdr_size: HDR_SIZE,
        protect_tlv_size,
        img_size: body_len,
        flags: 0,
        version: ImageVersion::new(1, 2, 3, 0),
    }
}

/// Header, body and protected area: what the SHA-256 TLV covers.
fn signed_part(body_len: u32, protected: Option<&[u8]>) -> Vec<u8> {
    let prot = protected.unwrap_or_default();
    let mut img = header(body_len, prot.len() as u16).encode().to_vec();
    img.extend((0..body_len).map(|i| i as u8));
    img.extend_from_slice(prot);
    img
}

/// The reference digest, from the `sha2` crate's own API.
fn sha256(bytes: &[u8]) -> [u8; 32] {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes).into()
}

/// A valid image: signed part, then an unprotected area with its SHA-256 and
/// a dummy signature.
fn image(body_len: u32, protected: Option<&[u8]>) -> Vec<u8> {
    let mut img = signed_part(body_len, protected);
    let hash = sha256(&img);
    img.extend(area(
        TLV_INFO_MAGIC,
        &[tlv(TLV_SHA256, &hash), tlv(0x22, &[0x30; 70])],
    ));
    img
}

fn slot_with(img: &[u8]) -> MemFlash {
    let mut f = MemFlash::new(0x4000, 0x1000, 8);
    f.program(0, img);
    f
}

fn info_of(img: &[u8]) -> Result<ImageInfo, ImageError> {
    read_image_info(&mut slot_with(img))
}

#[test]
fn reads_header_hash_and_total_length() {
    let img = image(100, None);
    let info = info_of(&img).unwrap();
    assert_eq!(info.header, header(100, 0));
    assert_eq!(info.hash, sha256(&img[..132]));
    assert_eq!(info.total_len as usize, img.len());
}

#[test]
fn skips_the_protected_area_and_counts_it_in_the_length() {
    let prot = area(TLV_PROT_INFO_MAGIC, &[tlv(0x50, &[1, 0, 0, 0])]);
    let img = image(100, Some(&prot));
    let info = info_of(&img).unwrap();
    assert_eq!(info.header.protect_tlv_size, 12);
    assert_eq!(info.hash, sha256(&img[..132 + 12]));
    assert_eq!(info.total_len as usize, img.len());
}

#[test]
fn image_hash_covers_header_body_and_protected_tlvs() {
    let prot = area(TLV_PROT_INFO_MAGIC, &[tlv(0x50, &[7, 0, 0, 0])]);
    // 1000 bytes: several hash chunks and a partial one.
    let img = image(1000, Some(&prot));
    let mut slot = slot_with(&img);
    let info = read_image_info(&mut slot).unwrap();
    assert_eq!(image_hash(&mut slot, &info.header), Ok(info.hash));
}

#[test]
fn erased_slot_is_no_image() {
    assert_eq!(info_of(&[]), Err(ImageError::NoImage));
}

#[test]
fn other_magic_is_bad_magic() {
    let mut img = image(10, None);
    img[0] = 0x3c;
    assert_eq!(info_of(&img), Err(ImageError::BadMagic));
}

#[test]
fn missing_unprotected_area_is_no_tlvs() {
    // The body is followed by erased flash.
    assert_eq!(info_of(&signed_part(10, None)), Err(ImageError::NoTlvs));
    // Only a protected area.
    let prot = area(TLV_PROT_INFO_MAGIC, &[tlv(0x50, &[0; 4])]);
    assert_eq!(
        info_of(&signed_part(10, Some(&prot))),
        Err(ImageError::NoTlvs)
    );
}

#[test]
fn protected_area_disagreeing_with_the_header_is_invalid_tlv() {
    let prot = area(TLV_PROT_INFO_MAGIC, &[tlv(0x50, &[0; 4])]);
    let mut img = image(10, Some(&prot));
    img[10] = 16; // header says 16, the area says 12
    assert_eq!(info_of(&img), Err(ImageError::InvalidTlv));
    let mut img = image(10, None);
    img[10] = 12; // header announces a protected area that is not there
    assert_eq!(info_of(&img), Err(ImageError::InvalidTlv));
}

#[test]
fn erased_entry_is_invalid_tlv() {
    let mut img = signed_part(10, None);
    // An area claiming 8 more bytes than written: the entry reads as erased.
    img.extend_from_slice(&[0x07, 0x69, 12, 0]);
    assert_eq!(info_of(&img), Err(ImageError::InvalidTlv));
}

#[test]
fn two_sha256_entries_are_multiple_hashes() {
    let mut img = signed_part(10, None);
    let h = sha256(&img);
    img.extend(area(
        TLV_INFO_MAGIC,
        &[tlv(TLV_SHA256, &h), tlv(TLV_SHA256, &h)],
    ));
    assert_eq!(info_of(&img), Err(ImageError::MultipleHashes));
}

#[test]
fn no_sha256_entry_is_hash_not_found() {
    let mut img = signed_part(10, None);
    img.extend(area(TLV_INFO_MAGIC, &[tlv(0x22, &[0; 8])]));
    assert_eq!(info_of(&img), Err(ImageError::HashNotFound));
}

#[test]
fn sha256_entry_of_another_length_is_not_the_hash() {
    let mut img = signed_part(10, None);
    img.extend(area(TLV_INFO_MAGIC, &[tlv(TLV_SHA256, &[0; 20])]));
    assert_eq!(info_of(&img), Err(ImageError::HashNotFound));
}

#[test]
fn entry_running_past_its_area_is_invalid_size() {
    let mut img = signed_part(10, None);
    let mut a = area(TLV_INFO_MAGIC, &[tlv(TLV_SHA256, &[0; 32])]);
    a[2] -= 1; // the area ends one byte before the hash does
    img.extend(a);
    assert_eq!(info_of(&img), Err(ImageError::TlvInvalidSize));
}

#[test]
fn area_ending_inside_an_entry_header_is_invalid_size() {
    let mut img = signed_part(10, None);
    img.extend(area(TLV_INFO_MAGIC, &[vec![0x10, 0x00]]));
    assert_eq!(info_of(&img), Err(ImageError::TlvInvalidSize));
}

#[test]
fn image_running_past_the_slot_is_a_flash_error() {
    let mut slot = MemFlash::new(0x1000, 0x1000, 8);
    slot.program(0, &header(0x2000, 0).encode());
    assert_eq!(
        read_image_info(&mut slot),
        Err(ImageError::Flash(FlashError::OutOfBounds))
    );
}

#[test]
fn area_running_past_the_slot_is_invalid_size() {
    // Found by the mcuboot_image fuzz target: the last entry's value is never
    // read, so only the declared area size shows the image overrunning.
    let mut img = signed_part(16, None);
    let hash = sha256(&img);
    let signature_len: u16 = 0x1000;
    let area_len = 4 + (4 + 32) + 4 + signature_len;
    img.extend_from_slice(&TLV_INFO_MAGIC.to_le_bytes());
    img.extend_from_slice(&area_len.to_le_bytes());
    img.extend(tlv(TLV_SHA256, &hash));
    img.extend_from_slice(&0x22u16.to_le_bytes());
    img.extend_from_slice(&signature_len.to_le_bytes());
    let mut slot = MemFlash::new(0x1000, 0x1000, 8);
    slot.program(0, &img);
    assert_eq!(read_image_info(&mut slot), Err(ImageError::TlvInvalidSize));
}

#[test]
fn magic_constant_matches_the_bytes_on_flash() {
    assert_eq!(IMAGE_MAGIC.to_le_bytes(), [0x3d, 0xb8, 0xf3, 0x96]);
}
