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

use crate::cbor::{decode_map, head_len, once, put_in_place, Field, Response, StrKind};
use crate::dispatch::{Command, Ctx, Group, Request};
use crate::error::{Error, MgmtErr};
use crate::header::GroupId;

crate::group_errors! {
    /// Settings group errors (`err.rc` with group 3).
    pub enum SettingsError for GroupId::SETTINGS {
        Unknown = 1 => Unknown,
        KeyTooLong = 2 => Inval,
        KeyNotFound = 3 => NoEnt,
        ReadNotSupported = 4 => NoEnt,
        RootKeyNotFound = 5 => Unknown,
        WriteNotSupported = 6 => Unknown,
        DeleteNotSupported = 7 => Unknown,
        SaveNotSupported = 8 => Unknown,
    }
}

/// Zephyr's `CONFIG_MCUMGR_GRP_SETTINGS_NAME_LEN` default.
pub const NAME_LEN: usize = 32;
/// Zephyr's `CONFIG_MCUMGR_GRP_SETTINGS_VALUE_LEN` default.
pub const VALUE_LEN: usize = 32;

/// Why the platform could not do a settings operation (the errno classes
/// Zephyr's handlers distinguish).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SettingsFailure {
    /// No handler for the key's root (`-EINVAL`).
    RootNotFound,
    /// No such key (`-ENOENT`).
    NotFound,
    /// The key or the store does not support the operation (`-ENOTSUP`).
    NotSupported,
    /// Anything else (storage error).
    Failed,
}

/// What the settings group asks of the platform.
pub trait SettingsPlatform {
    /// Size of the name buffer: names of this many bytes or more get
    /// err {3, 2} (KEY_TOO_LONG).
    fn name_len(&self) -> usize {
        NAME_LEN
    }

    /// Largest value written or read.
    fn value_len(&self) -> usize {
        VALUE_LEN
    }

    /// Copies the running value of `name` into `out` (as much as fits) and
    /// returns its full length, which may exceed `out.len()`.
    fn read(&mut self, name: &str, out: &mut [u8]) -> Result<usize, SettingsFailure>;

    /// Sets the running value of `name` (not saved until [`Self::save`]).
    fn write(&mut self, name: &str, value: &[u8]) -> Result<(), SettingsFailure>;

    /// Deletes `name` from storage.
    fn delete(&mut self, name: &str) -> Result<(), SettingsFailure>;

    /// Applies the running values.
    fn commit(&mut self) -> Result<(), SettingsFailure>;

    /// Loads the stored values into the running ones, then commits.
    fn load(&mut self) -> Result<(), SettingsFailure>;

    /// Saves the running values: all, or the key or subtree `name`.
    fn save(&mut self, name: Option<&str>) -> Result<(), SettingsFailure>;
}

pub static GROUP: Group = Group {
    id: GroupId::SETTINGS,
    name: "settings mgmt",
    commands: &[
        Command::read_write(read, write),
        Command::write(delete),
        Command::write(commit),
        Command::read_write(load, save),
    ],
};

fn platform<'c>(ctx: &'c mut Ctx<'_>) -> Result<&'c mut dyn SettingsPlatform, Error> {
    ctx.platform.settings().ok_or(MgmtErr::NotSup.into())
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
        "name" => once(&mut name, dec.str()),
        "max_size" => once(&mut max_size, crate::cbor::uint::<u32>(dec)),
        _ => Ok(Field::Unknown),
    })?;
    let settings = platform(ctx)?;
    let name = checked_name(settings, name)?;
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
        "name" => once(&mut name, dec.str()),
        "val" => once(&mut val, dec.bytes()),
        _ => Ok(Field::Unknown),
    })?;
    let settings = platform(ctx)?;
    let name = checked_name(settings, name)?;
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
        "name" => once(&mut name, dec.str()),
        _ => Ok(Field::Unknown),
    })?;
    let settings = platform(ctx)?;
    let name = checked_name(settings, name)?;
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
    platform(ctx)?.commit().map_err(store_error)
}

fn load(ctx: &mut Ctx<'_>, _: &Request<'_>, _: &mut Response<'_>) -> Result<(), Error> {
    platform(ctx)?.load().map_err(store_error)
}

fn save(ctx: &mut Ctx<'_>, req: &Request<'_>, _: &mut Response<'_>) -> Result<(), Error> {
    let mut name = None;
    decode_map(req.payload, |key, dec| match key {
        "name" => once(&mut name, dec.str()),
        _ => Ok(Field::Unknown),
    })?;
    let settings = platform(ctx)?;
    let name = match name {
        Some(n) => Some(checked_name(settings, Some(n))?),
        None => None,
    };
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
