//! Portable MCUmgr SMP server core.
//!
//! Protocol rules, transport codecs, dispatch through static group tables, and
//! the groups themselves, with no I/O, no heap and no operating system: a
//! platform provides buffers and implements the traits in [`platform`].
//!
//! A server is a list of groups and the buffer geometry it reports; a
//! platform is whatever implements [`Platform`] (here, in memory: an os part
//! and nothing else, so every other group would answer rc 8). One call of
//! [`Server::process`] answers every packet in a buffer:
//!
//! ```
//! use smp_server::groups::os::{BootloaderInfo, OsInfo, OsPlatform, TaskInfo};
//! use smp_server::groups::{enumeration, os};
//! use smp_server::{Error, Group, Params, Platform, Server, Transport};
//!
//! struct Board;
//!
//! impl OsPlatform for Board {
//!     fn info(&self) -> OsInfo<'_> {
//!         OsInfo {
//!             kernel_name: "Zephyr",
//!             node_name: "board",
//!             kernel_release: "4.1.99",
//!             kernel_version: "4.1.99",
//!             build_date_time: None,
//!             machine: "arm",
//!             processor: "cortex-m4",
//!             hardware_platform: "board",
//!             operating_system: "Zephyr",
//!         }
//!     }
//!     fn tasks(&mut self, _: &mut dyn FnMut(&TaskInfo<'_>) -> Result<(), Error>) -> Result<(), Error> {
//!         Ok(())
//!     }
//!     fn prepare_reset(&mut self, _force: bool, _boot_mode: Option<u8>) -> Result<(), Error> {
//!         Ok(())
//!     }
//!     fn bootloader(&self) -> Option<BootloaderInfo> {
//!         None
//!     }
//! }
//!
//! impl Platform for Board {
//!     fn os(&mut self) -> &mut dyn OsPlatform {
//!         self
//!     }
//! }
//!
//! static GROUPS: &[&Group] = &[&os::GROUP, &enumeration::GROUP];
//! let mut server = Server::new(GROUPS, Params { buf_size: 384, buf_count: 4 });
//!
//! // os echo (group 0, id 0), v2 write, sequence 7: {"d": "hi"}
//! let request = [0x0A, 0, 0, 6, 0, 0, 7, 0, 0xA1, 0x61, b'd', 0x62, b'h', b'i'];
//! let mut tx = [0u8; 384];
//! let mut responses = Vec::new();
//! server.process(&mut Board, Transport::Udp, &request, &mut tx, &mut |r| {
//!     responses.push(r.to_vec())
//! });
//!
//! // v2 write response, 7 payload bytes, same group, sequence and id: {"r": "hi"}
//! let response = [0x0B, 0, 0, 7, 0, 0, 7, 0, 0xBF, 0x61, b'r', 0x62, b'h', b'i', 0xFF];
//! assert_eq!(responses, [response.to_vec()]);
//! ```
// The test bench needs std (it is built for the unit tests and, with the
// `testing` feature, for the fuzz targets); everything else is no_std.
#![cfg_attr(not(any(test, feature = "testing")), no_std)]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
// Panic-free by construction outside tests: no unwrap/expect/panic, no
// indexing or slicing that could be out of bounds (`get`, `bytes::copy`,
// `bytes::split` instead). Arithmetic is linted where its operands come from
// outside: the modules that parse wire bytes and flash contents (`cbor`,
// `codec`, `header`, `netbuf`, `mcuboot`) deny `arithmetic_side_effects`, so
// each operation there is checked or saturating where the operands come off
// the wire, and wrapping (free) only where the code right before it bounds
// the result, with a comment saying how. Elsewhere the operands are the server's own
// (counters, positions inside a buffer it filled, the calendar); the firmware
// builds without overflow checks (wrapping, never panicking), and the debug
// builds of the tests and the fuzzers check every overflow.
// docs/robustness.md has the reasoning.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::unreachable,
        clippy::todo
    )
)]

pub mod bytes;
#[cfg_attr(not(test), deny(clippy::arithmetic_side_effects))]
pub mod cbor;
#[cfg_attr(not(test), deny(clippy::arithmetic_side_effects))]
pub mod codec;
pub mod dispatch;
pub mod error;
pub mod event;
pub mod flash;
pub mod groups;
#[cfg_attr(not(test), deny(clippy::arithmetic_side_effects))]
pub mod header;
pub mod hooks;
#[cfg_attr(not(test), deny(clippy::arithmetic_side_effects))]
pub mod mcuboot;
#[cfg_attr(not(test), deny(clippy::arithmetic_side_effects))]
pub mod netbuf;
pub mod platform;
pub mod request;
pub mod sha256;
pub mod text;

#[cfg(test)]
mod robustness;
// The bench is shared with the fuzz targets; its fakes are test code, not API,
// hence no docs for each field.
#[cfg(any(test, feature = "testing"))]
#[allow(missing_docs)]
pub mod testing;

pub use dispatch::{AfterResponse, Command, Ctx, Group, Params, Server};
pub use error::{Error, GroupErr, MgmtErr};
pub use header::{GroupId, Header, Op, Version, HEADER_LEN};
pub use hooks::{Hooks, NoHooks};
pub use platform::Platform;
pub use request::{Request, Transport};
