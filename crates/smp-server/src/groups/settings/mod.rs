//! Group 3, settings (protocol.md §2.3).
//!
//! Values are opaque byte strings. As in Zephyr, read and write act on the
//! running values, delete removes a key from storage, commit applies the
//! running values, load reads storage into them and save writes them to
//! storage (one subtree when `name` is given).
//!
//! Where Zephyr leaves a case to the settings backend, this group decides:
//! - a value longer than [`SettingsPlatform::value_len`] is refused with rc 3
//!   (as an over-long fs name is), never stored cut;
//! - a read whose value is longer than the limit asked for (`max_size`, else
//!   the platform's limit) returns its first bytes; one that outgrows the
//!   response buffer is rc 7;
//! - failures of commit, load and save are reported (err {3, 1}, or
//!   {3, 8} when saving is not supported) instead of ignored.

pub mod platform;

pub use platform::*;

use crate::cbor::{decode_map, head_len, once, put_in_place, Field, Response, StrKind};
use crate::dispatch::{Command, Ctx, Group, Request};
use crate::error::{Error, MgmtErr};
use crate::header::GroupId;
use crate::hooks::{Hooks, SettingsAccess};

/// The group's command ids.
pub mod cmd {
    /// Reads (read) or writes (write) a running value.
    pub const READ_WRITE: u8 = 0;
    /// Deletes a stored value.
    pub const DELETE: u8 = 1;
    /// Applies the running values.
    pub const COMMIT: u8 = 2;
    /// Loads from (read) or saves to (write) storage.
    pub const LOAD_SAVE: u8 = 3;
}

/// The group: its id, name and command table.
pub static GROUP: Group = Group {
    id: GroupId::SETTINGS,
    name: "settings mgmt",
    commands: crate::command_table![
        cmd::READ_WRITE => Command::read_write(read, write),
        cmd::DELETE => Command::write(delete),
        cmd::COMMIT => Command::write(commit),
        cmd::LOAD_SAVE => Command::read_write(load, save),
    ],
};

fn platform<'c>(
    ctx: &'c mut Ctx<'_>,
) -> Result<(&'c mut dyn SettingsPlatform, &'c mut dyn Hooks), Error> {
    let settings = ctx.platform.settings().ok_or(MgmtErr::NotSup)?;
    Ok((settings, &mut *ctx.hooks))
}

/// A `name` that is present and not empty (else rc 3) and shorter than the
/// platform's name buffer (else err {3, 2}).
fn checked_name<'n>(
    settings: &dyn SettingsPlatform,
    name: Option<&'n str>,
) -> Result<&'n str, Error> {
    let name = name.filter(|n| !n.is_empty()).ok_or(MgmtErr::Inval)?;
    if name.len() >= settings.name_len() {
        return Err(SettingsError::KeyTooLong.into());
    }
    Ok(name)
}

/// The error of a failed read, write or delete; `not_supported` is the
/// command's own "not supported" code.
fn key_error(failure: SettingsFailure, not_supported: SettingsError) -> Error {
    match failure {
        SettingsFailure::RootNotFound => SettingsError::RootKeyNotFound,
        SettingsFailure::NotFound => SettingsError::KeyNotFound,
        SettingsFailure::NotSupported => not_supported,
        SettingsFailure::Failed => SettingsError::Unknown,
    }
    .into()
}

