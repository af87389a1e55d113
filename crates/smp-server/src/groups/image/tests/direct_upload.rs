//! Direct upload (`MCUMGR_GRP_IMG_DIRECT_UPLOAD`): the upload's `image` N > 0
//! names absolute slot N − 1, 0 keeps the automatic choice; slot info gives
//! every slot `upload_image_id` = slot + 1. One mapping row per test.

use super::*;

/// The first chunk of `APP_1_2_4_5` (whole, in one chunk) with `image`.
fn upload_to(image: u32) -> Vec<u8> {
    cbor(|e| {
        e.begin_map()?
            .str("image")?
            .u32(image)?
            .str("off")?
            .u32(0)?
            .str("len")?
            .u32(APP_1_2_4_5.len() as u32)?
            .str("data")?
            .bytes(APP_1_2_4_5)?
            .end()?;
        Ok(())
    })
}

fn direct(mut d: FakeImage) -> FakeImage {
    d.direct_upload = true;
    d
}

fn done() -> Vec<u8> {
    cbor(|e| {
        e.begin_map()?
            .str("off")?
            .u32(APP_1_2_4_5.len() as u32)?
            .end()?;
        Ok(())
    })
}

/// Whether `slot` now starts with the uploaded image.
fn holds_upload(d: &mut FakeImage, slot: usize) -> bool {
    d.flash(slot).data[..APP_1_2_4_5.len()] == *APP_1_2_4_5
}

#[test]
fn image_0_goes_where_it_would_without_direct_upload() {
    let mut d = direct(FakeImage::single());
    assert_eq!(Session::new().write(&mut d, 1, &upload_to(0)), done());
    assert!(holds_upload(&mut d, 1));
}

#[test]
fn image_2_is_slot_1() {
    let mut d = direct(FakeImage::single());
    assert_eq!(Session::new().write(&mut d, 1, &upload_to(2)), done());
    assert!(holds_upload(&mut d, 1));
}

#[test]
fn image_1_is_slot_0_and_refused_while_it_runs() {
    let mut d = direct(FakeImage::single());
    assert_eq!(Session::new().write(&mut d, 1, &upload_to(1)), err(9));
    assert!(!holds_upload(&mut d, 0));
}

#[test]
fn image_1_is_slot_0_when_the_device_runs_from_slot_1() {
    let mut d = direct(FakeImage::single().with_image(1, APP_1_2_3));
    d.active[0] = 1;
    assert_eq!(Session::new().write(&mut d, 1, &upload_to(1)), done());
    assert!(holds_upload(&mut d, 0));
}

#[test]
fn image_4_is_slot_3_the_second_images_secondary() {
    let mut d = direct(FakeImage::dual());
    assert_eq!(Session::new().write(&mut d, 1, &upload_to(4)), done());
    assert!(holds_upload(&mut d, 3));
}

#[test]
fn image_3_is_slot_2_the_second_images_running_slot_refused() {
    let mut d = direct(FakeImage::dual());
    assert_eq!(Session::new().write(&mut d, 1, &upload_to(3)), err(9));
}

#[test]
fn a_slot_the_device_lacks_is_err_9() {
    let mut d = direct(FakeImage::single());
    assert_eq!(Session::new().write(&mut d, 1, &upload_to(3)), err(9));
    assert_eq!(Session::new().write(&mut d, 1, &upload_to(300)), err(9));
}

#[test]
fn without_direct_upload_image_is_ignored_with_one_image() {
    let mut d = FakeImage::single();
    assert_eq!(Session::new().write(&mut d, 1, &upload_to(1)), done());
    assert!(holds_upload(&mut d, 1));
}

#[test]
fn slot_info_gives_every_slot_its_upload_image_id() {
    let mut d = direct(FakeImage::dual());
    let v = parse(&Session::new().read(&mut d, 6, &[]));
    let slots: Vec<Val> = v
        .get("images")
        .unwrap()
        .list()
        .iter()
        .flat_map(|image| image.get("slots").unwrap().list().to_vec())
        .collect();
    let ids: Vec<Option<Val>> = slots
        .iter()
        .map(|s| s.get("upload_image_id").cloned())
        .collect();
    assert_eq!(
        ids,
        [
            Some(Val::U(1)),
            Some(Val::U(2)),
            Some(Val::U(3)),
            Some(Val::U(4))
        ]
    );
}
