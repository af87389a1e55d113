//! Group 128, Memfault (protocol.md §2.8): device information and the
//! project key, for a phone or gateway that forwards Memfault chunks.

use crate::cbor::Response;
use crate::dispatch::{Command, Ctx, Group, Request, Transport};
use crate::error::{Error, MgmtErr};
use crate::header::GroupId;

crate::group_errors! {
    /// Memfault group errors (`err.rc` with group 128).
    pub enum MemfaultError for GroupId::MEMFAULT {
        Unknown = 1 => Unknown,
        NoProjectKey = 2 => NoEnt,
    }
}

/// `memfault_platform_get_device_info()`; a missing field is sent as `""`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DeviceInfo<'a> {
    pub device_serial: Option<&'a str>,
    pub hardware_version: Option<&'a str>,
    pub software_type: Option<&'a str>,
    /// Sent as `current_version`.
    pub software_version: Option<&'a str>,
}

/// What the Memfault group asks of the platform.
pub trait MemfaultPlatform {
    /// The group's access callback (`memfault_mcumgr_set_access_callback`):
    /// `false` answers every command of the group with rc 11.
    fn access_allowed(&mut self, transport: Transport) -> bool {
        let _ = transport;
        true
    }

    fn device_info(&self) -> DeviceInfo<'_>;

    /// The project key; `None` or empty when none is configured.
    fn project_key(&self) -> Option<&str>;
}

pub static GROUP: Group = Group {
    id: GroupId::MEMFAULT,
    name: "memfault mgmt",
    commands: &[Command::read(device_info), Command::read(project_key)],
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
