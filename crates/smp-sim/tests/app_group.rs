//! An application group: the vendor-group sample's group 64, `counter`, served
//! with `--example-groups`, driven by the `mcumgr-toolkit` client's
//! `raw_command` over UDP and the serial pseudo-terminal.

mod support;

use mcumgr_toolkit::commands::McuMgrCommand;
use serde::{Deserialize, Serialize};

use support::{device_error, needs_sim, v2, Sim, StateDir, Transport};

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
    if needs_sim("--example-groups") {
        return;
    }
    let state = StateDir::new();
    let sim = Sim::start(&state, &["--example-groups"]);
    let client = sim.client(t);
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
