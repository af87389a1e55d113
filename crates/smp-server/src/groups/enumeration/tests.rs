use crate::dispatch::Group;
use crate::groups::{enumeration, os};
use crate::testing::{bytes, Bench, Device, V2_READ};

/// A server with two groups, os and enum, in this order.
static GROUPS: &[&Group] = &[&os::GROUP, &enumeration::GROUP];

fn enum_cmd(id: u8, body: &str) -> Vec<u8> {
    Bench::with_groups(GROUPS, Device::default()).ask(V2_READ, 10, id, body)
}

#[test]
fn count_is_the_number_of_registered_groups() {
    assert_eq!(enum_cmd(0, "a0"), bytes(r#"bf 65 "count" 02 ff"#));
}

#[test]
fn list_is_the_group_ids_in_registration_order() {
    assert_eq!(enum_cmd(1, "a0"), bytes(r#"bf 66 "groups" 9f 00 0a ff ff"#));
}

#[test]
fn single_defaults_to_index_0() {
    assert_eq!(enum_cmd(2, "a0"), bytes(r#"bf 65 "group" 00 ff"#));
}

#[test]
fn single_marks_the_last_group_with_end() {
    assert_eq!(
        enum_cmd(2, r#"a1 65 "index" 01"#),
        bytes(r#"bf 65 "group" 0a 63 "end" f5 ff"#)
    );
}

#[test]
fn single_past_the_end_is_index_too_large() {
    assert_eq!(
        enum_cmd(2, r#"a1 65 "index" 02"#),
        bytes(r#"bf 63 "err" bf 65 "group" 0a 62 "rc" 04 ff ff"#)
    );
}

#[test]
fn single_index_above_65535_is_rc_3() {
    assert_eq!(
        enum_cmd(2, r#"a1 65 "index" 1a 00 01 00 00"#),
        bytes("bf 62 72 63 03 ff")
    );
}

#[test]
fn details_lists_name_and_handler_count_of_every_group() {
    assert_eq!(
        enum_cmd(3, "a0"),
        bytes(concat!(
            r#"bf 66 "groups" 9f"#,
            r#" bf 65 "group" 00 64 "name" 67 "os mgmt" 68 "handlers" 09 ff"#,
            r#" bf 65 "group" 0a 64 "name" 69 "enum mgmt" 68 "handlers" 04 ff"#,
            " ff ff"
        ))
    );
}

#[test]
fn details_filter_keeps_only_the_groups_asked_for() {
    assert_eq!(
        enum_cmd(3, r#"a1 66 "groups" 82 0a 18 3f"#),
        bytes(
            r#"bf 66 "groups" 9f bf 65 "group" 0a 64 "name" 69 "enum mgmt" 68 "handlers" 04 ff ff ff"#
        )
    );
}

#[test]
fn details_filter_of_more_than_16_entries_is_too_many_group_entries() {
    let mut body = String::from(r#"a1 66 "groups" 91"#);
    body.push_str(&" 00".repeat(17));
    assert_eq!(
        enum_cmd(3, &body),
        bytes(r#"bf 63 "err" bf 65 "group" 0a 62 "rc" 02 ff ff"#)
    );
}

#[test]
fn details_filter_of_non_integers_is_rc_3() {
    assert_eq!(
        enum_cmd(3, r#"a1 66 "groups" 81 61 "x""#),
        bytes("bf 62 72 63 03 ff")
    );
}
