//! Group 64, `counter`: how an application adds a group of its own to the
//! server, without touching the core.
//!
//! | id | op | request | response |
//! |---|---|---|---|
//! | 0 | read | `{}` | `{"value": N}` (0 after boot) |
//! | 0 | write | `{"value": N}` | `{}` |
//! | 1 | write | `{}` | `{"value": N + 1}` |
//!
//! N is an unsigned integer of at most [`MAX`]; beyond it the request is
//! refused with the group's error 1 (`err {64, 1}`, rc 3 for v1 clients) and
//! the value stays. A missing or wrongly typed `value` is rc 3.
//!
//! The group's state, [`Counter`], is the application's: the platform hands
//! it to the handlers through [`Platform::app`](smp_server::Platform::app).
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]

use smp_server::cbor::{decode_map, once, Field, Response};
use smp_server::dispatch::{Command, Ctx, Group, Request};
use smp_server::{Error, GroupId, MgmtErr};

/// The group's id: the first of the user-defined ones.
pub const ID: GroupId = GroupId(64);

/// The largest value the counter holds.
pub const MAX: u64 = 1000;

smp_server::group_errors! {
    /// The counter group's errors (`err.rc` with group 64).
    pub enum CounterError for ID {
        /// The value would exceed [`MAX`].
        TooLarge = 1 => Inval,
    }
}

/// The group's command ids.
pub mod cmd {
    /// Reads (read) or sets (write) the value.
    pub const VALUE: u8 = 0;
    /// Adds 1 to the value and answers it.
    pub const INCREMENT: u8 = 1;
}

/// The group's state, kept by the application.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counter {
    /// The value, at most [`MAX`].
    pub value: u64,
}

/// The group: serve it by adding it to the server's group list.
pub static GROUP: Group = Group {
    id: ID,
    name: "counter",
    commands: smp_server::command_table![
        cmd::VALUE => Command::read_write(read, write),
        cmd::INCREMENT => Command::write(increment),
    ],
};

fn read(ctx: &mut Ctx<'_>, _: &Request<'_>, rsp: &mut Response<'_>) -> Result<(), Error> {
    let counter = ctx.app::<Counter>()?;
    rsp.str("value")?.u64(counter.value)?;
    Ok(())
}

fn write(ctx: &mut Ctx<'_>, req: &Request<'_>, _: &mut Response<'_>) -> Result<(), Error> {
    let mut value = None;
    decode_map(req.payload, |key, dec| match key {
        k if k == b"value" => once(&mut value, dec.u64()),
        _ => Ok(Field::Unknown),
    })?;
    let value = value.ok_or(MgmtErr::Inval)?;
    if value > MAX {
        return Err(CounterError::TooLarge.into());
    }
    ctx.app::<Counter>()?.value = value;
    Ok(())
}

fn increment(ctx: &mut Ctx<'_>, _: &Request<'_>, rsp: &mut Response<'_>) -> Result<(), Error> {
    let counter = ctx.app::<Counter>()?;
    let value = counter.value.saturating_add(1);
    if value > MAX {
        return Err(CounterError::TooLarge.into());
    }
    counter.value = value;
    rsp.str("value")?.u64(value)?;
    Ok(())
}

#[cfg(test)]
mod tests;
