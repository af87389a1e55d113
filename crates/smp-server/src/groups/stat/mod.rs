//! Group 2, statistics (protocol.md §2.2).
//!
//! A statistics group is a name and a fixed list of named counters. Groups are
//! declared in Rust without heap with [`stat_counters!`](crate::stat_counters),
//! which turns a list of field names into a struct of `u64` counters and its
//! static name table. The server publishes its own groups (traffic per
//! transport, transfer bytes, counted in [`Server::process`](crate::Server::process)
//! and by the groups); the platform adds its own through [`StatPlatform`].
//!
//! Errors are reported under group 2, not under group 63 as Zephyr's
//! `stat_mgmt.c` does (protocol.md §1.9).

pub mod platform;
pub mod state;

pub use platform::*;
pub use state::*;

use crate::cbor::{decode_map, once, Field, Response};
use crate::dispatch::{Command, Ctx, Group, Request};
use crate::error::{Error, MgmtErr};
use crate::header::GroupId;

/// The group's command ids.
pub mod cmd {
    /// The counters of one statistics group.
    pub const SHOW: u8 = 0;
    /// The names of the statistics groups.
    pub const LIST: u8 = 1;
}

/// The group: its id, name and command table.
pub static GROUP: Group = Group {
    id: GroupId::STAT,
    name: "stat mgmt",
    commands: crate::command_table![
        cmd::SHOW => Command::read(show),
        cmd::LIST => Command::read(list),
    ],
};

/// Visits the server's groups, then the platform's.
fn for_each_group(
    ctx: &mut Ctx<'_>,
    visit: &mut dyn FnMut(StatGroup<'_>) -> Result<(), Error>,
) -> Result<(), Error> {
    // One bit per transport, by `link_index`.
    let served: u8 = match ctx.platform.stat() {
        Some(stat) => stat
            .transports()
            .iter()
            .fold(0, |bits, t| bits | 1 << link_index(*t)),
        None => u8::MAX,
    };
    for t in ALL_TRANSPORTS
        .iter()
        .filter(|t| served & 1 << link_index(**t) != 0)
    {
        visit(StatGroup {
            name: link_group_name(*t),
            counters: ctx.state.stat.link(*t),
        })?;
    }
    visit(StatGroup {
        name: TRANSFER_GROUP,
        counters: &ctx.state.stat.transfer,
    })?;
    match ctx.platform.stat() {
        Some(stat) => stat.for_each_group(visit),
        None => Ok(()),
    }
}

fn show(ctx: &mut Ctx<'_>, req: &Request<'_>, rsp: &mut Response<'_>) -> Result<(), Error> {
    let mut name = None;
    decode_map(req.payload, |key, dec| match key {
        k if k == b"name" => once(&mut name, dec.text()),
        _ => Ok(Field::Unknown),
    })?;
    let name = name
        .filter(|n| !n.is_empty() && n.len() < NAME_LEN)
        .ok_or(MgmtErr::Inval)?;
    let mut found = false;
    for_each_group(ctx, &mut |group| {
        if found || group.name.as_bytes() != name {
            return Ok(());
        }
        found = true;
        rsp.str("name")?.str(group.name)?;
        rsp.str("fields")?.begin_map()?;
        group.counters.for_each_field(&mut |field, value| {
            rsp.str(field)?.u64(value)?;
            Ok(())
        })?;
        rsp.end()?;
        Ok(())
    })?;
    if !found {
        return Err(StatError::InvalidStatName.into());
    }
    Ok(())
}

fn list(ctx: &mut Ctx<'_>, _: &Request<'_>, rsp: &mut Response<'_>) -> Result<(), Error> {
    rsp.str("stat_list")?.begin_array()?;
    for_each_group(ctx, &mut |group| {
        rsp.str(group.name)?;
        Ok(())
    })?;
    rsp.end()?;
    Ok(())
}

#[cfg(test)]
mod tests;
