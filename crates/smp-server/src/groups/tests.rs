//! Behaviour across the groups: the access policy hook (`Platform::allow`) and
//! the registry every group joins, one behaviour per test.

use crate::dispatch::Transport;
use crate::header::{GroupId, Op};
use crate::platform::Access;
use crate::testing::bytes;
use crate::testing::{rc, Bench, V1_WRITE, V2_READ, V2_WRITE};

/// Every write refused except os echo (the virtual device's `--read-only`).
fn read_only(access: &Access) -> bool {
    access.op != Op::Write || (access.group == GroupId::OS && access.id == 0)
}

fn read_only_bench() -> Bench {
    let mut b = Bench::full();
    b.hooks.policy = Some(read_only);
    b
}

#[test]
fn everything_is_allowed_by_default() {
    let mut b = Bench::full();
    assert_eq!(
        b.ask(V2_WRITE, 3, 0, r#"a2 64 "name" 61 "k" 63 "val" 41 01"#),
        bytes("bf ff")
    );
}

#[test]
fn a_denied_request_is_rc_11() {
    let mut b = read_only_bench();
    assert_eq!(
        b.ask(V2_WRITE, 3, 0, r#"a2 64 "name" 61 "k" 63 "val" 41 01"#),
        rc(11)
    );
    assert!(b.settings().running.is_empty());
}

#[test]
fn a_denied_v1_request_is_rc_11() {
    let mut b = read_only_bench();
    assert_eq!(b.ask(V1_WRITE, 3, 2, "a0"), rc(11));
}

#[test]
fn a_denied_reset_does_not_reset() {
    let mut b = read_only_bench();
    assert_eq!(b.ask(V2_WRITE, 0, 5, "a0"), rc(11));
    assert_eq!(b.dev.base.reset_asked, None);
}

#[test]
fn the_policy_may_allow_some_writes() {
    let mut b = read_only_bench();
    assert_eq!(
        b.ask(V2_WRITE, 0, 0, r#"a1 61 "d" 62 "hi""#),
        bytes(r#"bf 61 "r" 62 "hi" ff"#)
    );
}

#[test]
fn reads_pass_a_read_only_policy() {
    let mut b = read_only_bench();
    assert_eq!(b.ask(V2_READ, 0, 6, "a0")[0], 0xBF);
    assert_ne!(b.ask(V2_READ, 2, 1, "a0"), rc(11));
}

#[test]
fn the_policy_sees_transport_group_command_and_op() {
    let mut b = Bench::full();
    b.transport = Transport::Serial;
    b.ask(V2_READ, 8, 3, "a0");
    assert_eq!(
        b.hooks.asked,
        [Access {
            transport: Transport::Serial,
            group: GroupId::FS,
            id: 3,
            op: Op::Read,
        }]
    );
}

#[test]
fn commands_that_do_not_exist_are_rc_8_without_asking_the_policy() {
    let mut b = read_only_bench();
    assert_eq!(b.ask(V2_WRITE, 2, 0, "a0"), rc(8));
    assert_eq!(b.ask(V2_READ, 99, 0, "a0"), rc(8));
    assert!(b.hooks.asked.is_empty());
}

#[test]
fn enum_details_name_every_group_with_its_handler_count() {
    let mut b = Bench::full();
    let mut want = bytes(r#"bf 66 "groups" 9f"#);
    for (group, name, handlers) in [
        ("00", "os mgmt", "09"),
        ("01", "img mgmt", "07"),
        ("0a", "enum mgmt", "04"),
        ("02", "stat mgmt", "02"),
        ("03", "settings mgmt", "04"),
        ("08", "fs mgmt", "05"),
        ("09", "shell mgmt", "01"),
        ("18 3f", "zephyr basic mgmt", "01"),
        ("18 80", "memfault mgmt", "02"),
    ] {
        want.extend(bytes(&format!(
            r#"bf 65 "group" {group} 64 "name" {:02x} "{name}" 68 "handlers" {handlers} ff"#,
            0x60 + name.len()
        )));
    }
    want.extend([0xFF, 0xFF]);
    b.tx_size = 1024;
    assert_eq!(b.ask(V2_READ, 10, 3, "a0"), want);
}
