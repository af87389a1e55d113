//! OS group commands (protocol.md §2.0), one behaviour per test.

use super::*;
use crate::testing::{bytes, exchange, exchange_with, packet, Bench, Device, FakeOs};

const V2_READ: u8 = 0x08;
const V2_WRITE: u8 = 0x0A;
const V1_WRITE: u8 = 0x02;

fn payload(rsp: &[u8]) -> &[u8] {
    &rsp[8..]
}

fn os(platform: &mut FakeOs, op: u8, id: u8, body: &str) -> Vec<u8> {
    exchange(platform, &packet(op, 0, 1, id, &bytes(body)))
        .only()
        .to_vec()
}

#[test]
fn echo_answers_read_as_well_as_write() {
    for op in [V2_READ, V2_WRITE] {
        let rsp = os(&mut FakeOs::default(), op, 0, r#"a1 61 "d" 62 "hi""#);
        assert_eq!(payload(&rsp), bytes(r#"bf 61 "r" 62 "hi" ff"#));
    }
}

#[test]
fn echo_without_d_or_with_d_not_text_is_rc_3() {
    for body in ["a0", r#"a1 61 "d" 01"#, r#"a1 61 "x" 62 "hi""#] {
        let rsp = os(&mut FakeOs::default(), V2_WRITE, 0, body);
        assert_eq!(payload(&rsp), bytes("bf 62 72 63 03 ff"), "{body}");
    }
}

#[test]
fn echo_of_an_empty_string() {
    let rsp = os(&mut FakeOs::default(), V2_WRITE, 0, r#"a1 61 "d" 60"#);
    assert_eq!(payload(&rsp), bytes(r#"bf 61 "r" 60 ff"#));
}

const TASKS: &[TaskInfo<'static>] = &[
    TaskInfo {
        name: "main",
        prio: 0,
        tid: 0,
        state: 0,
        stack: Some((256, 40)),
        runtime: None,
    },
    TaskInfo {
        name: "idle",
        prio: 15,
        tid: 1,
        state: 0,
        stack: None,
        runtime: Some(77),
    },
    TaskInfo {
        name: "isr",
        prio: -2,
        tid: 2,
        state: 8,
        stack: None,
        runtime: None,
    },
];

#[test]
fn taskstat_lists_each_task_with_optional_stack_and_runtime() {
    let mut p = FakeOs {
        tasks: TASKS,
        ..Default::default()
    };
    let rsp = os(&mut p, V2_READ, 2, "a0");
    assert_eq!(
        payload(&rsp),
        bytes(concat!(
            r#"bf 65 "tasks" bf"#,
            r#" 64 "main" bf 64 "prio" 00 63 "tid" 00 65 "state" 00 66 "stksiz" 19 01 00 66 "stkuse" 18 28 ff"#,
            r#" 64 "idle" bf 64 "prio" 0f 63 "tid" 01 65 "state" 00 67 "runtime" 18 4d ff"#,
            r#" 63 "isr" bf 64 "prio" 21 63 "tid" 02 65 "state" 08 ff"#,
            " ff ff"
        ))
    );
}

#[test]
fn taskstat_too_big_for_the_buffer_is_rc_7() {
    let mut p = FakeOs {
        tasks: TASKS,
        ..Default::default()
    };
    let rsp = exchange_with(&mut p, &packet(V2_READ, 0, 1, 2, &[]), 64);
    assert_eq!(payload(rsp.only()), bytes("bf 62 72 63 07 ff"));
}

#[test]
fn mpstat_reports_pools_under_mpools() {
    const POOLS: &[PoolInfo<'static>] = &[PoolInfo {
        name: "netbuf",
        block_size: 384,
        blocks: 4,
        free: 3,
        min_free: 1,
    }];
    let mut p = FakeOs {
        pools: Some(POOLS),
        ..Default::default()
    };
    let rsp = os(&mut p, V2_READ, 3, "a0");
    assert_eq!(
        payload(&rsp),
        bytes(
            r#"bf 66 "mpools" bf 66 "netbuf" bf 66 "blksiz" 19 01 80 65 "nblks" 04 65 "nfree" 03 63 "min" 01 ff ff ff"#
        )
    );
}

#[test]
fn mpstat_without_pools_is_rc_8() {
    let rsp = os(&mut FakeOs::default(), V2_READ, 3, "a0");
    assert_eq!(payload(&rsp), bytes("bf 62 72 63 08 ff"));
}

#[test]
fn datetime_get_before_set_is_rtc_not_set() {
    let v2 = os(&mut FakeOs::default(), V2_READ, 4, "a0");
    assert_eq!(
        payload(&v2),
        bytes(r#"bf 63 "err" bf 65 "group" 00 62 "rc" 04 ff ff"#)
    );
    // v1: RTC_NOT_SET translates to ENOENT (Zephyr os_mgmt_datetime test)
    let v1 = os(&mut FakeOs::default(), 0x00, 4, "a0");
    assert_eq!(payload(&v1), bytes("bf 62 72 63 05 ff"));
}

#[test]
fn datetime_set_then_get_returns_the_same_string() {
    let mut p = FakeOs::default();
    let set = os(
        &mut p,
        V2_WRITE,
        4,
        r#"a1 68 "datetime" 73 "2001-01-02T03:04:05""#,
    );
    assert_eq!(payload(&set), bytes("bf ff"));
    let get = os(&mut p, V2_READ, 4, "a0");
    assert_eq!(
        payload(&get),
        bytes(r#"bf 68 "datetime" 73 "2001-01-02T03:04:05" ff"#)
    );
}

#[test]
fn datetime_get_shows_millis_when_the_clock_has_them() {
    let mut p = FakeOs::default();
    os(
        &mut p,
        V2_WRITE,
        4,
        r#"a1 68 "datetime" 77 "2023-08-04T04:40:13.250""#,
    );
    let get = os(&mut p, V2_READ, 4, "a0");
    assert_eq!(
        payload(&get),
        bytes(r#"bf 68 "datetime" 77 "2023-08-04T04:40:13.250" ff"#)
    );
}

#[test]
fn datetime_set_with_invalid_string_is_rc_3() {
    for s in [
        r#"6a "abcdefghij""#,
        r#"72 "20a1-b1-aTbb:dd:qq""#,
        r#"73 "1820-01-02T03:04:05""#,
    ] {
        let mut p = FakeOs::default();
        let rsp = os(&mut p, V2_WRITE, 4, &format!(r#"a1 68 "datetime" {s}"#));
        assert_eq!(payload(&rsp), bytes("bf 62 72 63 03 ff"), "{s}");
        assert_eq!(p.clock, None);
    }
}

#[test]
fn datetime_set_without_datetime_is_rc_3() {
    let rsp = os(&mut FakeOs::default(), V2_WRITE, 4, "a0");
    assert_eq!(payload(&rsp), bytes("bf 62 72 63 03 ff"));
}

#[test]
fn clock_failure_is_rtc_command_failed() {
    let mut p = FakeOs {
        clock_fails: true,
        ..Default::default()
    };
    let rsp = os(
        &mut p,
        V2_WRITE,
        4,
        r#"a1 68 "datetime" 73 "2001-01-02T03:04:05""#,
    );
    assert_eq!(
        payload(&rsp),
        bytes(r#"bf 63 "err" bf 65 "group" 00 62 "rc" 05 ff ff"#)
    );
}

#[test]
fn reset_answers_empty_map_and_asks_for_reset_after_the_response() {
    let mut p = FakeOs::default();
    let ex = exchange(&mut p, &packet(V2_WRITE, 0, 1, 5, &[]));
    assert_eq!(payload(ex.only()), bytes("bf ff"));
    assert_eq!(
        ex.after_response,
        Some(AfterResponse::Reset {
            boot_mode: None,
            delay_ms: 0
        })
    );
    assert_eq!(p.reset_asked, Some((false, None)));
}

#[test]
fn reset_force_is_accepted_as_bool_or_integer() {
    for force in ["f5", "01"] {
        let mut p = FakeOs {
            reset_refusal: Some(MgmtErr::Busy.into()),
            ..Default::default()
        };
        let ex = exchange(
            &mut p,
            &packet(
                V2_WRITE,
                0,
                1,
                5,
                &bytes(&format!(r#"a1 65 "force" {force}"#)),
            ),
        );
        assert_eq!(payload(ex.only()), bytes("bf ff"), "force {force}");
        assert_eq!(p.reset_asked, Some((true, None)));
    }
}

#[test]
fn refused_reset_without_force_is_rc_10_and_does_not_reset() {
    let mut p = FakeOs {
        reset_refusal: Some(MgmtErr::Busy.into()),
        ..Default::default()
    };
    let ex = exchange(
        &mut p,
        &packet(V2_WRITE, 0, 1, 5, &bytes(r#"a1 65 "force" f4"#)),
    );
    assert_eq!(payload(ex.only()), bytes("bf 62 72 63 0a ff"));
    assert_eq!(ex.after_response, None);
}

#[test]
fn reset_passes_boot_mode() {
    let mut p = FakeOs::default();
    let ex = exchange(
        &mut p,
        &packet(
            V2_WRITE,
            0,
            1,
            5,
            &bytes(r#"a2 65 "force" f5 69 "boot_mode" 01"#),
        ),
    );
    assert_eq!(
        ex.after_response,
        Some(AfterResponse::Reset {
            boot_mode: Some(1),
            delay_ms: 0
        })
    );
}

#[test]
fn reset_boot_mode_above_255_is_rc_3() {
    let ex = exchange(
        &mut FakeOs::default(),
        &packet(V2_WRITE, 0, 1, 5, &bytes(r#"a1 69 "boot_mode" 19 01 00"#)),
    );
    assert_eq!(payload(ex.only()), bytes("bf 62 72 63 03 ff"));
    assert_eq!(ex.after_response, None);
}

#[test]
fn params_report_the_configured_buffers() {
    let rsp = os(&mut FakeOs::default(), V2_READ, 6, "a0");
    assert_eq!(
        payload(&rsp),
        bytes(r#"bf 68 "buf_size" 19 01 80 69 "buf_count" 04 ff"#)
    );
}

#[test]
fn nordic_ble_params_probe_is_answered() {
    // v1 read, seq 0xFF, payload A0 (protocol.md §3.1)
    let ex = exchange(&mut FakeOs::default(), &bytes("00 00 00 01 00 00 FF 06 A0"));
    assert_eq!(ex.only()[..8], bytes("01 00 00 19 00 00 ff 06"));
    assert!(ex.only().len() > 14);
}

fn info_output(p: &mut FakeOs, format: Option<&str>) -> Vec<u8> {
    let body = match format {
        None => "a0".to_string(),
        Some(f) => format!(r#"a1 66 "format" {:02x} "{f}""#, 0x60 + f.len()),
    };
    payload(&os(p, V2_READ, 7, &body)).to_vec()
}

fn output(text: &str) -> Vec<u8> {
    let mut want = bytes(r#"bf 66 "output""#);
    let mut buf = [0u8; 300];
    let mut enc = minicbor::Encoder::new(minicbor::encode::write::Cursor::new(&mut buf[..]));
    enc.str(text).unwrap();
    let n = enc.into_writer().position();
    want.extend_from_slice(&buf[..n]);
    want.push(0xFF);
    want
}

#[test]
fn info_without_format_is_the_kernel_name() {
    assert_eq!(info_output(&mut FakeOs::default(), None), output("Zephyr"));
}

#[test]
fn info_letters_come_out_in_fixed_order_whatever_the_input_order() {
    assert_eq!(
        info_output(&mut FakeOs::default(), Some("ois")),
        output("Zephyr nrf52840dk@1.0 Zephyr")
    );
}

#[test]
fn info_all_omits_build_time_when_not_recorded() {
    assert_eq!(
        info_output(&mut FakeOs::default(), Some("a")),
        output("Zephyr unknown v4.1.99 v4.1.99-123 arm cortex-m4 nrf52840dk@1.0 Zephyr")
    );
}

#[test]
fn info_all_includes_build_time_when_recorded() {
    let mut p = FakeOs {
        build_time: Some("2025-06-18T10:00:00"),
        ..Default::default()
    };
    assert_eq!(
        info_output(&mut p, Some("a")),
        output("Zephyr unknown v4.1.99 v4.1.99-123 2025-06-18T10:00:00 arm cortex-m4 nrf52840dk@1.0 Zephyr")
    );
}

#[test]
fn info_unknown_letter_is_invalid_format() {
    for f in ["x", "sx", "b"] {
        assert_eq!(
            info_output(&mut FakeOs::default(), Some(f)),
            bytes(r#"bf 63 "err" bf 65 "group" 00 62 "rc" 02 ff ff"#),
            "{f}"
        );
    }
}

#[test]
fn info_longer_than_256_bytes_is_rc_7() {
    let name: &'static str = Box::leak("n".repeat(250).into_boxed_str());
    let mut p = FakeOs {
        node_name: name,
        ..Default::default()
    };
    assert_eq!(info_output(&mut p, Some("sn")), bytes("bf 62 72 63 07 ff"));
    assert_eq!(info_output(&mut p, Some("n")), output(name));
}

#[test]
fn bootloader_info_names_the_bootloader() {
    let rsp = os(&mut FakeOs::default(), V2_READ, 8, "a0");
    assert_eq!(
        payload(&rsp),
        bytes(r#"bf 6a "bootloader" 67 "MCUboot" ff"#)
    );
}

#[test]
fn bootloader_mode_query() {
    let rsp = os(
        &mut FakeOs::default(),
        V2_READ,
        8,
        r#"a1 65 "query" 64 "mode""#,
    );
    assert_eq!(payload(&rsp), bytes(r#"bf 64 "mode" 03 ff"#));
}

#[test]
fn bootloader_mode_query_reports_no_downgrade_only_when_true() {
    let mut p = FakeOs {
        bootloader: Some(BootloaderInfo {
            name: "MCUboot",
            mode: -1,
            no_downgrade: true,
        }),
        ..Default::default()
    };
    let rsp = os(&mut p, V2_READ, 8, r#"a1 65 "query" 64 "mode""#);
    assert_eq!(
        payload(&rsp),
        bytes(r#"bf 64 "mode" 20 6c "no-downgrade" f5 ff"#)
    );
}

#[test]
fn bootloader_unknown_query_is_query_yields_no_answer() {
    let rsp = os(
        &mut FakeOs::default(),
        V2_READ,
        8,
        r#"a1 65 "query" 63 "abc""#,
    );
    assert_eq!(
        payload(&rsp),
        bytes(r#"bf 63 "err" bf 65 "group" 00 62 "rc" 03 ff ff"#)
    );
}

#[test]
fn without_a_bootloader_every_query_yields_no_answer() {
    let mut p = FakeOs {
        bootloader: None,
        ..Default::default()
    };
    let no_answer = bytes(r#"bf 63 "err" bf 65 "group" 00 62 "rc" 03 ff ff"#);
    for query in ["a0", r#"a1 65 "query" 64 "mode""#] {
        let rsp = os(&mut p, V2_READ, 8, query);
        assert_eq!(payload(&rsp), no_answer, "request {query}");
    }
}

#[test]
fn bootloader_query_not_text_is_rc_3() {
    let rsp = os(&mut FakeOs::default(), V2_READ, 8, r#"a1 65 "query" 01"#);
    assert_eq!(payload(&rsp), bytes("bf 62 72 63 03 ff"));
}

#[test]
fn v1_write_of_echo_is_answered_v1() {
    let rsp = os(&mut FakeOs::default(), V1_WRITE, 0, r#"a1 61 "d" 61 "x""#);
    assert_eq!(rsp[0], 0x03);
}

#[test]
fn commands_left_out_of_the_table_answer_rc_8_and_the_rest_still_work() {
    static COMMANDS: [Command; TABLE_LEN] = commands(OsCommands {
        datetime: false,
        info: false,
        ..OsCommands::ALL
    });
    static OS: Group = group(&COMMANDS);
    static GROUPS: &[&Group] = &[&OS];
    let mut bench = Bench::with_groups(GROUPS, Device::default());
    let mut ask = |id: u8, body: &str| bench.ask(V2_READ, 0, id, body);
    // datetime get (4) and os info (7): rc 8, as ids nobody implements.
    assert_eq!(ask(4, "a0"), bytes("bf 62 72 63 08 ff"));
    assert_eq!(ask(7, "a0"), bytes("bf 62 72 63 08 ff"));
    assert_eq!(
        ask(0, r#"a1 61 "d" 62 "hi""#),
        bytes(r#"bf 61 "r" 62 "hi" ff"#)
    );
}
