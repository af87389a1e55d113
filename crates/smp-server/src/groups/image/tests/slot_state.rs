//! Image state read and write.

use super::*;
use crate::mcuboot::fixtures::imgtool_digest;
use crate::mcuboot::{read_trailer, Flag, MagicState, SwapType};

fn state(d: &mut FakeImage) -> Val {
    parse(&Session::new().read(d, 0, &[]))
}

/// `(slot, version, [pending, confirmed, active, permanent])` of each entry.
fn summary(v: &Val) -> Vec<(u64, String, [bool; 4])> {
    v.get("images")
        .unwrap()
        .list()
        .iter()
        .map(|e| {
            let b = |k| e.get(k) == Some(&Val::B(true));
            let Some(Val::U(slot)) = e.get("slot") else {
                panic!("slot")
            };
            let Some(Val::S(version)) = e.get("version") else {
                panic!("version")
            };
            (
                *slot,
                version.clone(),
                [b("pending"), b("confirmed"), b("active"), b("permanent")],
            )
        })
        .collect()
}

const ACTIVE_CONFIRMED: [bool; 4] = [false, true, true, false];
const NONE: [bool; 4] = [false; 4];
const PENDING: [bool; 4] = [true, false, false, false];
const PENDING_PERMANENT: [bool; 4] = [true, false, false, true];
const ACTIVE_ONLY: [bool; 4] = [false, false, true, false];
const CONFIRMED: [bool; 4] = [false, true, false, false];

fn test_req(hash: &[u8]) -> Vec<u8> {
    cbor(|e| e.map(1)?.str("hash")?.bytes(hash).map(|_| ()))
}

fn confirm_req(hash: &[u8]) -> Vec<u8> {
    cbor(|e| {
        e.map(2)?
            .str("hash")?
            .bytes(hash)?
            .str("confirm")?
            .bool(true)?;
        Ok(())
    })
}

fn confirm_running() -> Vec<u8> {
    cbor(|e| e.map(1)?.str("confirm")?.bool(true).map(|_| ()))
}

#[test]
fn read_of_a_single_running_image_byte_exact() {
    let mut d = FakeImage::single();
    let hash = hex::encode(imgtool_digest(APP_1_2_3));
    let want = bytes(&format!(
        r#"bf 66 "images" 9f bf 64 "slot" 00 67 "version" 65 "1.2.3" 64 "hash" 58 20 {hash} 68 "bootable" f5 67 "pending" f4 69 "confirmed" f5 66 "active" f5 69 "permanent" f4 ff ff 6b "splitStatus" 00 ff"#
    ));
    assert_eq!(Session::new().read(&mut d, 0, &[]), want);
}

