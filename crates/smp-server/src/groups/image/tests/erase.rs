//! Image erase and slot info.

use super::*;

fn erase_slot(slot: u32) -> Vec<u8> {
    cbor(|e| e.map(1)?.str("slot")?.u32(slot).map(|_| ()))
}

const EMPTY: &str = "bf ff";

#[test]
fn erase_without_slot_erases_the_other_slot_of_the_running_image() {
    let mut d = FakeImage::single().with_image(1, APP_1_2_4_5);
    assert_eq!(Session::new().write(&mut d, 5, &bytes("a0")), bytes(EMPTY));
    assert!(d.flash(1).data.iter().all(|b| *b == 0xFF));
    assert_eq!(d.flash(0).data[..APP_1_2_3.len()], *APP_1_2_3);
}

#[test]
fn erase_accepts_a_zero_length_payload() {
    let mut d = FakeImage::single().with_image(1, APP_1_2_4_5);
    assert_eq!(Session::new().write(&mut d, 5, &[]), bytes(EMPTY));
    assert_eq!(d.flash(1).data[0], 0xFF);
}

#[test]
fn erase_touches_only_sectors_that_are_not_erased() {
    let mut d = FakeImage::single().with_image(1, APP_1_2_4_5).mark_test(1);
    d.clear_logs();
    Session::new().write(&mut d, 5, &erase_slot(1));
    assert_eq!(
        d.flash(1).erases,
        [(0, SECTOR), (SLOT_SIZE - SECTOR, SLOT_SIZE)]
    );
    d.clear_logs();
    assert_eq!(
        Session::new().write(&mut d, 5, &erase_slot(1)),
        bytes(EMPTY)
    );
    assert!(d.flash(1).erases.is_empty());
}

#[test]
fn erase_of_the_running_slot_is_err_9_even_without_a_valid_image() {
    let mut d = FakeImage::single();
    assert_eq!(Session::new().write(&mut d, 5, &erase_slot(0)), err(9));
    d.flash(0).data[0] = 0; // bad magic: no valid image
    d.clear_logs();
    assert_eq!(Session::new().write(&mut d, 5, &erase_slot(0)), err(9));
    assert!(d.flash(0).erases.is_empty());
}

#[test]
fn erase_of_a_pending_slot_is_allowed() {
    let mut d = FakeImage::single().with_image(1, APP_1_2_4_5).mark_test(1);
    assert_eq!(
        Session::new().write(&mut d, 5, &erase_slot(1)),
        bytes(EMPTY)
    );
    let mut d = FakeImage::single()
        .with_image(1, APP_1_2_4_5)
        .mark_permanent(1);
    assert_eq!(
        Session::new().write(&mut d, 5, &erase_slot(1)),
        bytes(EMPTY)
    );
}

#[test]
fn erase_of_the_slot_a_revert_brings_back_is_err_9() {
    let mut d = FakeImage::single()
        .with_image(1, APP_1_2_4_5)
        .mark_swapped_for_test(0);
    assert_eq!(Session::new().write(&mut d, 5, &erase_slot(1)), err(9));
    assert_eq!(d.flash(1).data[..APP_1_2_4_5.len()], *APP_1_2_4_5);
}

#[test]
fn erase_of_a_slot_that_does_not_exist_is_err_14() {
    let mut d = FakeImage::single();
    let mut s = Session::new();
    assert_eq!(s.write(&mut d, 5, &erase_slot(2)), err(14));
    assert_eq!(s.write(&mut d, 5, &erase_slot(256)), err(14));
    d.slots[1] = None;
    assert_eq!(s.write(&mut d, 5, &erase_slot(1)), err(14));
}

#[test]
fn erase_with_a_wrongly_typed_slot_is_rc_3() {
    let mut d = FakeImage::single();
    assert_eq!(
        Session::new().write(&mut d, 5, &bytes(r#"a1 64 "slot" 61 "1""#)),
        rc(3)
    );
}

#[test]
fn erase_failure_is_err_13() {
    let mut d = FakeImage::single().with_image(1, APP_1_2_4_5);
    d.flash(1).fail_erases = true;
    assert_eq!(Session::new().write(&mut d, 5, &bytes("a0")), err(13));
}

#[test]
fn erase_in_a_two_image_device_takes_absolute_slots() {
    let mut d = FakeImage::dual().with_image(3, APP_1_2_4_5);
    let mut s = Session::new();
    assert_eq!(s.write(&mut d, 5, &erase_slot(2)), err(9));
    assert_eq!(s.write(&mut d, 5, &erase_slot(3)), bytes(EMPTY));
    assert_eq!(d.flash(3).data[0], 0xFF);
}

#[test]
fn slot_info_single_image_byte_exact() {
    let mut d = FakeImage::single();
    let r = Session::new().read(&mut d, 6, &[]);
    assert_eq!(
        r,
        bytes(concat!(
            r#"bf 66 "images" 9f bf 65 "image" 00 65 "slots" 9f"#,
            r#" bf 64 "slot" 00 64 "size" 1a 00 01 00 00 ff"#,
            r#" bf 64 "slot" 01 64 "size" 1a 00 01 00 00 6f "upload_image_id" 00 ff"#,
            r#" ff 6e "max_image_size" 19 e0 00 ff ff ff"#
        ))
    );
}

#[test]
fn slot_info_two_images_and_a_missing_slot() {
    let mut d = FakeImage::dual();
    d.slots[3] = None;
    let v = parse(&Session::new().read(&mut d, 6, &[]));
    let images = v.get("images").unwrap().list();
    assert_eq!(images.len(), 2);
    assert_eq!(images[1].get("image"), Some(&Val::U(1)));
    let slots = images[1].get("slots").unwrap().list();
    assert_eq!(slots[0].keys(), ["slot", "size"]);
    assert_eq!(slots[1].get("rc"), Some(&Val::I(-2)));
    assert_eq!(images[1].get("max_image_size"), None);
}

#[test]
fn slot_info_marks_the_upload_slot_when_running_from_slot_1() {
    let mut d = FakeImage::single();
    d.active[0] = 1;
    let v = parse(&Session::new().read(&mut d, 6, &[]));
    let slots = v.get("images").unwrap().list()[0]
        .get("slots")
        .unwrap()
        .list()
        .to_vec();
    assert_eq!(slots[0].get("upload_image_id"), Some(&Val::U(0)));
    assert_eq!(slots[1].get("upload_image_id"), None);
}
