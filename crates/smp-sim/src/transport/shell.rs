//! The shell transport's interactive side (`--serial-framing shell`): a
//! person's shell on the same pseudo-terminal as SMP, as Zephyr's
//! `MCUMGR_TRANSPORT_SHELL` keeps one on its console UART.
//!
//! The receiver splits the input with the core's
//! [`smp_server::codec::shell::ShellDemux`]; the typed bytes reach the SMP
//! thread in arrival order with the packets, and that thread echoes them,
//! runs each line with the device's shell commands and writes the output.
//! One thread writes everything, so a response frame and shell text never
//! interleave.

/// The prompt, printed at boot and after each command.
pub const PROMPT: &str = "sim:~$ ";

/// Longest command line kept (Zephyr's `CONFIG_SHELL_CMD_BUFF_SIZE`, less
/// its NUL); further characters are ignored until Enter.
const LINE_MAX: usize = 255;

/// The line editor: echo, backspace, Ctrl-C, Enter.
#[derive(Default)]
pub struct Console {
    line: String,
    /// The previous byte was a carriage return (a following `\n` is the same
    /// Enter).
    after_cr: bool,
}

impl Console {
    /// Takes typed bytes; returns what goes back to the terminal: their echo
    /// and, at each Enter, the output of `run` (given the words of the line)
    /// and a new prompt.
    pub fn input(&mut self, bytes: &[u8], run: &mut dyn FnMut(&[&str]) -> String) -> String {
        let mut out = String::new();
        for &byte in bytes {
            let after_cr = std::mem::replace(&mut self.after_cr, byte == b'\r');
            match byte {
                b'\n' if after_cr => {}
                b'\r' | b'\n' => {
                    out.push_str("\r\n");
                    let words: Vec<&str> = self.line.split_ascii_whitespace().collect();
                    if !words.is_empty() {
                        out.push_str(&run(&words).replace('\n', "\r\n"));
                    }
                    self.line.clear();
                    out.push_str(PROMPT);
                }
                0x08 | 0x7F if self.line.pop().is_some() => out.push_str("\x08 \x08"),
                0x03 => {
                    self.line.clear();
                    out.push_str("^C\r\n");
                    out.push_str(PROMPT);
                }
                b' '..=b'~' if self.line.len() < LINE_MAX => {
                    self.line.push(char::from(byte));
                    out.push(char::from(byte));
                }
                // Other control bytes and escape sequences: not handled.
                _ => {}
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn echo_words(words: &[&str]) -> String {
        format!("ran {}\n", words.join(" "))
    }

    #[test]
    fn a_line_is_echoed_run_and_prompted() {
        let mut console = Console::default();
        assert_eq!(
            console.input(b"echo hi\r", &mut echo_words),
            "echo hi\r\nran echo hi\r\nsim:~$ "
        );
    }

    #[test]
    fn crlf_is_one_enter() {
        let mut console = Console::default();
        let mut runs = 0;
        console.input(b"x\r\n", &mut |_| {
            runs += 1;
            String::new()
        });
        assert_eq!(runs, 1);
    }

    #[test]
    fn an_empty_line_only_prompts() {
        let mut console = Console::default();
        assert_eq!(console.input(b"\r", &mut |_| unreachable!()), "\r\nsim:~$ ");
    }

    #[test]
    fn backspace_edits_the_line() {
        let mut console = Console::default();
        let out = console.input(b"ecx\x7fho\r", &mut echo_words);
        assert!(out.ends_with("ran echo\r\nsim:~$ "), "{out:?}");
    }

    #[test]
    fn ctrl_c_drops_the_line() {
        let mut console = Console::default();
        let out = console.input(b"abc\x03ls\r", &mut echo_words);
        assert!(
            out.ends_with("^C\r\nsim:~$ ls\r\nran ls\r\nsim:~$ "),
            "{out:?}"
        );
    }
}
