//! Portable MCUmgr SMP server core.
//!
//! Protocol rules, transport codecs, dispatch through static group tables, and
//! the groups themselves, with no I/O, no heap and no operating system: a
//! platform provides buffers and implements the traits in [`platform`].
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]

pub mod bytes;
pub mod cbor;
pub mod codec;
pub mod dispatch;
pub mod error;
pub mod event;
pub mod flash;
pub mod groups;
pub mod header;
pub mod mcuboot;
pub mod netbuf;
pub mod platform;
pub mod request;
pub mod sha256;
pub mod text;

#[cfg(test)]
mod robustness;
#[cfg(test)]
mod testing;

pub use dispatch::{AfterResponse, Command, Ctx, Group, Params, Server};
pub use error::{Error, GroupErr, MgmtErr};
pub use header::{GroupId, Header, Op, Version, HEADER_LEN};
pub use platform::Platform;
pub use request::{Request, Transport};
