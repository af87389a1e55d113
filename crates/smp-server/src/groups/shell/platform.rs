//! What the shell group and the device exchange: the command line, the output
//! window, and the group's errors.

use crate::cbor::Decoder;
use crate::header::GroupId;
use core::fmt;

crate::group_errors! {
    /// Shell group errors (`err.rc` with group 9).
    pub enum ShellError for GroupId::SHELL {
        /// An error no other code describes.
        Unknown = 1 => Unknown,
        /// The command line (the arguments joined by spaces) does not fit the
        /// shell's buffer.
        CommandTooLong = 2 => Inval,
        /// No command name: `argv` is empty or starts with an empty string.
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
    pub(super) array: &'a [u8],
    pub(super) len: usize,
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
    /// Nothing written yet; `buf` is all the room there is.
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

    /// Nothing written yet.
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
        core::str::from_utf8(self.buf.get(..self.len).unwrap_or_default()).unwrap_or_default()
    }
}

impl fmt::Write for ShellOutput<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let mut take = s.len().min(self.remaining());
        while !s.is_char_boundary(take) {
            take -= 1;
        }
        let written = crate::bytes::copy(
            self.buf.get_mut(self.len..).unwrap_or_default(),
            s.as_bytes().get(..take).unwrap_or_default(),
        );
        self.len += written;
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
