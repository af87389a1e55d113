//! Shell group (protocol.md §2.5), one behaviour per test.

use crate::testing::bytes;
use crate::testing::{err, rc, Bench, Device, V1_WRITE, V2_READ, V2_WRITE};

/// `{"argv": [args...]}` as CBOR.
fn argv(args: &[&str]) -> Vec<u8> {
    let mut out = bytes(r#"a1 64 "argv""#);
    out.push(0x80 | args.len() as u8);
    for a in args {
        match a.len() {
            0..=23 => out.push(0x60 | a.len() as u8),
            24..=255 => out.extend([0x78, a.len() as u8]),
            _ => {
                out.push(0x79);
                out.extend((a.len() as u16).to_be_bytes());
            }
        }
        out.extend(a.as_bytes());
    }
    out
}

/// The `o` and `ret` of a response payload.
fn output(rsp: &[u8]) -> (String, i32) {
    let mut d = minicbor::Decoder::new(rsp);
    d.map().unwrap();
    assert_eq!(d.str().unwrap(), "o");
    let o = d.str().unwrap().to_string();
    assert_eq!(d.str().unwrap(), "ret");
    let ret = d.i32().unwrap();
    assert_eq!(d.datatype().unwrap(), minicbor::data::Type::Break);
    (o, ret)
}

#[test]
fn exec_answers_output_and_return_value() {
    let mut b = Bench::full();
    assert_eq!(
        b.ask_bytes(V2_WRITE, 9, 0, &argv(&["echo", "hi", "there"])),
        bytes(r#"bf 61 "o" 68 "hi there" 63 "ret" 00 ff"#)
    );
}

#[test]
fn arguments_reach_the_platform_as_sent() {
    let mut b = Bench::full();
    b.ask_bytes(V2_WRITE, 9, 0, &argv(&["echo", "a b", ""]));
    assert_eq!(b.dev.shell.as_ref().unwrap().last_argv, ["echo", "a b", ""]);
}

#[test]
fn a_failing_command_returns_its_negative_value() {
    let mut b = Bench::full();
    assert_eq!(
        b.ask_bytes(V2_WRITE, 9, 0, &argv(&["fail"])),
        bytes(r#"bf 61 "o" 66 "failed" 63 "ret" 24 ff"#)
    );
}

#[test]
fn an_unknown_command_is_answered_by_the_shell_not_as_an_smp_error() {
    let mut b = Bench::full();
    assert_eq!(
        b.ask_bytes(V2_WRITE, 9, 0, &argv(&["nope"])),
        bytes(r#"bf 61 "o" 77 "nope: command not found" 63 "ret" 27 ff"#)
    );
}

#[test]
fn indefinite_argv_array_is_accepted() {
    let mut b = Bench::full();
    assert_eq!(
        b.ask(V2_WRITE, 9, 0, r#"bf 64 "argv" 9f 64 "echo" 62 "hi" ff ff"#),
        bytes(r#"bf 61 "o" 62 "hi" 63 "ret" 00 ff"#)
    );
}

#[test]
fn empty_argv_is_empty_command() {
    let mut b = Bench::full();
    assert_eq!(b.ask_bytes(V2_WRITE, 9, 0, &argv(&[])), err(9, 3));
    assert_eq!(b.ask_bytes(V1_WRITE, 9, 0, &argv(&[])), rc(3));
}

#[test]
fn empty_command_name_is_empty_command() {
    let mut b = Bench::full();
    assert_eq!(b.ask_bytes(V2_WRITE, 9, 0, &argv(&["", "x"])), err(9, 3));
}

#[test]
fn argv_missing_or_not_an_array_of_text_is_rc_3() {
    let mut b = Bench::full();
    for body in [
        "a0",
        "",
        r#"a1 64 "argv" 64 "echo""#,
        r#"a1 64 "argv" 82 64 "echo" 01"#,
        r#"a1 64 "argv" 82 64 "echo""#,
        r#"a2 64 "argv" 81 61 "a" 64 "argv" 81 61 "b""#,
    ] {
        assert_eq!(b.ask(V2_WRITE, 9, 0, body), rc(3), "{body}");
    }
}

#[test]
fn command_line_of_255_bytes_runs() {
    let mut b = Bench::full();
    let arg = "x".repeat(250); // "echo" + " " + 250 = 255
    let (o, ret) = output(&b.ask_bytes(V2_WRITE, 9, 0, &argv(&["echo", &arg])));
    assert_eq!((o, ret), (arg, 0));
}

#[test]
fn command_line_of_256_bytes_is_command_too_long() {
    let mut b = Bench::full();
    let arg = "x".repeat(251);
    assert_eq!(
        b.ask_bytes(V2_WRITE, 9, 0, &argv(&["echo", &arg])),
        err(9, 2)
    );
    assert_eq!(b.ask_bytes(V1_WRITE, 9, 0, &argv(&["echo", &arg])), rc(3));
    assert!(b.dev.shell.as_ref().unwrap().last_argv.is_empty());
}

#[test]
fn output_too_big_is_cut_to_what_fits_in_a_complete_response() {
    let mut b = Bench::full();
    let rsp = b.packet_bytes(V2_WRITE, 9, 0, &argv(&["fill", "1000"]));
    assert!(rsp.len() <= 384);
    assert_eq!(
        usize::from(u16::from_be_bytes([rsp[2], rsp[3]])),
        rsp.len() - 8
    );
    let (o, ret) = output(&rsp[8..]);
    assert_eq!((o.len(), ret), (360, 0));
}

#[test]
fn cut_output_ends_on_a_whole_character() {
    let mut b = Bench::full();
    b.tx_size = 100;
    let (o, _) = output(&b.ask_bytes(V2_WRITE, 9, 0, &argv(&["euro", "100"])));
    assert_eq!(o, "€".repeat(25));
}

#[test]
fn without_a_shell_exec_is_rc_8() {
    let mut b = Bench::new(Device::default());
    assert_eq!(b.ask_bytes(V2_WRITE, 9, 0, &argv(&["echo"])), rc(8));
}

#[test]
fn exec_has_no_read() {
    let mut b = Bench::full();
    assert_eq!(b.ask_bytes(V2_READ, 9, 0, &argv(&["echo"])), rc(8));
}
