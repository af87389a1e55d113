//! The group's wire contract, one behaviour per test, through a server with
//! this group alone and the byte vectors a client sends.

use core::any::Any;

use smp_server::groups::os::{BootloaderInfo, OsInfo, OsPlatform, TaskInfo};
use smp_server::{Error, Group, Params, Platform, Server, Transport};

use super::{Counter, GROUP};

/// A device with nothing but the counter.
#[derive(Default)]
struct Device {
    counter: Counter,
}

impl OsPlatform for Device {
    fn info(&self) -> OsInfo<'_> {
        OsInfo {
            kernel_name: "Zephyr",
            node_name: "counter",
            kernel_release: "",
            kernel_version: "",
            build_date_time: None,
            machine: "",
            processor: "",
            hardware_platform: "",
            operating_system: "Zephyr",
        }
    }
    fn tasks(
        &mut self,
        _: &mut dyn FnMut(&TaskInfo<'_>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        Ok(())
    }
    fn prepare_reset(&mut self, _: bool, _: Option<u8>) -> Result<(), Error> {
        Ok(())
    }
    fn bootloader(&self) -> Option<BootloaderInfo> {
        None
    }
}

impl Platform for Device {
    fn os(&mut self) -> &mut dyn OsPlatform {
        self
    }
    fn app(&mut self) -> Option<&mut dyn Any> {
        Some(&mut self.counter)
    }
}

static GROUPS: &[&Group] = &[&GROUP];

const V1_WRITE: u8 = 0x02;
const V2_READ: u8 = 0x08;
const V2_WRITE: u8 = 0x0A;

/// The response payload to one request of group 64.
fn ask(device: &mut Device, op: u8, id: u8, payload: &[u8]) -> Vec<u8> {
    let mut server = Server::new(
        GROUPS,
        Params {
            buf_size: 256,
            buf_count: 2,
        },
    );
    let mut request = vec![op, 0, 0, payload.len() as u8, 0, 64, 1, id];
    request.extend_from_slice(payload);
    let mut tx = [0u8; 256];
    let mut out = Vec::new();
    server.process(device, Transport::Udp, &request, &mut tx, &mut |r| {
        out.push(r[8..].to_vec())
    });
    assert_eq!(out.len(), 1);
    out.remove(0)
}

/// `{"value": 5}`, definite map, as a client sends it.
const SET_5: &[u8] = &[0xA1, 0x65, b'v', b'a', b'l', b'u', b'e', 0x05];
/// `{"value": 1001}`.
const SET_1001: &[u8] = &[0xA1, 0x65, b'v', b'a', b'l', b'u', b'e', 0x19, 0x03, 0xE9];
/// `{"value": "5"}`: a text, not a number.
const SET_TEXT: &[u8] = &[0xA1, 0x65, b'v', b'a', b'l', b'u', b'e', 0x61, b'5'];
const EMPTY: &[u8] = &[0xA0];

/// `{"value": n}` as the server answers it (indefinite map), n < 24.
fn value(n: u8) -> Vec<u8> {
    vec![0xBF, 0x65, b'v', b'a', b'l', b'u', b'e', n, 0xFF]
}

/// `{"err": {"group": 64, "rc": 1}}`.
const TOO_LARGE: &[u8] = &[
    0xBF, 0x63, b'e', b'r', b'r', 0xBF, 0x65, b'g', b'r', b'o', b'u', b'p', 0x18, 0x40, 0x62, b'r',
    b'c', 0x01, 0xFF, 0xFF,
];

/// `{"rc": 3}`.
const RC_3: &[u8] = &[0xBF, 0x62, b'r', b'c', 0x03, 0xFF];

#[test]
fn the_value_starts_at_0() {
    assert_eq!(ask(&mut Device::default(), V2_READ, 0, EMPTY), value(0));
}

#[test]
fn write_sets_the_value_and_answers_an_empty_map() {
    let mut d = Device::default();
    assert_eq!(ask(&mut d, V2_WRITE, 0, SET_5), [0xBF, 0xFF]);
    assert_eq!(ask(&mut d, V2_READ, 0, EMPTY), value(5));
}

#[test]
fn increment_adds_1_and_answers_the_new_value() {
    let mut d = Device::default();
    ask(&mut d, V2_WRITE, 0, SET_5);
    assert_eq!(ask(&mut d, V2_WRITE, 1, EMPTY), value(6));
    assert_eq!(d.counter.value, 6);
}

#[test]
fn a_value_above_1000_is_group_error_1_and_kept_out() {
    let mut d = Device::default();
    assert_eq!(ask(&mut d, V2_WRITE, 0, SET_1001), TOO_LARGE);
    assert_eq!(d.counter.value, 0);
}

#[test]
fn a_v1_client_gets_rc_3_for_the_group_error() {
    assert_eq!(ask(&mut Device::default(), V1_WRITE, 0, SET_1001), RC_3);
}

#[test]
fn increment_past_1000_is_group_error_1() {
    let mut d = Device::default();
    d.counter.value = 1000;
    assert_eq!(ask(&mut d, V2_WRITE, 1, EMPTY), TOO_LARGE);
    assert_eq!(d.counter.value, 1000);
}

#[test]
fn a_missing_value_is_rc_3() {
    assert_eq!(ask(&mut Device::default(), V2_WRITE, 0, EMPTY), RC_3);
}

#[test]
fn a_value_of_the_wrong_type_is_rc_3() {
    assert_eq!(ask(&mut Device::default(), V2_WRITE, 0, SET_TEXT), RC_3);
}

#[test]
fn a_platform_without_the_counter_answers_rc_8() {
    struct Bare(Device);
    impl Platform for Bare {
        fn os(&mut self) -> &mut dyn OsPlatform {
            &mut self.0
        }
    }
    let mut server = Server::new(
        GROUPS,
        Params {
            buf_size: 256,
            buf_count: 2,
        },
    );
    let request = [V2_READ, 0, 0, 1, 0, 64, 1, 0, 0xA0];
    let mut tx = [0u8; 256];
    let mut out = Vec::new();
    server.process(
        &mut Bare(Device::default()),
        Transport::Udp,
        &request,
        &mut tx,
        &mut |r| out.push(r[8..].to_vec()),
    );
    assert_eq!(out, [vec![0xBF, 0x62, b'r', b'c', 0x08, 0xFF]]);
}
