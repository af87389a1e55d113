//! Zephyr basic group (protocol.md §2.7), one behaviour per test.

use crate::groups::zephyr_basic::BasicError;
use crate::testing::bytes;
use crate::testing::{err, rc, Bench, Device, V1_WRITE, V2_READ, V2_WRITE};

#[test]
fn erase_storage_answers_an_empty_map_after_erasing() {
    let mut b = Bench::full();
    assert_eq!(b.ask(V2_WRITE, 63, 0, "a0"), bytes("bf ff"));
    assert_eq!(b.dev.basic.as_ref().unwrap().erases, 1);
}

#[test]
fn erase_storage_ignores_the_payload() {
    let mut b = Bench::full();
    assert_eq!(b.ask(V2_WRITE, 63, 0, "01"), bytes("bf ff"));
}

#[test]
fn erase_storage_closes_an_open_file_transfer() {
    let mut b = Bench::full();
    b.ask(
        V2_WRITE,
        8,
        0,
        r#"a4 63 "off" 00 64 "name" 66 "/lfs/a" 64 "data" 41 00 63 "len" 05"#,
    );
    assert!(b.fs().open.is_some());
    b.ask(V2_WRITE, 63, 0, "a0");
    assert_eq!(b.fs().open, None);
}

#[test]
fn erase_failure_is_reported_under_group_63() {
    let mut b = Bench::full();
    b.dev.basic.as_mut().unwrap().fail = Some(BasicError::FlashEraseFailed);
    assert_eq!(b.ask(V2_WRITE, 63, 0, "a0"), err(63, 4));
}

#[test]
fn erase_failures_in_v1_translate_to_non_zero_rc() {
    for (e, want) in [
        (BasicError::FlashOpenFailed, 5),
        (BasicError::FlashConfigQueryFail, 1),
        (BasicError::FlashEraseFailed, 1),
    ] {
        let mut b = Bench::full();
        b.dev.basic.as_mut().unwrap().fail = Some(e);
        let rsp = b.packet(V1_WRITE, 63, 0, "a0");
        assert_eq!(&rsp[8..], rc(want), "{e:?}");
        assert_eq!(&rsp[..8], bytes("03 00 00 06 00 3f 01 00"), "{e:?}");
    }
}

#[test]
fn without_storage_erase_is_rc_8() {
    let mut b = Bench::new(Device::default());
    assert_eq!(b.ask(V2_WRITE, 63, 0, "a0"), rc(8));
}

#[test]
fn erase_has_no_read() {
    let mut b = Bench::full();
    assert_eq!(b.ask(V2_READ, 63, 0, "a0"), rc(8));
}
