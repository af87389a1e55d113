//! Group 63, Zephyr basic (protocol.md §2.7): storage erase.
//!
//! Errors are reported under group 63 and translate to a non-zero `rc` for
//! v1 requests (Zephyr translates two of them to 0 and then sends a malformed
//! reply, protocol.md §1.9).

use crate::cbor::Response;
use crate::dispatch::{Command, Ctx, Group, Request};
use crate::error::{Error, MgmtErr};
use crate::header::GroupId;

crate::group_errors! {
    /// Zephyr basic group errors (`err.rc` with group 63).
    pub enum BasicError for GroupId::ZEPHYR_BASIC {
        Unknown = 1 => Unknown,
        FlashOpenFailed = 2 => NoEnt,
        FlashConfigQueryFail = 3 => Unknown,
        FlashEraseFailed = 4 => Unknown,
    }
}

/// What the Zephyr basic group asks of the platform.
pub trait BasicPlatform {
    /// Erases the whole storage partition (settings, file systems), before
    /// answering.
    fn erase_storage(&mut self) -> Result<(), BasicError>;
}

pub static GROUP: Group = Group {
    id: GroupId::ZEPHYR_BASIC,
    name: "zephyr basic mgmt",
    commands: &[Command::write(erase_storage)],
};

/// The request payload is not read, as in Zephyr. An open file transfer is
/// closed first: its file is about to disappear.
fn erase_storage(ctx: &mut Ctx<'_>, _: &Request<'_>, _: &mut Response<'_>) -> Result<(), Error> {
    if ctx.platform.basic().is_none() {
        return Err(MgmtErr::NotSup.into());
    }
    if let Some(fs) = ctx.platform.fs() {
        ctx.state.fs.close(fs);
    }
    match ctx.platform.basic() {
        Some(basic) => Ok(basic.erase_storage()?),
        None => Err(MgmtErr::NotSup.into()),
    }
}

#[cfg(test)]
mod tests;
