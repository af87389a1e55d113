//! Settings group (protocol.md §2.3), one behaviour per test.

use crate::groups::settings::SettingsFailure;
use crate::testing::bytes;
use crate::testing::{err, rc, Bench, Device, V1_READ, V1_WRITE, V2_READ, V2_WRITE};

const WRITE_X: &str = r#"a2 64 "name" 65 "app/x" 63 "val" 42 01 02"#;
const READ_X: &str = r#"a1 64 "name" 65 "app/x""#;

fn with_value(name: &str, value: &[u8]) -> Bench {
    let mut b = Bench::full();
    b.settings().running.insert(name.into(), value.into());
    b
}

#[test]
fn write_answers_an_empty_map_and_sets_the_running_value() {
    let mut b = Bench::full();
    assert_eq!(b.ask(V2_WRITE, 3, 0, WRITE_X), bytes("bf ff"));
    assert_eq!(b.settings().running["app/x"], [1, 2]);
}

#[test]
fn write_does_not_save() {
    let mut b = Bench::full();
    b.ask(V2_WRITE, 3, 0, WRITE_X);
    assert!(b.settings().stored.is_empty());
}

#[test]
fn read_returns_the_value_as_a_byte_string() {
    let mut b = Bench::full();
    b.ask(V2_WRITE, 3, 0, WRITE_X);
    assert_eq!(
        b.ask(V2_READ, 3, 0, READ_X),
        bytes(r#"bf 63 "val" 42 01 02 ff"#)
    );
}

#[test]
fn read_of_an_empty_value_is_an_empty_byte_string() {
    let mut b = with_value("app/x", &[]);
    assert_eq!(b.ask(V2_READ, 3, 0, READ_X), bytes(r#"bf 63 "val" 40 ff"#));
}

#[test]
fn read_of_a_missing_key_is_key_not_found() {
    let mut b = Bench::full();
    assert_eq!(b.ask(V2_READ, 3, 0, READ_X), err(3, 3));
}

#[test]
fn read_of_a_missing_key_in_v1_is_rc_5() {
    let mut b = Bench::full();
    assert_eq!(b.ask(V1_READ, 3, 0, READ_X), rc(5));
}

#[test]
fn read_under_a_root_without_handler_is_root_key_not_found() {
    let mut b = Bench::full();
    b.settings().roots = vec!["bt"];
    assert_eq!(b.ask(V2_READ, 3, 0, READ_X), err(3, 5));
    assert_eq!(b.ask(V1_READ, 3, 0, READ_X), rc(1));
}

#[test]
fn read_with_a_smaller_max_size_returns_the_first_bytes() {
    let mut b = with_value("app/x", b"hello");
    assert_eq!(
        b.ask(V2_READ, 3, 0, r#"a2 64 "name" 65 "app/x" 68 "max_size" 02"#),
        bytes(r#"bf 63 "val" 42 "he" ff"#)
    );
}

#[test]
fn read_with_max_size_above_the_limit_is_clamped_and_says_so() {
    let mut b = with_value("app/x", b"hello");
    assert_eq!(
        b.ask(
            V2_READ,
            3,
            0,
            r#"a2 64 "name" 65 "app/x" 68 "max_size" 18 64"#
        ),
        bytes(r#"bf 63 "val" 45 "hello" 68 "max_size" 18 20 ff"#)
    );
}

#[test]
fn read_of_a_value_at_the_limit_returns_it_whole() {
    let mut b = with_value("app/x", &[0xAB; 32]);
    let mut want = bytes(r#"bf 63 "val" 58 20"#);
    want.extend([0xAB; 32]);
    want.push(0xFF);
    assert_eq!(b.ask(V2_READ, 3, 0, READ_X), want);
}

#[test]
fn read_of_a_value_too_big_for_the_response_buffer_is_rc_7() {
    let mut b = with_value("app/x", &[7; 200]);
    b.settings().value_len = Some(256);
    b.tx_size = 64;
    assert_eq!(b.ask(V2_READ, 3, 0, READ_X), rc(7));
}

#[test]
fn missing_or_empty_name_is_rc_3() {
    let mut b = Bench::full();
    for (op, id, body) in [
        (V2_READ, 0, "a0"),
        (V2_READ, 0, r#"a1 64 "name" 60"#),
        (V2_WRITE, 0, r#"a1 63 "val" 41 00"#),
        (V2_WRITE, 0, r#"a2 64 "name" 60 63 "val" 41 00"#),
        (V2_WRITE, 1, "a0"),
        (V2_WRITE, 3, r#"a1 64 "name" 60"#),
    ] {
        assert_eq!(b.ask(op, 3, id, body), rc(3), "{op} {id} {body}");
    }
}

#[test]
fn name_of_31_bytes_is_accepted() {
    let mut b = Bench::full();
    let name = "k".repeat(31);
    let body = format!(r#"a2 64 "name" 78 1f "{name}" 63 "val" 41 01"#);
    assert_eq!(b.ask(V2_WRITE, 3, 0, &body), bytes("bf ff"));
    assert_eq!(b.settings().running[&name], [1]);
}

#[test]
fn name_of_32_bytes_is_key_too_long() {
    let mut b = Bench::full();
    let name = "k".repeat(32);
    let write = format!(r#"a2 64 "name" 78 20 "{name}" 63 "val" 41 01"#);
    assert_eq!(b.ask(V2_WRITE, 3, 0, &write), err(3, 2));
    let read = format!(r#"a1 64 "name" 78 20 "{name}""#);
    assert_eq!(b.ask(V2_READ, 3, 0, &read), err(3, 2));
    assert_eq!(b.ask(V2_WRITE, 3, 1, &read), err(3, 2));
    assert_eq!(b.ask(V2_WRITE, 3, 3, &read), err(3, 2));
    assert!(b.settings().running.is_empty());
}

#[test]
fn key_too_long_in_v1_is_rc_3() {
    let mut b = Bench::full();
    let body = format!(r#"a1 64 "name" 78 20 "{}""#, "k".repeat(32));
    assert_eq!(b.ask(V1_READ, 3, 0, &body), rc(3));
}

#[test]
fn write_without_val_or_with_val_not_a_byte_string_is_rc_3() {
    let mut b = Bench::full();
    for body in [
        r#"a1 64 "name" 65 "app/x""#,
        r#"a2 64 "name" 65 "app/x" 63 "val" 61 "a""#,
    ] {
        assert_eq!(b.ask(V2_WRITE, 3, 0, body), rc(3), "{body}");
    }
}

#[test]
fn write_of_a_value_at_the_limit_is_stored() {
    let mut b = Bench::full();
    let mut body = bytes(r#"a2 64 "name" 65 "app/x" 63 "val" 58 20"#);
    body.extend([9; 32]);
    assert_eq!(b.ask_bytes(V2_WRITE, 3, 0, &body), bytes("bf ff"));
}

#[test]
fn write_of_a_value_over_the_limit_is_rc_3_and_stores_nothing() {
    let mut b = Bench::full();
    let mut body = bytes(r#"a2 64 "name" 65 "app/x" 63 "val" 58 21"#);
    body.extend([9; 33]);
    assert_eq!(b.ask_bytes(V2_WRITE, 3, 0, &body), rc(3));
    assert!(b.settings().running.is_empty());
}

#[test]
fn delete_removes_the_key_from_storage() {
    let mut b = with_value("app/x", b"1");
    b.settings().stored.insert("app/x".into(), b"1".to_vec());
    assert_eq!(b.ask(V2_WRITE, 3, 1, READ_X), bytes("bf ff"));
    assert!(b.settings().stored.is_empty());
}

#[test]
fn delete_of_a_missing_key_is_key_not_found() {
    let mut b = Bench::full();
    assert_eq!(b.ask(V2_WRITE, 3, 1, READ_X), err(3, 3));
}

#[test]
fn commit_answers_an_empty_map_and_applies() {
    let mut b = Bench::full();
    assert_eq!(b.ask(V2_WRITE, 3, 2, ""), bytes("bf ff"));
    assert_eq!(b.settings().commits, 1);
}

#[test]
fn load_reads_storage_into_the_running_values() {
    let mut b = Bench::full();
    b.settings().stored.insert("app/x".into(), b"s".to_vec());
    assert_eq!(b.ask(V2_READ, 3, 3, "a0"), bytes("bf ff"));
    assert_eq!(
        b.ask(V2_READ, 3, 0, READ_X),
        bytes(r#"bf 63 "val" 41 "s" ff"#)
    );
}

#[test]
fn save_without_name_saves_every_running_value() {
    let mut b = with_value("app/x", b"1");
    b.settings().running.insert("net/y".into(), b"2".to_vec());
    assert_eq!(b.ask(V2_WRITE, 3, 3, "a0"), bytes("bf ff"));
    assert_eq!(b.settings().stored.len(), 2);
}

#[test]
fn save_with_name_saves_only_that_subtree() {
    let mut b = with_value("app/x", b"1");
    b.settings().running.insert("apple".into(), b"2".to_vec());
    b.settings().running.insert("net/y".into(), b"3".to_vec());
    assert_eq!(
        b.ask(V2_WRITE, 3, 3, r#"a1 64 "name" 63 "app""#),
        bytes("bf ff")
    );
    let stored: Vec<String> = b.settings().stored.keys().cloned().collect();
    assert_eq!(stored, ["app/x"]);
}

#[test]
fn save_not_supported_is_save_not_supported() {
    let mut b = Bench::full();
    b.settings().fail = Some(SettingsFailure::NotSupported);
    assert_eq!(b.ask(V2_WRITE, 3, 3, "a0"), err(3, 8));
    assert_eq!(b.ask(V1_WRITE, 3, 3, "a0"), rc(1));
}

#[test]
fn failing_storage_is_reported_by_commit_load_and_save() {
    let mut b = Bench::full();
    b.settings().fail = Some(SettingsFailure::Failed);
    assert_eq!(b.ask(V2_WRITE, 3, 2, "a0"), err(3, 1));
    assert_eq!(b.ask(V2_READ, 3, 3, "a0"), err(3, 1));
    assert_eq!(b.ask(V2_WRITE, 3, 3, "a0"), err(3, 1));
}

#[test]
fn not_supported_is_the_code_of_each_command() {
    let mut b = Bench::full();
    b.settings().fail = Some(SettingsFailure::NotSupported);
    assert_eq!(b.ask(V2_READ, 3, 0, READ_X), err(3, 4));
    assert_eq!(b.ask(V2_WRITE, 3, 0, WRITE_X), err(3, 6));
    assert_eq!(b.ask(V2_WRITE, 3, 1, READ_X), err(3, 7));
}

#[test]
fn commit_sent_as_command_0_without_name_is_rc_3() {
    // vouch mcumgr-client sends commit/load/save with id 0 (protocol.md §2.3)
    let mut b = Bench::full();
    assert_eq!(b.ask(V2_WRITE, 3, 0, "a0"), rc(3));
}

#[test]
fn without_a_settings_platform_every_command_is_rc_8() {
    let mut b = Bench::new(Device::default());
    assert_eq!(b.ask(V2_READ, 3, 0, READ_X), rc(8));
    assert_eq!(b.ask(V2_WRITE, 3, 2, "a0"), rc(8));
}

#[test]
fn delete_and_commit_have_no_read() {
    let mut b = Bench::full();
    assert_eq!(b.ask(V2_READ, 3, 1, READ_X), rc(8));
    assert_eq!(b.ask(V2_READ, 3, 2, "a0"), rc(8));
}
