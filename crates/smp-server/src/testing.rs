//! A fake platform and helpers for the core's unit tests.

use crate::dispatch::{AfterResponse, Group, Params, Server, Transport};
use crate::error::{Error, MgmtErr};
use crate::groups::os::{
    BootloaderInfo, ClockError, DateTime, OsInfo, OsPlatform, PoolInfo, TaskInfo,
};
use crate::groups::{enumeration, os};
use crate::platform::Platform;

/// The groups a default test server has, in registration order.
pub static GROUPS: &[&Group] = &[&os::GROUP, &enumeration::GROUP];

pub struct FakePlatform {
    pub clock: Option<DateTime>,
    pub clock_fails: bool,
    pub build_time: Option<&'static str>,
    pub node_name: &'static str,
    pub tasks: &'static [TaskInfo<'static>],
    pub pools: Option<&'static [PoolInfo<'static>]>,
    pub reset_refusal: Option<Error>,
    pub reset_asked: Option<(bool, Option<u8>)>,
    /// `None`: a device without a bootloader.
    pub bootloader: Option<BootloaderInfo>,
}

impl Default for FakePlatform {
    fn default() -> Self {
        FakePlatform {
            clock: None,
            clock_fails: false,
            build_time: None,
            node_name: "unknown",
            tasks: &[],
            pools: None,
            reset_refusal: None,
            reset_asked: None,
            bootloader: Some(BootloaderInfo {
                name: "MCUboot",
                mode: 3,
                no_downgrade: false,
            }),
        }
    }
}

impl Platform for FakePlatform {
    fn os(&mut self) -> &mut dyn OsPlatform {
        self
    }
}

impl OsPlatform for FakePlatform {
    fn info(&self) -> OsInfo<'_> {
        OsInfo {
            kernel_name: "Zephyr",
            node_name: self.node_name,
            kernel_release: "v4.1.99",
            kernel_version: "v4.1.99-123",
            build_date_time: self.build_time,
            machine: "arm",
            processor: "cortex-m4",
            hardware_platform: "nrf52840dk@1.0",
            operating_system: "Zephyr",
        }
    }

    fn tasks(
        &mut self,
        visit: &mut dyn FnMut(&TaskInfo<'_>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        self.tasks.iter().try_for_each(visit)
    }

    fn memory_pools(
        &mut self,
        visit: &mut dyn FnMut(&PoolInfo<'_>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        self.pools
            .ok_or(MgmtErr::NotSup)?
            .iter()
            .try_for_each(visit)
    }

    fn datetime(&mut self) -> Result<DateTime, ClockError> {
        if self.clock_fails {
            return Err(ClockError::Failed);
        }
        self.clock.ok_or(ClockError::NotSet)
    }

    fn set_datetime(&mut self, now: DateTime) -> Result<(), ClockError> {
        if self.clock_fails {
            return Err(ClockError::Failed);
        }
        self.clock = Some(now);
        Ok(())
    }

    fn prepare_reset(&mut self, force: bool, boot_mode: Option<u8>) -> Result<(), Error> {
        self.reset_asked = Some((force, boot_mode));
        match self.reset_refusal {
            Some(e) if !force => Err(e),
            _ => Ok(()),
        }
    }

    fn bootloader(&self) -> Option<BootloaderInfo> {
        self.bootloader
    }
}

/// What one call of [`Server::process`] sent back.
pub struct Exchange {
    pub responses: Vec<Vec<u8>>,
    pub after_response: Option<AfterResponse>,
}

impl Exchange {
    /// The single response, or a panic naming how many there were.
    pub fn only(&self) -> &[u8] {
        assert_eq!(
            self.responses.len(),
            1,
            "responses: {:02x?}",
            self.responses
        );
        &self.responses[0]
    }
}

pub const PARAMS: Params = Params {
    buf_size: 384,
    buf_count: 4,
};

/// Runs `input` through a server with the default groups and a response buffer of `tx_size`.
pub fn exchange_with(platform: &mut FakePlatform, input: &[u8], tx_size: usize) -> Exchange {
    let mut server = Server::new(GROUPS, PARAMS);
    let mut tx = vec![0u8; tx_size];
    let mut responses = Vec::new();
    let after_response = server.process(platform, Transport::Udp, input, &mut tx, &mut |r| {
        responses.push(r.to_vec())
    });
    Exchange {
        responses,
        after_response,
    }
}

pub fn exchange(platform: &mut FakePlatform, input: &[u8]) -> Exchange {
    exchange_with(platform, input, PARAMS.buf_size)
}

/// Builds a request packet: header fields and a CBOR payload.
pub fn packet(op_byte: u8, group: u16, seq: u8, id: u8, payload: &[u8]) -> Vec<u8> {
    let mut p = vec![op_byte, 0];
    p.extend_from_slice(&(payload.len() as u16).to_be_bytes());
    p.extend_from_slice(&group.to_be_bytes());
    p.extend_from_slice(&[seq, id]);
    p.extend_from_slice(payload);
    p
}

/// Parses hex with optional spaces and `"text"` segments taken as UTF-8 bytes,
/// so vectors read like the reference: `bf 66 "output" 66 "Zephyr" ff`.
pub fn bytes(spec: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, part) in spec.split('"').enumerate() {
        if i % 2 == 1 {
            out.extend_from_slice(part.as_bytes());
        } else {
            let hex: String = part.chars().filter(|c| !c.is_whitespace()).collect();
            out.extend(hex::decode(hex).expect("hex"));
        }
    }
    out
}
