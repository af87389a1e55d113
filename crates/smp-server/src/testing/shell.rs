//! A shell with a few commands.

use std::fmt::Write;

use crate::groups::shell::{Argv, ShellOutput, ShellPlatform};

/// A shell with `echo` (joins its arguments), `fill N` (N × 'x'), `euro N`
/// (N × '€'), `fail` (ret -5); anything else is not found (ret -8).
#[derive(Default)]
pub struct FakeShell {
    pub last_argv: Vec<String>,
}

impl ShellPlatform for FakeShell {
    fn execute(&mut self, argv: &Argv<'_>, out: &mut ShellOutput<'_>) -> i32 {
        self.last_argv = argv.iter().map(String::from).collect();
        let count = || {
            argv.get(1)
                .and_then(|n| n.parse::<usize>().ok())
                .unwrap_or(0)
        };
        match argv.get(0).unwrap_or_default() {
            "echo" => {
                let args: Vec<&str> = argv.iter().skip(1).collect();
                let _ = write!(out, "{}", args.join(" "));
                0
            }
            "fill" => {
                let _ = write!(out, "{}", "x".repeat(count()));
                0
            }
            "euro" => {
                let _ = write!(out, "{}", "€".repeat(count()));
                0
            }
            "fail" => {
                let _ = write!(out, "failed");
                -5
            }
            other => {
                let _ = write!(out, "{other}: command not found");
                -8
            }
        }
    }
}
