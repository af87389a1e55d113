//! Group 63, Zephyr basic (protocol.md §2.7): storage erase.
//!
//! Errors are reported under group 63 and translate to a non-zero `rc` for
//! v1 requests (Zephyr translates two of them to 0 and then sends a malformed
//! reply, protocol.md §1.9).

pub mod platform;

pub use platform::*;

use crate::cbor::Response;
use crate::dispatch::{Command, Ctx, Group, Request};
use crate::error::{Error, MgmtErr};
use crate::event::Event;
use crate::header::GroupId;

/// The group's command ids.
pub mod cmd {
    /// Erases the storage partition.
    pub const ERASE_STORAGE: u8 = 0;
}

/// The group: its id, name and command table.
pub static GROUP: Group = Group {
    id: GroupId::ZEPHYR_BASIC,
    name: "zephyr basic mgmt",
    commands: crate::command_table![
        cmd::ERASE_STORAGE => Command::write(erase_storage),
    ],
};

/// The request payload is not read, as in Zephyr. An open file transfer is
/// closed first: its file is about to disappear.
fn erase_storage(ctx: &mut Ctx<'_>, _: &Request<'_>, _: &mut Response<'_>) -> Result<(), Error> {
    if ctx.platform.basic().is_none() {
        return Err(MgmtErr::NotSup.into());
    }
    ctx.notify(Event::StorageErasing);
    match ctx.platform.basic() {
        Some(basic) => Ok(basic.erase_storage()?),
        None => Err(MgmtErr::NotSup.into()),
    }
}

#[cfg(test)]
mod tests;
