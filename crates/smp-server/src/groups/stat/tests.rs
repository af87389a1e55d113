//! Statistics group (protocol.md §2.2), one behaviour per test.

use super::state::{link_index, ServerStats, ALL_TRANSPORTS};
use crate::dispatch::Transport;
use crate::testing::bytes;
use crate::testing::{err, rc, Bench, Device, RadioCounters, V1_READ, V2_READ, V2_WRITE};

#[test]
fn list_names_the_server_groups_of_the_platform_transports_then_the_platform_groups() {
    let mut b = Bench::full();
    assert_eq!(
        b.ask(V2_READ, 2, 1, "a0"),
        bytes(
            r#"bf 69 "stat_list" 9f 6a "smp_serial" 67 "smp_udp" 6c "smp_transfer" 65 "radio" ff ff"#
        )
    );
}

#[test]
fn list_without_a_stat_platform_names_every_transport() {
    let mut b = Bench::new(Device::default());
    assert_eq!(
        b.ask(V2_READ, 2, 1, ""),
        bytes(concat!(
            r#"bf 69 "stat_list" 9f 6a "smp_serial" 6c "smp_raw_uart" 67 "smp_ble""#,
            r#" 67 "smp_udp" 69 "smp_shell" 6c "smp_transfer" ff ff"#
        ))
    );
}

#[test]
fn show_reports_a_platform_group_with_its_named_counters() {
    let mut b = Bench::full();
    assert_eq!(
        b.ask(V2_READ, 2, 0, r#"a1 64 "name" 65 "radio""#),
        bytes(
            r#"bf 64 "name" 65 "radio" 66 "fields" bf 69 "tx_frames" 07 69 "rx_frames" 19 01 2c ff ff"#
        )
    );
}

#[test]
fn show_reports_the_traffic_of_the_transport_so_far() {
    let mut b = Bench::full();
    // echo "hi": 14 bytes in, 15 bytes out
    b.ask(V2_WRITE, 0, 0, r#"a1 61 "d" 62 "hi""#);
    // this request: 22 bytes in, counted before it is answered
    assert_eq!(
        b.ask(V2_READ, 2, 0, r#"a1 64 "name" 67 "smp_udp""#),
        bytes(concat!(
            r#"bf 64 "name" 67 "smp_udp" 66 "fields" bf"#,
            r#" 67 "rx_pkts" 02 68 "rx_bytes" 18 24 67 "tx_pkts" 01 68 "tx_bytes" 0f"#,
            r#" 68 "err_rsps" 00 67 "no_rsps" 00 ff ff"#
        ))
    );
}

#[test]
fn show_counts_error_responses() {
    let mut b = Bench::full();
    b.ask(V2_READ, 77, 0, "a0"); // unknown group: rc 8
    let rsp = b.ask(V2_READ, 2, 0, r#"a1 64 "name" 67 "smp_udp""#);
    let errors = bytes(r#"68 "err_rsps" 01"#);
    assert!(rsp.windows(errors.len()).any(|w| w == errors), "{rsp:02x?}");
}

#[test]
fn show_counts_requests_left_unanswered() {
    let mut b = Bench::full();
    b.tx_size = 12; // a header, but not even an error fits
    assert!(b
        .raw(&crate::testing::packet(V2_READ, 0, 1, 6, &[]))
        .is_empty());
    b.tx_size = 384;
    let rsp = b.ask(V2_READ, 2, 0, r#"a1 64 "name" 67 "smp_udp""#);
    let unanswered = bytes(r#"67 "no_rsps" 01"#);
    assert!(
        rsp.windows(unanswered.len()).any(|w| w == unanswered),
        "{rsp:02x?}"
    );
}

#[test]
fn each_transport_is_counted_apart() {
    let mut b = Bench::full();
    b.transport = Transport::Serial;
    b.ask(V2_READ, 0, 6, "a0");
    b.transport = Transport::Udp;
    let rsp = b.ask(V2_READ, 2, 0, r#"a1 64 "name" 6a "smp_serial""#);
    let one_packet = bytes(r#"67 "rx_pkts" 01"#);
    assert!(
        rsp.windows(one_packet.len()).any(|w| w == one_packet),
        "{rsp:02x?}"
    );
}

#[test]
fn show_of_an_unknown_group_is_invalid_stat_name_under_group_2() {
    let mut b = Bench::full();
    assert_eq!(b.ask(V2_READ, 2, 0, r#"a1 64 "name" 63 "foo""#), err(2, 3));
}

#[test]
fn show_of_an_unknown_group_in_v1_is_rc_5() {
    let mut b = Bench::full();
    assert_eq!(b.ask(V1_READ, 2, 0, r#"a1 64 "name" 63 "foo""#), rc(5));
}

#[test]
fn show_of_a_transport_the_platform_lacks_is_invalid_stat_name() {
    let mut b = Bench::full();
    assert_eq!(
        b.ask(V2_READ, 2, 0, r#"a1 64 "name" 67 "smp_ble""#),
        err(2, 3)
    );
}

#[test]
fn show_without_a_name_or_with_an_empty_one_is_rc_3() {
    let mut b = Bench::full();
    for body in ["a0", "", r#"a1 64 "name" 60"#, r#"a1 64 "name" 01"#] {
        assert_eq!(b.ask(V2_READ, 2, 0, body), rc(3), "{body}");
    }
}

#[test]
fn show_name_of_31_bytes_is_looked_up_and_of_32_is_rc_3() {
    let mut b = Bench::full();
    let name31 = format!(r#"a1 64 "name" 78 1f "{}""#, "a".repeat(31));
    assert_eq!(b.ask(V2_READ, 2, 0, &name31), err(2, 3));
    let name32 = format!(r#"a1 64 "name" 78 20 "{}""#, "a".repeat(32));
    assert_eq!(b.ask(V2_READ, 2, 0, &name32), rc(3));
}

#[test]
fn show_too_big_for_the_buffer_is_rc_7() {
    let mut b = Bench::full();
    b.tx_size = 40;
    assert_eq!(b.ask(V2_READ, 2, 0, r#"a1 64 "name" 67 "smp_udp""#), rc(7));
}

#[test]
fn stat_commands_are_read_only() {
    let mut b = Bench::full();
    assert_eq!(b.ask(V2_WRITE, 2, 1, "a0"), rc(8));
}

#[test]
fn declared_counters_list_their_names_in_declaration_order() {
    assert_eq!(RadioCounters::FIELDS, ["tx_frames", "rx_frames"]);
}

#[test]
fn every_transport_has_its_own_traffic_counters() {
    // link_index is the enum's discriminant: ALL_TRANSPORTS must list the
    // transports in declaration order, each once.
    for (i, t) in ALL_TRANSPORTS.iter().enumerate() {
        assert_eq!(link_index(*t), i, "{t:?}");
    }
    let mut stats = ServerStats::default();
    for (i, t) in ALL_TRANSPORTS.iter().enumerate() {
        for _ in 0..=i {
            stats.on_event(crate::event::Event::Packet { transport: *t });
        }
    }
    for (i, t) in ALL_TRANSPORTS.iter().enumerate() {
        assert_eq!(stats.link(*t).rx_pkts, i as u64 + 1, "{t:?}");
    }
}
