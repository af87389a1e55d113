//! The shell group's platform part: Zephyr's shell, through its dummy backend
//! (output captured in a buffer), as Zephyr's shell_mgmt runs commands
//! (among them `echo`, `shell_cmd.rs`).
//!
//! The arguments reach the shell one string each: Zephyr's shell takes one
//! line and splits it again, so an argument that is empty or holds
//! whitespace, a quote or a backslash is passed quoted or escaped (Zephyr's shell_mgmt
//! joins them as they are, and `echo "a b"` would lose its argument
//! boundaries there). The output is the backend's, line ends included
//! (`\r\n`: the dummy backend maps LF to CRLF like a terminal), cut at
//! `CONFIG_SHELL_BACKEND_DUMMY_BUF_SIZE` by the backend and at the response
//! buffer by the core.

use core::fmt::Write;

use smp_server::groups::shell::{Argv, ShellOutput, ShellPlatform};

use crate::cstr::CStrBuf;
use crate::sys::raw;

/// Zephyr's command line buffer; the line passed must be shorter.
const CMD_BUFF_SIZE: usize = crate::config::CONFIG_SHELL_CMD_BUFF_SIZE as usize;

pub struct ZephyrShell;

impl ZephyrShell {
    /// The dummy shell, set up for capture. Called once, by the SMP thread.
    pub fn new() -> Self {
        // The shell moves the cursor to a new line ("\r\n" in the output)
        // before running a command unless it sits at the start of a line:
        // with no echo of the command and an empty prompt (overlays/shell.conf)
        // it does, and the output is the command's alone.
        // SAFETY: the dummy backend's shell is a static instance, initialised
        // at boot (POST_KERNEL, before main).
        unsafe {
            let sh = raw::shell_backend_dummy_get_ptr();
            raw::shell_echo_set(sh, false);
        }
        ZephyrShell
    }
}

/// `argv` as one line the shell splits back into the same arguments;
/// `None` when it does not fit the shell's buffer or an argument holds a NUL
/// (a C string cannot).
fn command_line(argv: &Argv<'_>) -> Option<CStrBuf<CMD_BUFF_SIZE>> {
    let mut line = CStrBuf::new();
    for (i, arg) in argv.iter().enumerate() {
        if i > 0 {
            line.push(b" ")?;
        }
        if arg.is_empty() {
            line.push(b"\"\"")?;
        }
        for byte in arg.bytes() {
            match byte {
                // Outside quotes the shell takes the byte after a backslash
                // as is.
                b'\\' | b'"' | b'\'' => line.push(&[b'\\', byte])?,
                // Whitespace goes in quotes, not after a backslash: with
                // shell history on, the shell trims trailing whitespace
                // before parsing, which would leave a lone backslash.
                b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r' => line.push(&[b'"', byte, b'"'])?,
                _ => line.push(&[byte])?,
            }
        }
    }
    Some(line)
}

impl ShellPlatform for ZephyrShell {
    fn execute(&mut self, argv: &Argv<'_>, out: &mut ShellOutput<'_>) -> i32 {
        let Some(line) = command_line(argv) else {
            // What shell_execute_cmd answers a line longer than its buffer.
            return -(raw::ENOMEM as i32);
        };
        // SAFETY: the dummy backend's shell is a static instance.
        let sh = unsafe { raw::shell_backend_dummy_get_ptr() };
        // SAFETY: `sh` is the dummy shell; `line` is NUL-terminated and
        // shorter than the shell's buffer. Only this thread runs commands on
        // the dummy shell, never from inside a command.
        let ret = unsafe {
            raw::shell_backend_dummy_clear_output(sh);
            raw::shell_execute_cmd(sh, line.as_ptr())
        };
        let mut len = 0usize;
        // SAFETY: `sh` is the dummy shell; the output pointer stays valid
        // until the next command on it (this thread's).
        let output = unsafe { raw::shell_backend_dummy_get_output(sh, &mut len) };
        if !output.is_null() {
            // SAFETY: the backend's buffer holds `len` bytes of output.
            let bytes = unsafe { core::slice::from_raw_parts(output.cast::<u8>(), len) };
            for chunk in bytes.utf8_chunks() {
                let _ = out.write_str(chunk.valid());
                if !chunk.invalid().is_empty() {
                    let _ = out.write_char(char::REPLACEMENT_CHARACTER);
                }
            }
        }
        ret
    }
}
