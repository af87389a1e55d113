//! Group 128, Memfault (protocol.md §2.8): device information and the
//! project key, for a phone or gateway that forwards Memfault chunks.

pub mod platform;

pub use platform::*;

use crate::cbor::Response;
use crate::dispatch::{Command, Ctx, Group, Request};
use crate::error::{Error, MgmtErr};
use crate::header::GroupId;

/// The group's command ids.
pub mod cmd {
    /// Device serial, hardware and software versions.
    pub const DEVICE_INFO: u8 = 0;
    /// The Memfault project key.
    pub const PROJECT_KEY: u8 = 1;
}

/// The group: its id, name and command table.
pub static GROUP: Group = Group {
    id: GroupId::MEMFAULT,
    name: "memfault mgmt",
    commands: crate::command_table![
        cmd::DEVICE_INFO => Command::read(device_info),
        cmd::PROJECT_KEY => Command::read(project_key),
    ],
};

fn platform<'c>(
    ctx: &'c mut Ctx<'_>,
    req: &Request<'_>,
) -> Result<&'c mut dyn MemfaultPlatform, Error> {
    let memfault = ctx.platform.memfault().ok_or(MgmtErr::NotSup)?;
    if !memfault.access_allowed(req.transport) {
        return Err(MgmtErr::AccessDenied.into());
    }
    Ok(memfault)
}

/// The request payload is ignored, as in the Memfault SDK.
fn device_info(ctx: &mut Ctx<'_>, req: &Request<'_>, rsp: &mut Response<'_>) -> Result<(), Error> {
    let info = platform(ctx, req)?.device_info();
    rsp.str("device_serial")?
        .str(info.device_serial.unwrap_or_default())?;
    rsp.str("hardware_version")?
        .str(info.hardware_version.unwrap_or_default())?;
    rsp.str("software_type")?
        .str(info.software_type.unwrap_or_default())?;
    rsp.str("current_version")?
        .str(info.software_version.unwrap_or_default())?;
    Ok(())
}

fn project_key(ctx: &mut Ctx<'_>, req: &Request<'_>, rsp: &mut Response<'_>) -> Result<(), Error> {
    let memfault = platform(ctx, req)?;
    let key = memfault
        .project_key()
        .filter(|k| !k.is_empty())
        .ok_or(MemfaultError::NoProjectKey)?;
    rsp.str("project_key")?.str(key)?;
    Ok(())
}

#[cfg(test)]
mod tests;
