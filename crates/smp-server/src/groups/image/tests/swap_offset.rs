//! Swap using offset: the secondary slot's image starts one sector in
//! (Zephyr `boot_get_image_start_offset`), except when a revert is pending,
//! when the previous image sits at 0 where the swap left it.

use sha2::{Digest, Sha256};

use super::*;
use crate::mcuboot::fixtures::imgtool_digest;

fn offset_mode() -> FakeImage {
    let mut d = FakeImage::single();
    d.config.mode = BootMode::SwapUsingOffset;
    d
}

fn upload(d: &mut FakeImage, image: &[u8]) -> Vec<u8> {
    let sha: [u8; 32] = Sha256::digest(image).into();
    let req = cbor(|e| {
        e.map(4)?
            .str("off")?
            .u32(0)?
            .str("len")?
            .u32(image.len() as u32)?
            .str("sha")?
            .bytes(&sha)?
            .str("data")?
            .bytes(image)?;
        Ok(())
    });
    Session::new().write(d, 1, &req)
}

fn slot_1_version(d: &mut FakeImage) -> Option<String> {
    let state = parse(&Session::new().read(d, 0, &[]));
    state.get("images")?.list().iter().find_map(|e| {
        (e.get("slot") == Some(&Val::U(1))).then(|| match e.get("version") {
            Some(Val::S(v)) => v.clone(),
            _ => String::new(),
        })
    })
}

#[test]
fn an_upload_is_written_one_sector_into_the_secondary_slot() {
    let mut d = offset_mode();
    let img = APP_1_2_4_5;
    let rsp = parse(&upload(&mut d, img));
    assert_eq!(rsp.get("match"), Some(&Val::B(true)));
    let at = SECTOR as usize;
    assert_eq!(&d.flash(1).data[at..at + img.len()], img);
    assert!(d.flash(1).data[..at].iter().all(|b| *b == 0xFF));
}

#[test]
fn whatever_was_before_the_image_is_erased_by_the_upload() {
    // The previous image, left at 0 by an earlier swap: MCUboot would find
    // it there when no header is one sector in, mid-upload.
    let mut d = offset_mode().with_image(1, APP_1_3_0);
    upload(&mut d, APP_1_2_4_5);
    assert!(d.flash(1).data[..SECTOR as usize]
        .iter()
        .all(|b| *b == 0xFF));
}

#[test]
fn state_read_finds_the_uploaded_image_one_sector_in() {
    let mut d = offset_mode();
    upload(&mut d, APP_1_2_4_5);
    assert_eq!(slot_1_version(&mut d).as_deref(), Some("1.2.4.5"));
}

#[test]
fn an_image_at_the_start_of_the_secondary_slot_is_not_an_update() {
    let mut d = offset_mode().with_image(1, APP_1_3_0);
    assert_eq!(slot_1_version(&mut d), None);
}

#[test]
fn test_by_hash_schedules_the_image_found_one_sector_in() {
    let mut d = offset_mode();
    upload(&mut d, APP_1_2_4_5);
    let hash = imgtool_digest(APP_1_2_4_5);
    let req = cbor(|e| e.map(1)?.str("hash")?.bytes(&hash).map(|_| ()));
    let rsp = parse(&Session::new().write(&mut d, 0, &req));
    let slot1 = rsp
        .get("images")
        .unwrap()
        .list()
        .iter()
        .find(|e| e.get("slot") == Some(&Val::U(1)))
        .cloned()
        .expect("slot 1 listed");
    assert_eq!(slot1.get("pending"), Some(&Val::B(true)));
}

#[test]
fn with_a_revert_pending_the_previous_image_is_read_at_0() {
    // After a test swap: the new image runs unconfirmed from slot 0, the
    // previous one is at the start of slot 1, and the secondary trailer is
    // magic good, copy_done set, image_ok unset (the REVERT row of swap using
    // offset).
    let mut d = offset_mode().with_image(1, APP_1_3_0);
    let l = d.layout();
    crate::mcuboot::write_magic(d.flash(1), &l).unwrap();
    crate::mcuboot::write_copy_done(d.flash(1), &l).unwrap();
    assert_eq!(slot_1_version(&mut d).as_deref(), Some("1.3.0"));
}

#[test]
fn the_largest_image_keeps_the_first_sector_and_the_trailer_free() {
    // 16 sectors: one before the image, one of trailer (two status entries
    // per sector with swap using offset).
    let mut d = offset_mode();
    let max = SLOT_SIZE - 2 * SECTOR;
    let first = |len: u32| {
        cbor(|e| {
            e.map(3)?
                .str("off")?
                .u32(0)?
                .str("len")?
                .u32(len)?
                .str("data")?
                .bytes(&APP_1_2_4_5[..64])?;
            Ok(())
        })
    };
    assert_eq!(Session::new().write(&mut d, 1, &first(max + 1)), err(30));
    let rsp = parse(&Session::new().write(&mut d, 1, &first(max)));
    assert_eq!(rsp.get("off"), Some(&Val::U(64)));
}
