//! File system group (protocol.md §2.4), one behaviour per test.

use crate::dispatch::Transport;
use crate::groups::fs::{path_is_valid, IDLE_CLOSE_MS};
use crate::testing::bytes;
use crate::testing::{err, rc, Bench, Device, V1_READ, V1_WRITE, V2_READ, V2_WRITE};

fn with_file(path: &str, content: &[u8]) -> Bench {
    let mut b = Bench::full();
    b.fs().files.insert(path.into(), content.into());
    b
}

/// `{"off": off, "name": name}` as CBOR.
fn download_req(off: u64, name: &str) -> Vec<u8> {
    let mut out = bytes(r#"a2 63 "off""#);
    cbor_uint(&mut out, 0, off);
    out.extend(bytes(r#"64 "name""#));
    cbor_uint(&mut out, 3, name.len() as u64);
    out.extend(name.as_bytes());
    out
}

/// `{"off", "name", "data", ["len"]}` as CBOR.
fn upload_req(off: u64, name: &str, data: &[u8], len: Option<u64>) -> Vec<u8> {
    let mut out = vec![if len.is_some() { 0xA4 } else { 0xA3 }];
    out.extend(bytes(r#"63 "off""#));
    cbor_uint(&mut out, 0, off);
    out.extend(bytes(r#"64 "name""#));
    cbor_uint(&mut out, 3, name.len() as u64);
    out.extend(name.as_bytes());
    out.extend(bytes(r#"64 "data""#));
    cbor_uint(&mut out, 2, data.len() as u64);
    out.extend(data);
    if let Some(len) = len {
        out.extend(bytes(r#"63 "len""#));
        cbor_uint(&mut out, 0, len);
    }
    out
}

fn cbor_uint(out: &mut Vec<u8>, major: u8, n: u64) {
    let m = major << 5;
    match n {
        0..=23 => out.push(m | n as u8),
        24..=0xFF => out.extend([m | 24, n as u8]),
        0x100..=0xFFFF => {
            out.push(m | 25);
            out.extend((n as u16).to_be_bytes());
        }
        _ => {
            out.push(m | 26);
            out.extend((n as u32).to_be_bytes());
        }
    }
}

fn name_req(name: &str) -> Vec<u8> {
    let mut out = bytes(r#"a1 64 "name""#);
    cbor_uint(&mut out, 3, name.len() as u64);
    out.extend(name.as_bytes());
    out
}

// ---- download ----

#[test]
fn download_at_offset_0_carries_the_file_length() {
    let mut b = with_file("/lfs/a", b"hello");
    assert_eq!(
        b.ask_bytes(V2_READ, 8, 0, &download_req(0, "/lfs/a")),
        bytes(r#"bf 63 "off" 00 64 "data" 45 "hello" 63 "len" 05 ff"#)
    );
}

#[test]
fn download_at_a_later_offset_has_no_length() {
    let mut b = with_file("/lfs/a", b"hello world");
    assert_eq!(
        b.ask_bytes(V2_READ, 8, 0, &download_req(5, "/lfs/a")),
        bytes(r#"bf 63 "off" 05 64 "data" 46 " world" ff"#)
    );
}

#[test]
fn download_chunk_fills_the_response_buffer_exactly() {
    let content: Vec<u8> = (0..1000u32).map(|i| i as u8).collect();
    let mut b = with_file("/lfs/big", &content);
    let rsp = b.packet_bytes(V2_READ, 8, 0, &download_req(0, "/lfs/big"));
    assert_eq!(rsp.len(), 384);
    // bf 63 "off" 00 64 "data" 59 01 62 <354 bytes> 63 "len" 19 03 e8 ff
    assert_eq!(
        &rsp[8..22],
        &bytes(r#"bf 63 "off" 00 64 "data" 59 01 62"#)[..]
    );
    assert_eq!(&rsp[22..376], &content[..354]);
    assert_eq!(&rsp[376..], &bytes(r#"63 "len" 19 03 e8 ff"#)[..]);
}

#[test]
fn download_chunk_follows_a_smaller_buffer() {
    let mut b = with_file("/lfs/big", &[5; 1000]);
    b.tx_size = 100;
    let rsp = b.packet_bytes(V2_READ, 8, 0, &download_req(0, "/lfs/big"));
    assert_eq!(rsp.len(), 100);
}

#[test]
fn download_in_chunks_returns_the_whole_file_and_closes_at_the_end() {
    let content: Vec<u8> = (0..1000u32).map(|i| (i * 7) as u8).collect();
    let mut b = with_file("/lfs/big", &content);
    let mut got: Vec<u8> = Vec::new();
    while got.len() < content.len() {
        let rsp = b.ask_bytes(V2_READ, 8, 0, &download_req(got.len() as u64, "/lfs/big"));
        let mut d = minicbor::Decoder::new(&rsp);
        d.map().unwrap();
        assert_eq!(d.str().unwrap(), "off");
        assert_eq!(d.u64().unwrap(), got.len() as u64);
        assert_eq!(d.str().unwrap(), "data");
        got.extend(d.bytes().unwrap());
    }
    assert_eq!(got, content);
    assert_eq!(b.fs().open, None);
}

#[test]
fn download_past_the_end_returns_empty_data() {
    let mut b = with_file("/lfs/a", b"hello");
    assert_eq!(
        b.ask_bytes(V2_READ, 8, 0, &download_req(9, "/lfs/a")),
        bytes(r#"bf 63 "off" 09 64 "data" 40 ff"#)
    );
}

#[test]
fn download_of_an_empty_file_is_complete_at_once() {
    let mut b = with_file("/lfs/e", b"");
    assert_eq!(
        b.ask_bytes(V2_READ, 8, 0, &download_req(0, "/lfs/e")),
        bytes(r#"bf 63 "off" 00 64 "data" 40 63 "len" 00 ff"#)
    );
    assert_eq!(b.fs().open, None);
}

#[test]
fn download_of_a_missing_file_is_file_not_found() {
    let mut b = Bench::full();
    assert_eq!(
        b.ask_bytes(V2_READ, 8, 0, &download_req(0, "/lfs/none")),
        err(8, 3)
    );
}

#[test]
fn download_of_a_missing_file_in_v1_is_rc_5() {
    let mut b = Bench::full();
    assert_eq!(
        b.ask_bytes(V1_READ, 8, 0, &download_req(0, "/lfs/none")),
        rc(5)
    );
}

#[test]
fn download_of_a_directory_is_file_is_directory() {
    let mut b = Bench::full();
    assert_eq!(
        b.ask_bytes(V2_READ, 8, 0, &download_req(0, "/lfs/dir")),
        err(8, 4)
    );
}

#[test]
fn download_outside_every_mount_point_is_file_not_found() {
    let mut b = Bench::full();
    assert_eq!(
        b.ask_bytes(V2_READ, 8, 0, &download_req(0, "/etc/passwd")),
        err(8, 3)
    );
}

#[test]
fn download_through_a_link_out_of_the_mount_point_is_file_invalid_name() {
    let mut b = Bench::full();
    b.fs().escapes.insert("/lfs/link".into());
    assert_eq!(
        b.ask_bytes(V2_READ, 8, 0, &download_req(0, "/lfs/link")),
        err(8, 2)
    );
}

#[test]
fn download_without_off_or_name_is_rc_3() {
    let mut b = with_file("/lfs/a", b"hello");
    assert_eq!(b.ask(V2_READ, 8, 0, r#"a1 64 "name" 66 "/lfs/a""#), rc(3));
    assert_eq!(b.ask(V2_READ, 8, 0, r#"a1 63 "off" 00"#), rc(3));
    assert_eq!(b.ask(V2_READ, 8, 0, ""), rc(3));
}

#[test]
fn download_read_failure_is_file_read_failed_and_closes_the_transfer() {
    let mut b = with_file("/lfs/a", b"hello");
    b.fs().fail_reads = true;
    assert_eq!(
        b.ask_bytes(V2_READ, 8, 0, &download_req(0, "/lfs/a")),
        err(8, 7)
    );
    assert_eq!(b.fs().open, None);
}

// ---- names ----

#[test]
fn names_of_64_bytes_are_looked_up_and_of_65_are_rc_3() {
    let mut b = Bench::full();
    let name64 = format!("/lfs/{}", "n".repeat(59));
    assert_eq!(b.ask_bytes(V2_READ, 8, 1, &name_req(&name64)), err(8, 3));
    let name65 = format!("/lfs/{}", "n".repeat(60));
    assert_eq!(b.ask_bytes(V2_READ, 8, 1, &name_req(&name65)), rc(3));
    assert_eq!(
        b.ask_bytes(V2_WRITE, 8, 0, &upload_req(0, &name65, b"x", Some(1))),
        rc(3)
    );
    assert!(!b.fs().files.contains_key(&name65));
}

#[test]
fn hostile_names_are_file_invalid_name_and_touch_nothing() {
    for name in [
        "lfs/a",
        "/lfs/../etc/passwd",
        "/lfs/dir/../../x",
        "/lfs/./a",
        "/lfs//a",
        "/lfs/a/",
        "/lfs/a\0b",
        "/..",
        "/",
    ] {
        let mut b = Bench::full();
        assert_eq!(
            b.ask_bytes(V2_WRITE, 8, 0, &upload_req(0, name, b"x", Some(1))),
            err(8, 2),
            "upload {name:?}"
        );
        assert_eq!(
            b.ask_bytes(V2_READ, 8, 0, &download_req(0, name)),
            err(8, 2),
            "download {name:?}"
        );
        assert_eq!(
            b.ask_bytes(V2_READ, 8, 1, &name_req(name)),
            err(8, 2),
            "status {name:?}"
        );
        assert!(b.fs().files.is_empty(), "{name:?}");
        assert_eq!(b.fs().open, None);
    }
}

#[test]
fn path_rules_accept_plain_absolute_paths() {
    for ok in [
        "/lfs",
        "/lfs/a",
        "/lfs/dir/a.b",
        "/lfs/..a",
        "/lfs/a..",
        "/lfs/a b",
    ] {
        assert!(path_is_valid(ok), "{ok}");
    }
}

// ---- upload ----

#[test]
fn upload_first_chunk_answers_the_next_offset() {
    let mut b = Bench::full();
    assert_eq!(
        b.ask_bytes(V2_WRITE, 8, 0, &upload_req(0, "/lfs/new", b"abc", Some(6))),
        bytes(r#"bf 63 "off" 03 ff"#)
    );
    assert_eq!(b.fs().files["/lfs/new"], b"abc");
}

#[test]
fn upload_completes_and_closes_when_len_is_reached() {
    let mut b = Bench::full();
    b.ask_bytes(V2_WRITE, 8, 0, &upload_req(0, "/lfs/new", b"abc", Some(6)));
    assert!(b.fs().open.is_some());
    assert_eq!(
        b.ask_bytes(V2_WRITE, 8, 0, &upload_req(3, "/lfs/new", b"def", None)),
        bytes(r#"bf 63 "off" 06 ff"#)
    );
    assert_eq!(b.fs().files["/lfs/new"], b"abcdef");
    assert_eq!(b.fs().open, None);
}

#[test]
fn upload_at_offset_0_without_len_is_rc_3() {
    let mut b = Bench::full();
    assert_eq!(
        b.ask_bytes(V2_WRITE, 8, 0, &upload_req(0, "/lfs/new", b"abc", None)),
        rc(3)
    );
    assert!(b.fs().files.is_empty());
}

#[test]
fn upload_without_off_is_rc_3() {
    let mut b = Bench::full();
    assert_eq!(
        b.ask(
            V2_WRITE,
            8,
            0,
            r#"a2 64 "name" 68 "/lfs/new" 64 "data" 41 00"#
        ),
        rc(3)
    );
}

#[test]
fn upload_offset_mismatch_is_file_offset_not_valid_with_the_expected_len() {
    let mut b = Bench::full();
    b.ask_bytes(V2_WRITE, 8, 0, &upload_req(0, "/lfs/new", b"abc", Some(9)));
    assert_eq!(
        b.ask_bytes(V2_WRITE, 8, 0, &upload_req(5, "/lfs/new", b"fgh", None)),
        bytes(r#"bf 63 "err" bf 65 "group" 08 62 "rc" 0b ff 63 "len" 03 ff"#)
    );
    assert_eq!(b.fs().open, None);
    assert_eq!(b.fs().files["/lfs/new"], b"abc");
}

#[test]
fn upload_offset_mismatch_in_v1_is_rc_1_alone() {
    let mut b = Bench::full();
    b.ask_bytes(V1_WRITE, 8, 0, &upload_req(0, "/lfs/new", b"abc", Some(9)));
    assert_eq!(
        b.ask_bytes(V1_WRITE, 8, 0, &upload_req(5, "/lfs/new", b"fgh", None)),
        rc(1)
    );
}

#[test]
fn upload_resumed_without_open_transfer_continues_at_the_file_size() {
    let mut b = with_file("/lfs/part", b"abcd");
    assert_eq!(
        b.ask_bytes(V2_WRITE, 8, 0, &upload_req(4, "/lfs/part", b"ef", None)),
        bytes(r#"bf 63 "off" 06 ff"#)
    );
    assert_eq!(b.fs().files["/lfs/part"], b"abcdef");
}

#[test]
fn upload_resumed_at_the_wrong_offset_reports_the_file_size() {
    let mut b = with_file("/lfs/part", b"abcd");
    assert_eq!(
        b.ask_bytes(V2_WRITE, 8, 0, &upload_req(2, "/lfs/part", b"ef", None)),
        bytes(r#"bf 63 "err" bf 65 "group" 08 62 "rc" 0b ff 63 "len" 04 ff"#)
    );
}

#[test]
fn upload_at_offset_0_replaces_an_existing_file() {
    let mut b = with_file("/lfs/a", b"old content");
    b.ask_bytes(V2_WRITE, 8, 0, &upload_req(0, "/lfs/a", b"new", Some(3)));
    assert_eq!(b.fs().files["/lfs/a"], b"new");
}

#[test]
fn upload_at_offset_0_without_data_only_opens() {
    let mut b = with_file("/lfs/a", b"old");
    assert_eq!(
        b.ask_bytes(V2_WRITE, 8, 0, &upload_req(0, "/lfs/a", b"", Some(2))),
        bytes(r#"bf 63 "off" 00 ff"#)
    );
    assert_eq!(b.fs().files["/lfs/a"], b"old");
    b.ask_bytes(V2_WRITE, 8, 0, &upload_req(0, "/lfs/a", b"xy", Some(2)));
    assert_eq!(b.fs().files["/lfs/a"], b"xy");
}

#[test]
fn upload_of_len_0_leaves_an_empty_file() {
    let mut b = with_file("/lfs/a", b"old");
    assert_eq!(
        b.ask_bytes(V2_WRITE, 8, 0, &upload_req(0, "/lfs/a", b"", Some(0))),
        bytes(r#"bf 63 "off" 00 ff"#)
    );
    assert_eq!(b.fs().files["/lfs/a"], b"");
    assert_eq!(b.fs().open, None);
}

#[test]
fn upload_outside_every_mount_point_is_mount_point_not_found() {
    let mut b = Bench::full();
    assert_eq!(
        b.ask_bytes(V2_WRITE, 8, 0, &upload_req(0, "/tmp/x", b"a", Some(1))),
        err(8, 14)
    );
}

#[test]
fn upload_into_a_missing_directory_is_mount_point_not_found() {
    let mut b = Bench::full();
    assert_eq!(
        b.ask_bytes(
            V2_WRITE,
            8,
            0,
            &upload_req(0, "/lfs/nodir/x", b"a", Some(1))
        ),
        err(8, 14)
    );
    assert_eq!(
        b.ask_bytes(
            V1_WRITE,
            8,
            0,
            &upload_req(0, "/lfs/nodir/x", b"a", Some(1))
        ),
        rc(5)
    );
}

#[test]
fn upload_through_a_link_out_of_the_mount_point_is_file_invalid_name() {
    let mut b = Bench::full();
    b.fs().escapes.insert("/lfs/link".into());
    assert_eq!(
        b.ask_bytes(V2_WRITE, 8, 0, &upload_req(0, "/lfs/link", b"a", Some(1))),
        err(8, 2)
    );
    assert!(b.fs().files.is_empty());
}

#[test]
fn upload_onto_a_directory_is_file_is_directory() {
    let mut b = Bench::full();
    assert_eq!(
        b.ask_bytes(V2_WRITE, 8, 0, &upload_req(0, "/lfs/dir", b"a", Some(1))),
        err(8, 4)
    );
}

#[test]
fn upload_to_a_read_only_file_system_is_read_only_filesystem() {
    let mut b = Bench::full();
    b.fs().read_only = true;
    assert_eq!(
        b.ask_bytes(V2_WRITE, 8, 0, &upload_req(0, "/lfs/a", b"a", Some(1))),
        err(8, 15)
    );
}

#[test]
fn upload_write_failure_is_file_write_failed_and_closes_the_transfer() {
    let mut b = Bench::full();
    b.fs().fail_writes = true;
    assert_eq!(
        b.ask_bytes(V2_WRITE, 8, 0, &upload_req(0, "/lfs/a", b"a", Some(2))),
        err(8, 10)
    );
    assert_eq!(b.fs().open, None);
}

// ---- one transfer at a time ----

fn open_upload_on_udp() -> Bench {
    let mut b = Bench::full();
    b.ask_bytes(V2_WRITE, 8, 0, &upload_req(0, "/lfs/up", b"abc", Some(10)));
    b
}

#[test]
fn another_transport_is_busy_while_a_transfer_is_open() {
    let mut b = open_upload_on_udp();
    b.transport = Transport::Serial;
    assert_eq!(
        b.ask_bytes(V2_WRITE, 8, 0, &upload_req(3, "/lfs/up", b"d", None)),
        rc(10)
    );
    b.fs().files.insert("/lfs/other".into(), b"x".to_vec());
    assert_eq!(
        b.ask_bytes(V2_READ, 8, 0, &download_req(0, "/lfs/other")),
        rc(10)
    );
    assert_eq!(b.fs().files["/lfs/up"], b"abc");
}

#[test]
fn another_path_on_the_same_transport_is_busy_while_a_transfer_is_open() {
    let mut b = open_upload_on_udp();
    assert_eq!(
        b.ask_bytes(V2_WRITE, 8, 0, &upload_req(0, "/lfs/second", b"x", Some(1))),
        rc(10)
    );
    assert!(!b.fs().files.contains_key("/lfs/second"));
}

#[test]
fn status_and_hash_are_not_transfers_and_are_never_busy() {
    let mut b = open_upload_on_udp();
    b.transport = Transport::Serial;
    assert_eq!(
        b.ask_bytes(V2_READ, 8, 1, &name_req("/lfs/up")),
        bytes(r#"bf 63 "len" 03 ff"#)
    );
}

#[test]
fn a_transfer_idle_for_4_seconds_is_closed_for_the_next_one() {
    let mut b = open_upload_on_udp();
    b.fs().now += IDLE_CLOSE_MS;
    b.transport = Transport::Serial;
    assert_eq!(
        b.ask_bytes(V2_WRITE, 8, 0, &upload_req(0, "/lfs/second", b"x", Some(1))),
        bytes(r#"bf 63 "off" 01 ff"#)
    );
}

#[test]
fn a_transfer_idle_for_less_than_4_seconds_stays_open() {
    let mut b = open_upload_on_udp();
    b.fs().now += IDLE_CLOSE_MS - 1;
    b.transport = Transport::Serial;
    assert_eq!(
        b.ask_bytes(V2_WRITE, 8, 0, &upload_req(0, "/lfs/second", b"x", Some(1))),
        rc(10)
    );
}

#[test]
fn each_request_restarts_the_idle_time() {
    let mut b = open_upload_on_udp();
    b.fs().now += 3000;
    b.ask_bytes(V2_WRITE, 8, 0, &upload_req(3, "/lfs/up", b"d", None));
    b.fs().now += 3000;
    b.transport = Transport::Serial;
    assert_eq!(
        b.ask_bytes(V2_READ, 8, 0, &download_req(0, "/lfs/up")),
        rc(10)
    );
}

#[test]
fn close_ends_the_transfer_for_everyone() {
    let mut b = open_upload_on_udp();
    assert_eq!(b.ask(V2_WRITE, 8, 4, "a0"), bytes("bf ff"));
    assert_eq!(b.fs().open, None);
    b.transport = Transport::Serial;
    assert_eq!(
        b.ask_bytes(V2_READ, 8, 0, &download_req(0, "/lfs/up")),
        bytes(r#"bf 63 "off" 00 64 "data" 43 "abc" 63 "len" 03 ff"#)
    );
}

#[test]
fn close_without_an_open_transfer_answers_an_empty_map() {
    let mut b = Bench::full();
    assert_eq!(b.ask(V2_WRITE, 8, 4, ""), bytes("bf ff"));
}

#[test]
fn the_owner_may_switch_direction_on_its_path() {
    let mut b = open_upload_on_udp();
    assert_eq!(
        b.ask_bytes(V2_READ, 8, 0, &download_req(0, "/lfs/up")),
        bytes(r#"bf 63 "off" 00 64 "data" 43 "abc" 63 "len" 03 ff"#)
    );
}

// ---- status ----

#[test]
fn status_reports_the_file_length() {
    let mut b = with_file("/lfs/a", b"hello");
    assert_eq!(
        b.ask_bytes(V2_READ, 8, 1, &name_req("/lfs/a")),
        bytes(r#"bf 63 "len" 05 ff"#)
    );
}

#[test]
fn status_errors_are_those_of_the_lookup() {
    let mut b = Bench::full();
    assert_eq!(
        b.ask_bytes(V2_READ, 8, 1, &name_req("/lfs/none")),
        err(8, 3)
    );
    assert_eq!(b.ask_bytes(V2_READ, 8, 1, &name_req("/lfs/dir")), err(8, 4));
    assert_eq!(b.ask(V2_READ, 8, 1, "a0"), rc(3));
}

// ---- hash / checksum ----

#[test]
fn hash_defaults_to_crc32_of_the_whole_file() {
    let mut b = with_file("/lfs/a", b"hello");
    assert_eq!(
        b.ask_bytes(V2_READ, 8, 2, &name_req("/lfs/a")),
        bytes(r#"bf 64 "type" 65 "crc32" 63 "len" 05 66 "output" 1a 36 10 a6 86 ff"#)
    );
}

#[test]
fn hash_sha256_is_a_32_byte_string() {
    let mut b = with_file("/lfs/a", b"abc");
    assert_eq!(
        b.ask(
            V2_READ,
            8,
            2,
            r#"a2 64 "name" 66 "/lfs/a" 64 "type" 66 "sha256""#
        ),
        bytes(concat!(
            r#"bf 64 "type" 66 "sha256" 63 "len" 03 66 "output" 58 20"#,
            " ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad ff"
        ))
    );
}

#[test]
fn hash_of_a_range_reports_its_offset_and_length() {
    let mut b = with_file("/lfs/a", b"hello world");
    assert_eq!(
        b.ask(
            V2_READ,
            8,
            2,
            r#"a3 64 "name" 66 "/lfs/a" 63 "off" 06 63 "len" 03"#
        ),
        bytes(r#"bf 64 "type" 65 "crc32" 63 "off" 06 63 "len" 03 66 "output" 1a f2 91 c0 bf ff"#)
    );
}

#[test]
fn hash_length_past_the_end_stops_at_the_end() {
    let mut b = with_file("/lfs/a", b"hello world");
    assert_eq!(
        b.ask(
            V2_READ,
            8,
            2,
            r#"a4 64 "name" 66 "/lfs/a" 63 "off" 06 63 "len" 18 64 64 "type" 66 "sha256""#
        ),
        bytes(concat!(
            r#"bf 64 "type" 66 "sha256" 63 "off" 06 63 "len" 05 66 "output" 58 20"#,
            " 486ea46224d1bb4fb680f34f7c9ad96a8f24ec88be73ea8e5a6c65260e9cb8a7 ff"
        ))
    );
}

#[test]
fn hash_of_length_0_or_an_over_long_type_is_rc_3() {
    let mut b = with_file("/lfs/a", b"hello");
    assert_eq!(
        b.ask(V2_READ, 8, 2, r#"a2 64 "name" 66 "/lfs/a" 63 "len" 00"#),
        rc(3)
    );
    assert_eq!(
        b.ask(
            V2_READ,
            8,
            2,
            r#"a2 64 "name" 66 "/lfs/a" 64 "type" 69 "sha256abc""#
        ),
        rc(3)
    );
}

#[test]
fn hash_of_an_unknown_type_is_checksum_hash_not_found() {
    let mut b = with_file("/lfs/a", b"hello");
    let body = r#"a2 64 "name" 66 "/lfs/a" 64 "type" 63 "md5""#;
    assert_eq!(b.ask(V2_READ, 8, 2, body), err(8, 13));
    assert_eq!(b.ask(V1_READ, 8, 2, body), rc(3));
}

#[test]
fn hash_of_an_empty_file_is_file_empty() {
    let mut b = with_file("/lfs/e", b"");
    assert_eq!(b.ask_bytes(V2_READ, 8, 2, &name_req("/lfs/e")), err(8, 16));
}

#[test]
fn hash_from_an_offset_at_or_past_the_end_is_offset_larger_than_file() {
    let mut b = with_file("/lfs/a", b"hello");
    assert_eq!(
        b.ask(V2_READ, 8, 2, r#"a2 64 "name" 66 "/lfs/a" 63 "off" 05"#),
        err(8, 12)
    );
}

#[test]
fn hash_of_a_missing_file_is_file_not_found() {
    let mut b = Bench::full();
    assert_eq!(
        b.ask_bytes(V2_READ, 8, 2, &name_req("/lfs/none")),
        err(8, 3)
    );
}

#[test]
fn supported_hash_types_lists_crc32_then_sha256() {
    let mut b = Bench::full();
    assert_eq!(
        b.ask(V2_READ, 8, 3, ""),
        bytes(concat!(
            r#"bf 65 "types" bf"#,
            r#" 65 "crc32" bf 66 "format" 00 64 "size" 04 ff"#,
            r#" 66 "sha256" bf 66 "format" 01 64 "size" 18 20 ff"#,
            " ff ff"
        ))
    );
}

// ---- counters and platform ----

#[test]
fn transfer_bytes_are_counted() {
    let mut b = with_file("/lfs/a", b"hello");
    b.ask_bytes(V2_READ, 8, 0, &download_req(0, "/lfs/a"));
    b.ask_bytes(V2_WRITE, 8, 0, &upload_req(0, "/lfs/b", b"abc", Some(3)));
    assert_eq!(
        b.ask(V2_READ, 2, 0, r#"a1 64 "name" 6c "smp_transfer""#),
        bytes(concat!(
            r#"bf 64 "name" 6c "smp_transfer" 66 "fields" bf"#,
            r#" 6f "fs_upload_bytes" 03 71 "fs_download_bytes" 05 70 "img_upload_bytes" 00 ff ff"#
        ))
    );
}

#[test]
fn without_a_file_system_every_command_is_rc_8() {
    let mut b = Bench::new(Device::default());
    assert_eq!(
        b.ask_bytes(V2_READ, 8, 0, &download_req(0, "/lfs/a")),
        rc(8)
    );
    assert_eq!(b.ask_bytes(V2_READ, 8, 1, &name_req("/lfs/a")), rc(8));
    assert_eq!(b.ask(V2_WRITE, 8, 4, ""), rc(8));
}
