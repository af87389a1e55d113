//! An application group: the vendor-group sample's group 64, `counter`, served
//! with `--example-groups`, driven by the `mcumgr-toolkit` client's
//! `raw_command` over UDP and the serial pseudo-terminal.

mod support;

use mcumgr_toolkit::commands::McuMgrCommand;
use serde::{Deserialize, Serialize};

use support::{device_error, external, lacks, v2, Sim, StateDir, Transport};

const COUNTER: u16 = 64;

#[derive(Serialize)]
struct Empty {}

#[derive(Serialize)]
struct SetValue {
    value: u64,
}

#[derive(Debug, Deserialize)]
struct Value {
    value: u64,
}

#[derive(Debug, Deserialize)]
struct Nothing {}

/// Command 0 read.
struct ReadValue(Empty);
/// Command 0 write.
struct WriteValue(SetValue);
/// Command 1 write.
struct Increment(Empty);

impl McuMgrCommand for ReadValue {
    type Payload = Empty;
    type Response = Value;
    fn is_write_operation(&self) -> bool {
        false
    }
    fn group_id(&self) -> u16 {
        COUNTER
    }
    fn command_id(&self) -> u8 {
        0
    }
    fn data(&self) -> &Empty {
        &self.0
    }
}

impl McuMgrCommand for WriteValue {
    type Payload = SetValue;
    type Response = Nothing;
    fn is_write_operation(&self) -> bool {
        true
    }
    fn group_id(&self) -> u16 {
        COUNTER
    }
    fn command_id(&self) -> u8 {
        0
    }
    fn data(&self) -> &SetValue {
        &self.0
    }
}

impl McuMgrCommand for Increment {
    type Payload = Empty;
    type Response = Value;
    fn is_write_operation(&self) -> bool {
        true
    }
    fn group_id(&self) -> u16 {
        COUNTER
    }
    fn command_id(&self) -> u8 {
        1
    }
    fn data(&self) -> &Empty {
        &self.0
    }
}

fn counter(t: Transport) {
    // An SMP_TARGET device is the vendor-group firmware sample, which serves
    // the group without options.
    if lacks(t) {
        return;
    }
    let state = StateDir::new();
    let extra: &[&str] = if external().is_some() {
        &[]
    } else {
        &["--example-groups"]
    };
    let sim = Sim::start(&state, extra);
    let client = sim.client(t);
    // A device that stays up between tests may have counted already.
    if external().is_some() {
        client
            .raw_command(&WriteValue(SetValue { value: 0 }))
            .unwrap();
    }
    assert_eq!(client.raw_command(&ReadValue(Empty {})).unwrap().value, 0);
    assert_eq!(client.raw_command(&Increment(Empty {})).unwrap().value, 1);
    client
        .raw_command(&WriteValue(SetValue { value: 1000 }))
        .unwrap();
    assert_eq!(
        device_error(client.raw_command(&Increment(Empty {}))),
        v2(COUNTER, 1)
    );
    assert_eq!(
        device_error(client.raw_command(&WriteValue(SetValue { value: 1001 }))),
        v2(COUNTER, 1)
    );
    assert_eq!(
        client.raw_command(&ReadValue(Empty {})).unwrap().value,
        1000
    );
    drop(client);
    sim.stop();
}

support::over_both_transports!(counter);
