//! Group 9, shell (protocol.md §2.5).
//!
//! The arguments reach the platform as they came, one string each (nothing
//! is joined and split again), but their joined length is limited as
//! Zephyr's command line buffer limits it.
//!
//! Output: the platform writes into a [`ShellOutput`] that is the response
//! buffer itself, minus the room `"ret"` needs. Output that does not fit is
//! cut at the last whole UTF-8 character that fits, as Zephyr's dummy shell
//! backend cuts at its buffer size; the response is always complete and
//! well formed.

pub mod platform;

pub use platform::*;

use crate::cbor::Decoder;

use crate::cbor::{decode_map, put_in_place, Field, Response, StrKind};
use crate::dispatch::{Command, Ctx, Group, Request};
use crate::error::{Error, MgmtErr};
use crate::header::GroupId;

/// The group's command ids.
pub mod cmd {
    /// Runs a shell command line.
    pub const EXEC: u8 = 0;
}

/// The group: its id, name and command table.
pub static GROUP: Group = Group {
    id: GroupId::SHELL,
    name: "shell mgmt",
    commands: crate::command_table![
        cmd::EXEC => Command::write(exec),
    ],
};

/// Decodes `argv`: an array of text strings (else rc 3) whose joined length
/// must stay under [`CMD_BUFF_SIZE`] (else err {9, 2}).
fn decode_argv<'a>(payload: &'a [u8], d: &mut Decoder<'a>) -> Result<Argv<'a>, Error> {
    let start = d.position();
    let declared = d.array().map_err(|_| MgmtErr::Inval)?;
    let (mut len, mut line) = (0usize, 0usize);
    let mut too_long = false;
    loop {
        match declared {
            Some(n) if len as u64 == n => break,
            None if d.take_break().map_err(|_| MgmtErr::Inval)? => break,
            _ => {}
        }
        let arg = d.str().map_err(|_| MgmtErr::Inval)?;
        line += arg.len() + usize::from(len > 0);
        too_long |= line >= CMD_BUFF_SIZE;
        len += 1;
    }
    if too_long {
        return Err(ShellError::CommandTooLong.into());
    }
    Ok(Argv {
        array: payload.get(start..d.position()).ok_or(MgmtErr::Inval)?,
        len,
    })
}

fn exec(ctx: &mut Ctx<'_>, req: &Request<'_>, rsp: &mut Response<'_>) -> Result<(), Error> {
    let mut argv = None;
    decode_map(req.payload, |key, dec| match key {
        k if k == b"argv" => {
            if argv.is_some() {
                return Err(MgmtErr::Inval.into());
            }
            argv = Some(decode_argv(req.payload, dec)?);
            Ok(Field::Taken)
        }
        _ => Ok(Field::Unknown),
    })?;
    let argv = argv.ok_or(MgmtErr::Inval)?;
    if argv.get(0).is_none_or(str::is_empty) {
        return Err(ShellError::EmptyCommand.into());
    }
    let shell = ctx.platform.shell().ok_or(MgmtErr::NotSup)?;
    let mut ret = 0;
    rsp.str("o")?;
    // after the output: "ret", an int of up to 5 bytes, the map end
    put_in_place(rsp, StrKind::Text, usize::MAX, 4 + 5 + 1, |buf| {
        let mut out = ShellOutput::new(buf);
        ret = shell.execute(&argv, &mut out);
        Ok(out.len())
    })?;
    rsp.str("ret")?.i32(ret)?;
    Ok(())
}

#[cfg(test)]
mod tests;