fn read(ctx: &mut Ctx<'_>, req: &Request<'_>, rsp: &mut Response<'_>) -> Result<(), Error> {
    let (mut name, mut max_size) = (None, None);
    decode_map(req.payload, |key, dec| match key {
        k if k == b"name" => once(&mut name, dec.str()),
        k if k == b"max_size" => once(&mut max_size, crate::cbor::uint::<u32>(dec)),
        _ => Ok(Field::Unknown),
    })?;
    let (settings, hooks) = platform(ctx)?;
    let name = checked_name(settings, name)?;
    hooks.settings_access(SettingsAccess::Read, Some(name))?;
    let value_len = settings.value_len();
    let asked = max_size.map_or(value_len, |m| m as usize);
    let limited = asked > value_len;
    let max = asked.min(value_len);
    // what follows the value: "max_size" and its number when limited, the map end
    let reserve = 1 + if limited { 9 + head_len(value_len) } else { 0 };
    rsp.str("val")?;
    put_in_place(rsp, StrKind::Bytes, max, reserve, |out| {
        let full = settings
            .read(name, out)
            .map_err(|f| key_error(f, SettingsError::ReadNotSupported))?;
        if full > out.len() && out.len() < max {
            // cut by the response buffer, not by the limit asked for
            return Err(MgmtErr::MsgSize.into());
        }
        Ok(full.min(out.len()))
    })?;
    if limited {
        rsp.str("max_size")?.u64(value_len as u64)?;
    }
    Ok(())
}

fn write(ctx: &mut Ctx<'_>, req: &Request<'_>, _: &mut Response<'_>) -> Result<(), Error> {
    let (mut name, mut val) = (None, None);
    decode_map(req.payload, |key, dec| match key {
        k if k == b"name" => once(&mut name, dec.str()),
        k if k == b"val" => once(&mut val, dec.bytes()),
        _ => Ok(Field::Unknown),
    })?;
    let (settings, hooks) = platform(ctx)?;
    let name = checked_name(settings, name)?;
    hooks.settings_access(SettingsAccess::Write, Some(name))?;
    let val = val.ok_or(MgmtErr::Inval)?;
    if val.len() > settings.value_len() {
        return Err(MgmtErr::Inval.into());
    }
    settings
        .write(name, val)
        .map_err(|f| key_error(f, SettingsError::WriteNotSupported))
}

fn delete(ctx: &mut Ctx<'_>, req: &Request<'_>, _: &mut Response<'_>) -> Result<(), Error> {
    let mut name = None;
    decode_map(req.payload, |key, dec| match key {
        k if k == b"name" => once(&mut name, dec.str()),
        _ => Ok(Field::Unknown),
    })?;
    let (settings, hooks) = platform(ctx)?;
    let name = checked_name(settings, name)?;
    hooks.settings_access(SettingsAccess::Delete, Some(name))?;
    settings
        .delete(name)
        .map_err(|f| key_error(f, SettingsError::DeleteNotSupported))
}

/// The error of a failed commit or load.
fn store_error(failure: SettingsFailure) -> Error {
    match failure {
        SettingsFailure::NotSupported => MgmtErr::NotSup.into(),
        _ => SettingsError::Unknown.into(),
    }
}

fn commit(ctx: &mut Ctx<'_>, _: &Request<'_>, _: &mut Response<'_>) -> Result<(), Error> {
    let (settings, hooks) = platform(ctx)?;
    hooks.settings_access(SettingsAccess::Commit, None)?;
    settings.commit().map_err(store_error)
}

fn load(ctx: &mut Ctx<'_>, _: &Request<'_>, _: &mut Response<'_>) -> Result<(), Error> {
    let (settings, hooks) = platform(ctx)?;
    hooks.settings_access(SettingsAccess::Load, None)?;
    settings.load().map_err(store_error)
}

fn save(ctx: &mut Ctx<'_>, req: &Request<'_>, _: &mut Response<'_>) -> Result<(), Error> {
    let mut name = None;
    decode_map(req.payload, |key, dec| match key {
        k if k == b"name" => once(&mut name, dec.str()),
        _ => Ok(Field::Unknown),
    })?;
    let (settings, hooks) = platform(ctx)?;
    let name = match name {
        Some(n) => Some(checked_name(settings, Some(n))?),
        None => None,
    };
    hooks.settings_access(SettingsAccess::Save, name)?;
    settings.save(name).map_err(|f| {
        match f {
            SettingsFailure::RootNotFound => SettingsError::RootKeyNotFound,
            SettingsFailure::NotFound => SettingsError::KeyNotFound,
            SettingsFailure::NotSupported => SettingsError::SaveNotSupported,
            SettingsFailure::Failed => SettingsError::Unknown,
        }
        .into()
    })
}

#[cfg(test)]
mod tests;
