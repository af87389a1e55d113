//! Group 10, enumeration (protocol.md §2.6): answers from the server's own
//! group list.

use crate::cbor::{decode_map, once, Field, Response};
use crate::dispatch::{Command, Ctx, Group, Request};
use crate::error::{Error, MgmtErr};
use crate::header::GroupId;

crate::group_errors! {
    /// Enumeration group errors (`err.rc` with group 10).
    pub enum EnumError for GroupId::ENUM {
        /// An error no other code describes.
        Unknown = 1 => Unknown,
        /// details: more ids in `groups` than the server takes.
        TooManyGroupEntries = 2 => Inval,
        /// No memory for the entries; not sent by this server, which allocates
        /// none.
        InsufficientHeapForEntries = 3 => Unknown,
        /// single: `index` is past the last group.
        IndexTooLarge = 4 => Unknown,
    }
}

/// Most group ids a details filter may list (as Zephyr's stack buffer).
pub const MAX_DETAILS_FILTER: usize = 16;

/// The group's command ids.
pub mod cmd {
    /// The number of groups.
    pub const COUNT: u8 = 0;
    /// The ids of every group.
    pub const LIST: u8 = 1;
    /// One group id, by index.
    pub const SINGLE: u8 = 2;
    /// Names and handler counts of groups.
    pub const DETAILS: u8 = 3;
}

/// The group: its id, name and command table.
pub static GROUP: Group = Group {
    id: GroupId::ENUM,
    name: "enum mgmt",
    commands: crate::command_table![
        cmd::COUNT => Command::read(count),
        cmd::LIST => Command::read(list),
        cmd::SINGLE => Command::read(single),
        cmd::DETAILS => Command::read(details),
    ],
};

fn count(ctx: &mut Ctx<'_>, _: &Request<'_>, rsp: &mut Response<'_>) -> Result<(), Error> {
    rsp.str("count")?.u64(ctx.groups.len() as u64)?;
    Ok(())
}

fn list(ctx: &mut Ctx<'_>, _: &Request<'_>, rsp: &mut Response<'_>) -> Result<(), Error> {
    rsp.str("groups")?.begin_array()?;
    for g in ctx.groups {
        rsp.u16(g.id.0)?;
    }
    rsp.end()?;
    Ok(())
}

fn single(ctx: &mut Ctx<'_>, req: &Request<'_>, rsp: &mut Response<'_>) -> Result<(), Error> {
    let mut index = None;
    decode_map(req.payload, |key, dec| match key {
        k if k == b"index" => once(&mut index, crate::cbor::uint::<u16>(dec)),
        _ => Ok(Field::Unknown),
    })?;
    let index = usize::from(index.unwrap_or(0));
    let group = ctx.groups.get(index).ok_or(EnumError::IndexTooLarge)?;
    rsp.str("group")?.u16(group.id.0)?;
    if index + 1 == ctx.groups.len() {
        rsp.str("end")?.bool(true)?;
    }
    Ok(())
}

fn details(ctx: &mut Ctx<'_>, req: &Request<'_>, rsp: &mut Response<'_>) -> Result<(), Error> {
    let mut filter: Option<heapless::Vec<u16, MAX_DETAILS_FILTER>> = None;
    decode_map(req.payload, |key, dec| match key {
        k if k == b"groups" => {
            if filter.is_some() {
                return Err(MgmtErr::Inval.into());
            }
            let mut ids = heapless::Vec::new();
            let declared = dec.array().map_err(|_| MgmtErr::Inval)?;
            loop {
                match declared {
                    Some(n) if ids.len() as u64 == n => break,
                    None if dec.take_break().map_err(|_| MgmtErr::Inval)? => break,
                    _ => {}
                }
                let id = crate::cbor::uint::<u16>(dec)?;
                ids.push(id).map_err(|_| EnumError::TooManyGroupEntries)?;
            }
            filter = Some(ids);
            Ok(Field::Taken)
        }
        _ => Ok(Field::Unknown),
    })?;
    rsp.str("groups")?.begin_array()?;
    let listed = |g: &&&Group| filter.as_ref().is_none_or(|ids| ids.contains(&g.id.0));
    for g in ctx.groups.iter().filter(listed) {
        rsp.begin_map()?;
        rsp.str("group")?.u16(g.id.0)?;
        rsp.str("name")?.str(g.name)?;
        rsp.str("handlers")?.u64(g.commands.len() as u64)?;
        rsp.end()?;
    }
    rsp.end()?;
    Ok(())
}

#[cfg(test)]
mod tests;
