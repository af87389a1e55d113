//! Behaviour across the groups: the access policy (the `command_received`
//! hook), the registry every group joins, and a group the application adds;
//! one behaviour per test.

use crate::cbor::Response;
use crate::dispatch::Transport;
use crate::dispatch::{Command, Ctx, Group, Request};
use crate::error::Error;
use crate::header::{GroupId, Op};
use crate::platform::Access;
use crate::testing::{bytes, Device};
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

// ---- a group the application adds ----

/// The application's state for its group.
#[derive(Default)]
struct Tally(u64);

crate::group_errors! {
    /// The application group's errors.
    pub enum TallyError for TALLY_ID {
        /// Refused on purpose.
        Refused = 1 => Inval,
    }
}

const TALLY_ID: GroupId = GroupId(77);

fn tally_add(ctx: &mut Ctx<'_>, _: &Request<'_>, rsp: &mut Response<'_>) -> Result<(), Error> {
    let tally = ctx.app::<Tally>()?;
    tally.0 += 1;
    rsp.str("n")?.u64(tally.0)?;
    Ok(())
}

fn tally_refuse(_: &mut Ctx<'_>, _: &Request<'_>, _: &mut Response<'_>) -> Result<(), Error> {
    Err(TallyError::Refused.into())
}

static TALLY: Group = Group {
    id: TALLY_ID,
    name: "tally",
    commands: crate::command_table![0 => Command::write(tally_add), 3 => Command::write(tally_refuse)],
};

static WITH_TALLY: &[&Group] = &[
    &crate::groups::os::GROUP,
    &crate::groups::enumeration::GROUP,
    &TALLY,
];

fn tally_bench() -> Bench {
    Bench::with_groups(
        WITH_TALLY,
        Device {
            app: Some(Box::new(Tally::default())),
            ..Device::default()
        },
    )
}

#[test]
fn an_application_group_is_served_with_its_state() {
    let mut b = tally_bench();
    b.ask(V2_WRITE, 77, 0, "a0");
    assert_eq!(b.ask(V2_WRITE, 77, 0, "a0"), bytes(r#"bf 61 "n" 02 ff"#));
}

#[test]
fn an_application_groups_error_is_err_in_v2_and_translated_in_v1() {
    let mut b = tally_bench();
    assert_eq!(b.ask(V2_WRITE, 77, 3, "a0"), crate::testing::err(77, 1));
    assert_eq!(b.ask(V1_WRITE, 77, 3, "a0"), rc(3));
}

#[test]
fn an_application_group_is_listed_by_enum_with_its_name() {
    let mut b = tally_bench();
    assert_eq!(
        b.ask(V2_READ, 10, 1, "a0"),
        bytes(r#"bf 66 "groups" 9f 00 0a 18 4d ff ff"#)
    );
    b.tx_size = 1024;
    let details = b.ask(V2_READ, 10, 3, r#"a1 66 "groups" 81 18 4d"#);
    assert_eq!(
        details,
        bytes(
            r#"bf 66 "groups" 9f bf 65 "group" 18 4d 64 "name" 65 "tally" 68 "handlers" 04 ff ff ff"#
        )
    );
}

#[test]
fn an_application_group_is_policed_like_a_built_in_one() {
    let mut b = tally_bench();
    b.hooks.policy = Some(|a| a.group != TALLY_ID);
    assert_eq!(b.ask(V2_WRITE, 77, 0, "a0"), rc(11));
    assert_eq!(
        b.dev
            .app
            .as_ref()
            .unwrap()
            .downcast_ref::<Tally>()
            .unwrap()
            .0,
        0
    );
}

#[test]
fn an_application_group_without_its_state_answers_rc_8() {
    let mut b = Bench::with_groups(WITH_TALLY, Device::default());
    assert_eq!(b.ask(V2_WRITE, 77, 0, "a0"), rc(8));
}
