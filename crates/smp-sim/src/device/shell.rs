//! The virtual device's shell (group 9): a small set of real commands.
//!
//! Return values follow Zephyr's shell: 0 on success, `-EINVAL` (-22) for
//! wrong arguments, `-ENOENT` (-2) for a missing setting or file, `-ENOEXEC`
//! (-8) for an unknown command, with a message in the output.

use std::fmt::Write;
use std::time::Instant;

use smp_server::groups::fs::{path_is_valid, FsFailure};
use smp_server::groups::settings::NAME_LEN;
use smp_server::groups::shell::{Argv, ShellOutput, ShellPlatform};

use super::fs::Fs;
use super::settings::{Settings, VALUE_LEN};

const EINVAL: i32 = -22;
const ENOENT: i32 = -2;
const ENOEXEC: i32 = -8;
const EIO: i32 = -5;

const HELP: &str = "\
Available commands:
  echo [text...]             print the arguments
  help                       this list
  ls [path]                  list a directory of the file system (default /)
  settings list              names of the running settings
  settings get <name>        a setting's value in hex
  settings set <name> <text> set a setting (running value; save with SMP)
  uptime                     time since boot
";

/// The shell over the parts its commands drive, for one command.
pub struct Shell<'a> {
    pub settings: &'a mut Settings,
    pub fs: &'a Fs,
    /// When the device booted (`uptime`).
    pub booted: Instant,
}

impl ShellPlatform for Shell<'_> {
    fn execute(&mut self, argv: &Argv<'_>, out: &mut ShellOutput<'_>) -> i32 {
        let args: Vec<&str> = argv.iter().collect();
        self.run(&args, out)
    }
}

impl Shell<'_> {
    /// Runs one command (`args[0]` its name), from the shell group or typed
    /// at the serial link's shell; its return value as Zephyr's shell gives.
    pub fn run(&mut self, args: &[&str], out: &mut dyn Write) -> i32 {
        match args {
            ["help", ..] => {
                let _ = out.write_str(HELP);
                0
            }
            ["echo", rest @ ..] => {
                let _ = writeln!(out, "{}", rest.join(" "));
                0
            }
            ["uptime"] => {
                let _ = writeln!(out, "Uptime: {} ms", self.booted.elapsed().as_millis());
                0
            }
            ["ls"] => self.ls("/", out),
            ["ls", path] => self.ls(path, out),
            ["settings", rest @ ..] => self.settings_command(rest, out),
            [name, ..] => {
                let _ = writeln!(out, "{name}: command not found");
                ENOEXEC
            }
            [] => EINVAL,
        }
    }

    fn ls(&mut self, path: &str, out: &mut dyn Write) -> i32 {
        if path != "/" && !path_is_valid(path) {
            let _ = writeln!(out, "ls: invalid path {path}");
            return EINVAL;
        }
        match self.fs.list(path) {
            Ok(entries) => {
                for e in entries {
                    if e.is_dir {
                        let _ = writeln!(out, "[DIR ] {}", e.name);
                    } else {
                        let _ = writeln!(out, "[FILE] {} ({} bytes)", e.name, e.size);
                    }
                }
                0
            }
            Err(FsFailure::NotFound | FsFailure::NoMountPoint) => {
                let _ = writeln!(out, "ls: {path}: no such directory");
                ENOENT
            }
            Err(FsFailure::InvalidName) => {
                let _ = writeln!(out, "ls: {path}: outside the file system");
                EINVAL
            }
            Err(e) => {
                let _ = writeln!(out, "ls: {path}: {e:?}");
                EIO
            }
        }
    }

    fn settings_command(&mut self, args: &[&str], out: &mut dyn Write) -> i32 {
        match args {
            ["list"] => {
                for name in self.settings.names() {
                    let _ = writeln!(out, "{name}");
                }
                0
            }
            ["get", name] => match self.settings.get(name) {
                Some(value) => {
                    let hex: Vec<String> = value.iter().map(|b| format!("{b:02x}")).collect();
                    let _ = writeln!(out, "{}", hex.join(" "));
                    0
                }
                None => {
                    let _ = writeln!(out, "settings: {name}: not found");
                    ENOENT
                }
            },
            ["set", name, value] => {
                if name.is_empty() || name.len() >= NAME_LEN || value.len() > VALUE_LEN {
                    let _ = writeln!(
                        out,
                        "settings: names are 1 to {} bytes, values at most {VALUE_LEN}",
                        NAME_LEN - 1
                    );
                    return EINVAL;
                }
                self.settings.set(name, value.as_bytes());
                0
            }
            _ => {
                let _ = writeln!(out, "usage: settings list | get <name> | set <name> <text>");
                EINVAL
            }
        }
    }
}