#[test]
fn read_accepts_an_empty_map_and_ignores_unknown_keys() {
    let mut d = FakeImage::single();
    let plain = Session::new().read(&mut d, 0, &[]);
    assert_eq!(Session::new().read(&mut d, 0, &bytes("a0")), plain);
    assert_eq!(
        Session::new().read(&mut d, 0, &bytes(r#"a1 61 "x" 01"#)),
        plain
    );
}

#[test]
fn read_lists_both_slots_in_order_with_the_secondary_unflagged() {
    let mut d = FakeImage::single().with_image(1, APP_1_2_4_5);
    assert_eq!(
        summary(&state(&mut d)),
        [
            (0, "1.2.3".into(), ACTIVE_CONFIRMED),
            (1, "1.2.4.5".into(), NONE)
        ]
    );
}

#[test]
fn read_omits_slots_without_a_valid_image() {
    let mut d = FakeImage::single();
    d.flash(1).program(0, &[0x12; 64]); // bad magic
    assert_eq!(summary(&state(&mut d)).len(), 1);
    let mut corrupt = APP_1_2_4_5.to_vec();
    let n = corrupt.len();
    corrupt[n - 0x97..n - 0x95].copy_from_slice(&[0, 0]); // break the TLV info magic
    let mut d = FakeImage::single().with_image(1, &corrupt);
    assert_eq!(summary(&state(&mut d)).len(), 1);
}

#[test]
fn read_reports_the_sha256_tlv_and_bootable_flag() {
    let mut image = APP_1_2_4_5.to_vec();
    let mut d = FakeImage::single().with_image(1, &image);
    let v = state(&mut d);
    let second = &v.get("images").unwrap().list()[1];
    assert_eq!(
        second.get("hash"),
        Some(&Val::Bytes(imgtool_digest(APP_1_2_4_5).to_vec()))
    );
    assert_eq!(second.get("bootable"), Some(&Val::B(true)));

    image[16] |= 0x10; // IMAGE_F_NON_BOOTABLE (the hash TLV no longer matches; not checked)
    let mut d = FakeImage::single().with_image(1, &image);
    let v = state(&mut d);
    assert_eq!(
        v.get("images").unwrap().list()[1].get("bootable"),
        Some(&Val::B(false))
    );
}

#[test]
fn read_with_two_images_names_the_image_of_each_entry() {
    let mut d = FakeImage::dual().with_image(3, APP_1_2_4_5);
    let v = state(&mut d);
    let entries = v.get("images").unwrap().list();
    let ids: Vec<_> = entries
        .iter()
        .map(|e| (e.get("image").cloned(), e.get("slot").cloned()))
        .collect();
    assert_eq!(
        ids,
        [
            (Some(Val::U(0)), Some(Val::U(0))),
            (Some(Val::U(1)), Some(Val::U(0))),
            (Some(Val::U(1)), Some(Val::U(1))),
        ]
    );
    assert_eq!(
        entries[0].keys(),
        [
            "image",
            "slot",
            "version",
            "hash",
            "bootable",
            "pending",
            "confirmed",
            "active",
            "permanent"
        ]
    );
}

#[test]
fn read_after_test_of_slot_1_shows_it_pending() {
    let mut d = FakeImage::single().with_image(1, APP_1_2_4_5).mark_test(1);
    let s = summary(&state(&mut d));
    assert_eq!((s[0].2, s[1].2), (ACTIVE_CONFIRMED, PENDING));
}

#[test]
fn read_after_confirm_of_slot_1_shows_it_pending_and_permanent() {
    let mut d = FakeImage::single()
        .with_image(1, APP_1_2_4_5)
        .mark_permanent(1);
    let s = summary(&state(&mut d));
    assert_eq!((s[0].2, s[1].2), (ACTIVE_CONFIRMED, PENDING_PERMANENT));
}

#[test]
fn read_running_unconfirmed_test_image_active_only_other_confirmed() {
    let mut d = FakeImage::single()
        .with_image(1, APP_1_2_4_5)
        .mark_swapped_for_test(0);
    let s = summary(&state(&mut d));
    assert_eq!((s[0].2, s[1].2), (ACTIVE_ONLY, CONFIRMED));
}

#[test]
fn read_after_confirming_the_running_image_is_idle_again() {
    let mut d = FakeImage::single()
        .with_image(1, APP_1_2_4_5)
        .mark_confirmed(0);
    let s = summary(&state(&mut d));
    assert_eq!((s[0].2, s[1].2), (ACTIVE_CONFIRMED, NONE));
}

#[test]
fn read_overwrite_only_has_no_revert() {
    let mut d = FakeImage::single()
        .with_image(1, APP_1_2_4_5)
        .mark_swapped_for_test(0);
    d.config.mode = BootMode::OverwriteOnly;
    let s = summary(&state(&mut d));
    assert_eq!((s[0].2, s[1].2), (ACTIVE_CONFIRMED, NONE));
}

#[test]
fn read_direct_xip_marks_a_newer_other_slot_pending_permanent() {
    let mut d = FakeImage::single().with_image(1, APP_1_2_4_5);
    d.config.mode = BootMode::DirectXip;
    let s = summary(&state(&mut d));
    assert_eq!((s[0].2, s[1].2), (ACTIVE_CONFIRMED, PENDING_PERMANENT));

    let mut d = FakeImage::single().with_image(1, APP_1_2_4_5);
    d.flash(0).erase(0, SECTOR).unwrap();
    d.flash(0).program(0, APP_1_3_0); // running is newer
    d.config.mode = BootMode::DirectXip;
    let s = summary(&state(&mut d));
    assert_eq!((s[0].2, s[1].2), (ACTIVE_CONFIRMED, NONE));
}

#[test]
fn read_when_running_from_slot_1_flags_slot_1_active() {
    let mut d = FakeImage::single().with_image(1, APP_1_2_4_5);
    d.active[0] = 1;
    let s = summary(&state(&mut d));
    assert_eq!((s[0].2, s[1].2), (NONE, ACTIVE_CONFIRMED));
}

#[test]
fn read_with_an_impossible_active_slot_is_err_34() {
    let mut d = FakeImage::single();
    d.active[0] = 5;
    assert_eq!(Session::new().read(&mut d, 0, &[]), err(34));
}

#[test]
fn read_too_big_for_the_response_buffer_is_rc_7() {
    let mut b = Bench::new(Device {
        image: Some(FakeImage::single().with_image(1, APP_1_2_4_5)),
        ..Device::default()
    });
    b.tx_size = 100;
    assert_eq!(b.ask_bytes(READ, 1, 0, &[]), rc(7));
}

// ---- state write ----

#[test]
fn test_by_hash_writes_the_trailer_and_answers_with_the_new_state() {
    let mut d = FakeImage::single().with_image(1, APP_1_2_4_5);
    let r = Session::new().write(&mut d, 0, &test_req(&imgtool_digest(APP_1_2_4_5)));
    let s = summary(&parse(&r));
    assert_eq!((s[0].2, s[1].2), (ACTIVE_CONFIRMED, PENDING));
    // §4.4: magic, then swap_info = TEST for image 0; image_ok untouched.
    let tail = &d.flash(1).data[(SLOT_SIZE - 48) as usize..];
    let mut want = bytes("ff ff ff ff ff ff ff ff 02 ff ff ff ff ff ff ff");
    want.extend([0xFF; 16]);
    want.extend(bytes("77 c2 95 f3 60 d2 ef 7f 35 52 50 0f 2c b6 79 80"));
    assert_eq!(tail, want);
}

#[test]
fn confirm_by_hash_makes_the_other_slot_permanent() {
    let mut d = FakeImage::single().with_image(1, APP_1_2_4_5);
    let r = Session::new().write(&mut d, 0, &confirm_req(&imgtool_digest(APP_1_2_4_5)));
    let s = summary(&parse(&r));
    assert_eq!(s[1].2, PENDING_PERMANENT);
    let l = d.layout();
    let t = read_trailer(d.flash(1), &l).unwrap();
    assert_eq!(
        (t.magic, t.image_ok, t.swap_type),
        (MagicState::Good, Flag::Set, SwapType::Perm)
    );
}

#[test]
fn test_of_image_1_writes_its_number_into_swap_info() {
    let mut d = FakeImage::dual().with_image(3, APP_1_2_4_5);
    let r = Session::new().write(&mut d, 0, &test_req(&imgtool_digest(APP_1_2_4_5)));
    assert_eq!(summary(&parse(&r))[2].2, PENDING);
    let off = d.layout().swap_info_off() as usize;
    assert_eq!(d.flash(3).data[off], 0x12);
}

#[test]
fn confirm_without_hash_confirms_the_running_test_image() {
    let mut d = FakeImage::single()
        .with_image(1, APP_1_2_4_5)
        .mark_swapped_for_test(0);
    let r = Session::new().write(&mut d, 0, &confirm_running());
    let s = summary(&parse(&r));
    assert_eq!((s[0].2, s[1].2), (ACTIVE_CONFIRMED, NONE));
    let off = d.layout().image_ok_off() as usize;
    assert_eq!(
        d.flash(0).data[off..off + 8],
        [1, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]
    );
}

#[test]
fn confirm_with_an_empty_hash_is_confirm_running() {
    let mut d = FakeImage::single().mark_swapped_for_test(0);
    let r = Session::new().write(&mut d, 0, &confirm_req(&[]));
    assert_eq!(summary(&parse(&r))[0].2, ACTIVE_CONFIRMED);
}

#[test]
fn confirm_of_the_idle_running_image_writes_nothing() {
    let mut d = FakeImage::single();
    let r = Session::new().write(&mut d, 0, &confirm_running());
    assert_eq!(summary(&parse(&r))[0].2, ACTIVE_CONFIRMED);
    assert!(d.flash(0).writes.is_empty());
}

#[test]
fn confirm_accepts_an_integer_boolean() {
    let mut d = FakeImage::single().mark_swapped_for_test(0);
    let r = Session::new().write(&mut d, 0, &bytes(r#"a1 67 "confirm" 01"#));
    assert_eq!(summary(&parse(&r))[0].2, ACTIVE_CONFIRMED);
}

#[test]
fn no_hash_without_confirm_is_err_24() {
    let mut d = FakeImage::single();
    let mut s = Session::new();
    assert_eq!(s.write(&mut d, 0, &bytes("a0")), err(24));
    assert_eq!(s.write(&mut d, 0, &[]), err(24));
    assert_eq!(s.write(&mut d, 0, &bytes(r#"a1 67 "confirm" f4"#)), err(24));
}

#[test]
fn hash_of_the_wrong_length_is_err_24() {
    let mut d = FakeImage::single().with_image(1, APP_1_2_4_5);
    let h = imgtool_digest(APP_1_2_4_5);
    assert_eq!(
        Session::new().write(&mut d, 0, &test_req(&h[..31])),
        err(24)
    );
    let mut long = h.to_vec();
    long.push(0);
    assert_eq!(Session::new().write(&mut d, 0, &test_req(&long)), err(24));
}

#[test]
fn unknown_hash_is_err_8() {
    let mut d = FakeImage::single().with_image(1, APP_1_2_4_5);
    assert_eq!(Session::new().write(&mut d, 0, &test_req(&[7; 32])), err(8));
}

#[test]
fn wrongly_typed_fields_are_rc_3() {
    let mut d = FakeImage::single();
    let mut s = Session::new();
    assert_eq!(s.write(&mut d, 0, &bytes(r#"a1 64 "hash" 61 "x""#)), rc(3));
    assert_eq!(
        s.write(&mut d, 0, &bytes(r#"a1 67 "confirm" 61 "y""#)),
        rc(3)
    );
}

#[test]
fn test_of_the_active_slot_is_err_33() {
    let mut d = FakeImage::single();
    let r = Session::new().write(&mut d, 0, &test_req(&imgtool_digest(APP_1_2_3)));
    assert_eq!(r, err(33));
}

#[test]
fn repeated_test_of_the_pending_slot_is_a_no_op() {
    let mut d = FakeImage::single().with_image(1, APP_1_2_4_5).mark_test(1);
    d.clear_logs();
    let r = Session::new().write(&mut d, 0, &test_req(&imgtool_digest(APP_1_2_4_5)));
    assert_eq!(summary(&parse(&r))[1].2, PENDING);
    assert!(d.flash(1).writes.is_empty());
}

#[test]
fn while_a_test_is_pending_anything_else_is_err_28() {
    let h = imgtool_digest(APP_1_2_4_5);
    for req in [confirm_req(&h), confirm_running()] {
        let mut d = FakeImage::single().with_image(1, APP_1_2_4_5).mark_test(1);
        assert_eq!(Session::new().write(&mut d, 0, &req), err(28));
    }
}

#[test]
fn confirm_of_the_permanent_slot_again_is_a_no_op() {
    let mut d = FakeImage::single()
        .with_image(1, APP_1_2_4_5)
        .mark_permanent(1);
    d.clear_logs();
    let r = Session::new().write(&mut d, 0, &confirm_req(&imgtool_digest(APP_1_2_4_5)));
    assert_eq!(summary(&parse(&r))[1].2, PENDING_PERMANENT);
    assert!(d.flash(1).writes.is_empty());
}

#[test]
fn with_the_other_slot_permanent_test_it_or_touch_the_active_is_err_28() {
    let h = imgtool_digest(APP_1_2_4_5);
    for req in [test_req(&h), confirm_running()] {
        let mut d = FakeImage::single()
            .with_image(1, APP_1_2_4_5)
            .mark_permanent(1);
        assert_eq!(Session::new().write(&mut d, 0, &req), err(28));
    }
}

#[test]
fn in_revert_confirm_of_the_slot_that_comes_back_is_a_no_op() {
    let mut d = FakeImage::single()
        .with_image(1, APP_1_2_4_5)
        .mark_swapped_for_test(0);
    d.clear_logs();
    let r = Session::new().write(&mut d, 0, &confirm_req(&imgtool_digest(APP_1_2_4_5)));
    let s = summary(&parse(&r));
    assert_eq!((s[0].2, s[1].2), (ACTIVE_ONLY, CONFIRMED));
    assert!(d.flash(1).writes.is_empty() && d.flash(0).writes.is_empty());
}

#[test]
fn in_revert_any_test_is_err_28() {
    let mut d = FakeImage::single()
        .with_image(1, APP_1_2_4_5)
        .mark_swapped_for_test(0);
    let r = Session::new().write(&mut d, 0, &test_req(&imgtool_digest(APP_1_2_4_5)));
    assert_eq!(r, err(28));
}

#[test]
fn confirm_of_the_primary_of_another_image_is_err_32() {
    let mut d = FakeImage::dual();
    let r = Session::new().write(&mut d, 0, &confirm_req(&imgtool_digest(APP_1_3_0)));
    assert_eq!(r, err(32));
}

#[test]
fn confirm_of_the_secondary_of_another_image_is_allowed() {
    let mut d = FakeImage::dual().with_image(3, APP_1_2_4_5);
    let r = Session::new().write(&mut d, 0, &confirm_req(&imgtool_digest(APP_1_2_4_5)));
    assert_eq!(summary(&parse(&r))[2].2, PENDING_PERMANENT);
}

#[test]
fn secondary_with_a_bad_trailer_magic_is_err_23() {
    let mut d = FakeImage::single().with_image(1, APP_1_2_4_5);
    d.flash(1).program(SLOT_SIZE - 16, &[0x55; 16]);
    let r = Session::new().write(&mut d, 0, &test_req(&imgtool_digest(APP_1_2_4_5)));
    assert_eq!(r, err(23));
}

#[test]
fn trailer_write_failure_is_err_12() {
    let mut d = FakeImage::single().with_image(1, APP_1_2_4_5);
    d.flash(1).fail_writes = true;
    let r = Session::new().write(&mut d, 0, &test_req(&imgtool_digest(APP_1_2_4_5)));
    assert_eq!(r, err(12));
}

#[test]
fn v1_already_pending_is_rc_6() {
    let mut d = FakeImage::single().with_image(1, APP_1_2_4_5).mark_test(1);
    let r = Session::new().send(&mut d, V1_WRITE, 0, &confirm_running());
    assert_eq!(r, rc(6));
}

#[test]
fn state_write_is_rc_8_in_direct_xip_ram_load_and_firmware_loader() {
    for mode in [
        BootMode::DirectXip,
        BootMode::DirectXipWithRevert,
        BootMode::RamLoad,
        BootMode::FirmwareLoader,
    ] {
        let mut d = FakeImage::single();
        d.config.mode = mode;
        assert_eq!(Session::new().write(&mut d, 0, &confirm_running()), rc(8));
    }
}
