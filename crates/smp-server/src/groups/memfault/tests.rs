//! Memfault group (protocol.md §2.8), one behaviour per test.

use crate::dispatch::Transport;
use crate::groups::memfault::DeviceInfo;
use crate::testing::bytes;
use crate::testing::{err, rc, Bench, Device, V1_READ, V2_READ, V2_WRITE};

#[test]
fn project_key_matches_the_memfault_sdk_wire_example() {
    // MF scripts/memfault_group.py: 09 00 00 18 00 80 01 01 | BF 6B "project_key" 69 "dummy-key" FF
    let mut b = Bench::full();
    let rsp = b.raw(&bytes("08 00 00 01 00 80 01 01 a0"));
    assert_eq!(
        rsp,
        [bytes(
            r#"09 00 00 18 00 80 01 01 bf 6b "project_key" 69 "dummy-key" ff"#
        )]
    );
}

#[test]
fn device_info_reports_the_four_fields() {
    let mut b = Bench::full();
    assert_eq!(
        b.ask(V2_READ, 128, 0, "a0"),
        bytes(concat!(
            r#"bf 6d "device_serial" 63 "SN1" 70 "hardware_version" 63 "evt""#,
            r#" 6d "software_type" 63 "app" 6f "current_version" 65 "1.2.3" ff"#
        ))
    );
}

#[test]
fn device_info_sends_missing_fields_as_empty_strings() {
    let mut b = Bench::full();
    b.dev.memfault.as_mut().unwrap().info = DeviceInfo::default();
    assert_eq!(
        b.ask(V2_READ, 128, 0, ""),
        bytes(concat!(
            r#"bf 6d "device_serial" 60 70 "hardware_version" 60"#,
            r#" 6d "software_type" 60 6f "current_version" 60 ff"#
        ))
    );
}

#[test]
fn device_info_ignores_the_payload() {
    let mut b = Bench::full();
    assert_eq!(b.ask(V2_READ, 128, 0, "01")[0], 0xBF);
}

#[test]
fn no_project_key_is_err_128_2() {
    let mut b = Bench::full();
    b.dev.memfault.as_mut().unwrap().key = None;
    assert_eq!(b.ask(V2_READ, 128, 1, "a0"), err(128, 2));
}

#[test]
fn empty_project_key_is_no_project_key() {
    let mut b = Bench::full();
    b.dev.memfault.as_mut().unwrap().key = Some("");
    assert_eq!(b.ask(V2_READ, 128, 1, "a0"), err(128, 2));
}

#[test]
fn no_project_key_in_v1_is_rc_5() {
    let mut b = Bench::full();
    b.dev.memfault.as_mut().unwrap().key = None;
    assert_eq!(b.ask(V1_READ, 128, 1, "a0"), rc(5));
}

#[test]
fn refused_access_callback_is_rc_11_for_both_commands() {
    let mut b = Bench::full();
    b.dev.memfault.as_mut().unwrap().allow = false;
    assert_eq!(b.ask(V2_READ, 128, 0, "a0"), rc(11));
    assert_eq!(b.ask(V2_READ, 128, 1, "a0"), rc(11));
}

#[test]
fn access_callback_sees_the_transport() {
    let mut b = Bench::full();
    b.transport = Transport::Serial;
    b.ask(V2_READ, 128, 0, "a0");
    assert_eq!(
        b.dev.memfault.as_ref().unwrap().asked_on,
        Some(Transport::Serial)
    );
}

#[test]
fn without_memfault_both_commands_are_rc_8() {
    let mut b = Bench::new(Device::default());
    assert_eq!(b.ask(V2_READ, 128, 0, "a0"), rc(8));
    assert_eq!(b.ask(V2_READ, 128, 1, "a0"), rc(8));
}

#[test]
fn memfault_commands_are_read_only() {
    let mut b = Bench::full();
    assert_eq!(b.ask(V2_WRITE, 128, 0, "a0"), rc(8));
}
