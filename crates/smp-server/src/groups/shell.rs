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

use core::fmt;

use crate::cbor::Decoder;

use crate::cbor::{decode_map, put_in_place, Field, Response, StrKind};
use crate::dispatch::{Command, Ctx, Group, Request};
use crate::error::{Error, MgmtErr};
use crate::header::GroupId;

crate::group_errors! {
    /// Shell group errors (`err.rc` with group 9).
    pub enum ShellError for GroupId::SHELL {
        Unknown = 1 => Unknown,
        CommandTooLong = 2 => Inval,
        EmptyCommand = 3 => Inval,
    }
}

/// Zephyr's `CONFIG_SHELL_CMD_BUFF_SIZE` default: the arguments joined with
/// single spaces must be shorter than this.
pub const CMD_BUFF_SIZE: usize = 256;

/// The arguments of a command: a validated CBOR array of text strings,
/// decoded again on each walk (no copy, no heap).
#[derive(Clone, Copy, Debug)]
pub struct Argv<'a> {
    array: &'a [u8],
    len: usize,
}

impl<'a> Argv<'a> {
    /// Number of arguments (at least 1).
    pub fn len(&self) -> usize {
        self.len
    }

    /// Always false: a command has at least its name.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The arguments, the command name first.
    pub fn iter(&self) -> impl Iterator<Item = &'a str> + 'a {
        let mut d = Decoder::new(self.array);
        let _ = d.array();
        let len = self.len;
        (0..len).map_while(move |_| d.str().ok())
    }

    /// Argument `i`.
    pub fn get(&self, i: usize) -> Option<&'a str> {
        self.iter().nth(i)
    }
}

/// Where the platform writes a command's output: a window of the response
/// buffer. Writes never fail; what does not fit is dropped at a character
/// boundary and [`ShellOutput::is_truncated`] tells.
pub struct ShellOutput<'b> {
    buf: &'b mut [u8],
    len: usize,
    truncated: bool,
}

impl<'b> ShellOutput<'b> {
    pub fn new(buf: &'b mut [u8]) -> Self {
        ShellOutput {
            buf,
            len: 0,
            truncated: false,
        }
    }

    /// Bytes written.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Room left.
    pub fn remaining(&self) -> usize {
        self.buf.len() - self.len
    }

    /// Whether output was dropped for lack of room.
    pub fn is_truncated(&self) -> bool {
        self.truncated
    }

    /// The output so far.
    pub fn as_str(&self) -> &str {
        // Only whole characters of `&str`s are ever copied in.
        core::str::from_utf8(&self.buf[..self.len]).unwrap_or_default()
    }
}

impl fmt::Write for ShellOutput<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let mut take = s.len().min(self.remaining());
        while !s.is_char_boundary(take) {
            take -= 1;
        }
        self.buf[self.len..self.len + take].copy_from_slice(&s.as_bytes()[..take]);
        self.len += take;
        if take < s.len() {
            self.truncated = true;
        }
        Ok(())
    }
}

/// What the shell group asks of the platform.
pub trait ShellPlatform {
    /// Runs a command, writing its output to `out`; returns its return
    /// value (0 for success, a negative errno otherwise, as Zephyr's shell).
    fn execute(&mut self, argv: &Argv<'_>, out: &mut ShellOutput<'_>) -> i32;
}

pub static GROUP: Group = Group {
    id: GroupId::SHELL,
    name: "shell mgmt",
    commands: &[Command::write(exec)],
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
        array: &payload[start..d.position()],
        len,
    })
}

fn exec(ctx: &mut Ctx<'_>, req: &Request<'_>, rsp: &mut Response<'_>) -> Result<(), Error> {
    let mut argv = None;
    decode_map(req.payload, |key, dec| match key {
        "argv" => {
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
