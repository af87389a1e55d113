//! The header and error rules of protocol.md §1, byte for byte.

use crate::testing::{bytes, exchange, exchange_with, packet, FakeOs};

/// `{"d": "hi"}`
const ECHO_HI: &[u8] = &[0xA1, 0x61, b'd', 0x62, b'h', b'i'];

#[test]
fn echo_v1_is_answered_byte_exact_keeping_the_indefinite_map() {
    // Zephyr tests/subsys/mgmt/mcumgr/os_mgmt_echo
    let msg = "\"short MCUMGR test application message...\"";
    let req = bytes(&format!("02 00 00 2e 00 00 01 00 bf 61 64 78 28 {msg} ff"));
    let rsp = bytes(&format!("03 00 00 2e 00 00 01 00 bf 61 72 78 28 {msg} ff"));
    assert_eq!(exchange(&mut FakeOs::default(), &req).only(), rsp);
}

#[test]
fn os_info_kernel_name_byte_exact() {
    // Zephyr tests/subsys/mgmt/mcumgr/os_mgmt_info
    let req = bytes(r#"00 00 00 0b 00 00 01 07 bf 66 "format" 61 "s" ff"#);
    let rsp = bytes(r#"01 00 00 10 00 00 01 07 bf 66 "output" 66 "Zephyr" ff"#);
    assert_eq!(exchange(&mut FakeOs::default(), &req).only(), rsp);
}

/// os info with the invalid format "8" (Zephyr tests/subsys/mgmt/mcumgr/smp_version).
fn os_info_format_8(version_bits: u8) -> Vec<u8> {
    let mut req = bytes(r#"00 00 00 0b 00 00 01 07 bf 66 "format" 61 "8" ff"#);
    req[0] |= version_bits << 3;
    exchange(&mut FakeOs::default(), &req).only().to_vec()
}

#[test]
fn v1_request_gets_group_error_translated_to_rc() {
    assert_eq!(
        os_info_format_8(0),
        bytes("01 00 00 06 00 00 01 07 bf 62 72 63 03 ff")
    );
}

#[test]
fn v2_request_gets_group_error_as_err_group_rc() {
    assert_eq!(
        os_info_format_8(1),
        bytes(r#"09 00 00 13 00 00 01 07 bf 63 "err" bf 65 "group" 00 62 "rc" 02 ff ff"#)
    );
}

#[test]
fn version_field_2_is_rc_13_answered_as_version_field_1() {
    assert_eq!(
        os_info_format_8(2),
        bytes("09 00 00 06 00 00 01 07 bf 62 72 63 0d ff")
    );
}

#[test]
fn version_field_3_is_rc_13_answered_as_version_field_1() {
    assert_eq!(
        os_info_format_8(3),
        bytes("09 00 00 06 00 00 01 07 bf 62 72 63 0d ff")
    );
}

#[test]
fn fewer_than_eight_bytes_get_no_response() {
    assert!(exchange(&mut FakeOs::default(), &[]).responses.is_empty());
    assert!(exchange(&mut FakeOs::default(), &bytes("02 00 00 09"))
        .responses
        .is_empty());
}

#[test]
fn payload_shorter_than_its_length_field_is_rc_9_mirroring_the_header() {
    // Zephyr smp_group_0: header only, length 9.
    let rsp = exchange(&mut FakeOs::default(), &bytes("02 00 00 09 00 00 42 00"));
    assert_eq!(
        rsp.only(),
        bytes("03 00 00 06 00 00 42 00 bf 62 72 63 09 ff")
    );
}

#[test]
fn huge_length_field_is_rc_9() {
    let rsp = exchange(
        &mut FakeOs::default(),
        &bytes("0a 00 ff ff 00 00 07 00 a1 61 64"),
    );
    assert_eq!(
        rsp.only(),
        bytes("0b 00 00 06 00 00 07 00 bf 62 72 63 09 ff")
    );
}

#[test]
fn echo_of_zephyr_smp_group_0_vector_succeeds() {
    let rsp = exchange(
        &mut FakeOs::default(),
        &bytes("02 00 00 09 00 00 42 00 a1 61 64 65 68 65 6c 6c 6c"),
    );
    assert_eq!(
        rsp.only(),
        bytes(r#"03 00 00 0a 00 00 42 00 bf 61 72 65 "helll" ff"#)
    );
}

#[test]
fn unknown_group_is_rc_8_in_v1_and_v2() {
    for op in [0x02, 0x0A] {
        let rsp = exchange(&mut FakeOs::default(), &packet(op, 0x4242, 3, 0, ECHO_HI));
        assert_eq!(rsp.only()[8..], bytes("bf 62 72 63 08 ff"));
        assert_eq!(rsp.only()[..8], [op + 1, 0, 0, 6, 0x42, 0x42, 3, 0]);
    }
}

#[test]
fn unknown_command_id_is_rc_8() {
    let rsp = exchange(&mut FakeOs::default(), &packet(0x0A, 0, 1, 200, ECHO_HI));
    assert_eq!(rsp.only()[8..], bytes("bf 62 72 63 08 ff"));
}

#[test]
fn reserved_command_id_is_rc_8() {
    // os 1, console echo control, is not implemented
    let rsp = exchange(&mut FakeOs::default(), &packet(0x0A, 0, 1, 1, &[0xA0]));
    assert_eq!(rsp.only()[8..], bytes("bf 62 72 63 08 ff"));
}

#[test]
fn op_the_command_lacks_is_rc_8() {
    // reset is write-only
    let rsp = exchange(&mut FakeOs::default(), &packet(0x08, 0, 1, 5, &[0xA0]));
    assert_eq!(
        rsp.only(),
        bytes("09 00 00 06 00 00 01 05 bf 62 72 63 08 ff")
    );
}

#[test]
fn response_ops_and_invalid_ops_are_rc_8_answered_with_write_rsp() {
    for op in [1u8, 3, 4, 5, 6, 7] {
        let rsp = exchange(&mut FakeOs::default(), &packet(0x08 | op, 0, 9, 0, ECHO_HI));
        assert_eq!(
            rsp.only(),
            bytes("0b 00 00 06 00 00 09 00 bf 62 72 63 08 ff"),
            "op {op}"
        );
    }
}

#[test]
fn response_flags_are_zero_whatever_the_request_flags() {
    let mut req = packet(0x0A, 0, 1, 0, ECHO_HI);
    req[1] = 0xA5;
    assert_eq!(exchange(&mut FakeOs::default(), &req).only()[1], 0);
}

#[test]
fn several_packets_in_one_buffer_get_one_response_each_in_order() {
    let mut input = packet(0x0A, 0, 1, 0, ECHO_HI);
    input.extend(packet(0x08, 0, 2, 6, &[]));
    input.extend(packet(0x0A, 0x4242, 3, 0, &[]));
    input.extend(packet(0x0A, 0, 4, 0, ECHO_HI));
    let rsp = exchange(&mut FakeOs::default(), &input);
    let seqs: Vec<u8> = rsp.responses.iter().map(|r| r[6]).collect();
    assert_eq!(seqs, [1, 2, 3, 4]);
    assert_eq!(rsp.responses[0][8..], bytes(r#"bf 61 "r" 62 "hi" ff"#));
    assert_eq!(rsp.responses[2][8..], bytes("bf 62 72 63 08 ff"));
}

#[test]
fn trailing_partial_header_after_a_packet_is_ignored() {
    let mut input = packet(0x0A, 0, 1, 0, ECHO_HI);
    input.extend_from_slice(&[0x0A, 0x00, 0x00]);
    assert_eq!(exchange(&mut FakeOs::default(), &input).responses.len(), 1);
}

#[test]
fn truncated_second_packet_is_rc_9_after_the_first_is_answered() {
    let mut input = packet(0x0A, 0, 1, 0, ECHO_HI);
    input.extend_from_slice(&packet(0x0A, 0, 2, 0, ECHO_HI)[..10]);
    let rsp = exchange(&mut FakeOs::default(), &input);
    assert_eq!(rsp.responses.len(), 2);
    assert_eq!(
        rsp.responses[1],
        bytes("0b 00 00 06 00 00 02 00 bf 62 72 63 09 ff")
    );
}

#[test]
fn zero_length_payload_is_an_empty_map() {
    // params parses nothing: answered normally
    let rsp = exchange(&mut FakeOs::default(), &packet(0x08, 0, 1, 6, &[]));
    assert_eq!(
        rsp.only()[8..],
        bytes(r#"bf 68 "buf_size" 19 01 80 69 "buf_count" 04 ff"#)
    );
    // echo needs "d": rc 3
    let rsp = exchange(&mut FakeOs::default(), &packet(0x0A, 0, 1, 0, &[]));
    assert_eq!(rsp.only()[8..], bytes("bf 62 72 63 03 ff"));
}

#[test]
fn duplicate_known_key_is_rc_3() {
    let rsp = exchange(
        &mut FakeOs::default(),
        &packet(0x0A, 0, 1, 0, &bytes(r#"a2 61 "d" 61 "a" 61 "d" 61 "b""#)),
    );
    assert_eq!(rsp.only()[8..], bytes("bf 62 72 63 03 ff"));
}

#[test]
fn non_map_payload_is_rc_3() {
    let rsp = exchange(
        &mut FakeOs::default(),
        &packet(0x0A, 0, 1, 0, &bytes(r#"62 "hi""#)),
    );
    assert_eq!(rsp.only()[8..], bytes("bf 62 72 63 03 ff"));
}

#[test]
fn response_that_does_not_fit_the_buffer_is_rc_7_never_truncated() {
    let long = "x".repeat(100);
    let mut payload = bytes("a1 61 64 78 64");
    payload.extend_from_slice(long.as_bytes());
    let req = packet(0x0A, 0, 1, 0, &payload);
    let fits = exchange_with(&mut FakeOs::default(), &req, 8 + 106);
    assert_eq!(fits.only().len(), 8 + 106);
    let too_small = exchange_with(&mut FakeOs::default(), &req, 8 + 105);
    assert_eq!(
        too_small.only(),
        bytes("0b 00 00 06 00 00 01 00 bf 62 72 63 07 ff")
    );
}

#[test]
fn response_buffer_too_small_even_for_an_error_sends_nothing() {
    let rsp = exchange_with(&mut FakeOs::default(), &packet(0x0A, 0, 1, 0, ECHO_HI), 10);
    assert!(rsp.responses.is_empty());
}

/// Found with the `server_request` fuzz target: `{"err": {"group": 8, "rc":
/// 11}, "len": 1000}` is 26 bytes, more than the 24 a 32-byte buffer leaves
/// for the payload, and the request went unanswered.
#[test]
fn error_detail_that_does_not_fit_the_smallest_buffer_is_left_out() {
    let mut bench = crate::testing::Bench::full();
    bench.tx_size = crate::netbuf::MIN_NETBUF_SIZE;
    bench.fs().files.insert("/lfs/big".into(), vec![0; 1000]);
    // fs upload (group 8, id 0) at offset 5 of a 1000-byte file: rc 11
    // (FileOffsetNotValid), with the expected offset as detail.
    let req = packet(
        0x0A,
        8,
        1,
        0,
        &bytes(r#"a3 63 "off" 05 64 "name" 68 "/lfs/big" 64 "data" 41 61"#),
    );
    let responses = bench.raw(&req);
    assert_eq!(
        responses,
        [bytes(
            r#"0b 00 00 13 00 08 01 00 bf 63 "err" bf 65 "group" 08 62 "rc" 0b ff ff"#
        )]
    );
}
