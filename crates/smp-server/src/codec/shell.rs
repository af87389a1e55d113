//! SMP beside an interactive shell on one console (Zephyr's
//! `MCUMGR_TRANSPORT_SHELL`): the input stream carries both what a person
//! types and SMP console frames ([`super::serial`]); this splits them.
//!
//! A frame line starts with a marker (`06 09` or `04 14`) and ends with
//! `\n`. Everything from a marker to the end of its line goes to SMP, marker
//! and newline included, so the serial decoder sees exactly the frames;
//! every other byte goes to the shell, in order. The markers are recognised
//! anywhere in the stream, not only at a line start, so a frame still gets
//! through after half-typed input or a shell line cleared with Ctrl-C.
//!
//! The cost of that: the first byte of a marker (0x06 is Ctrl-F, 0x04
//! Ctrl-D) is held back until the next byte tells whether a frame starts,
//! and a person typing Ctrl-F Tab or Ctrl-D Ctrl-T starts a "frame" that
//! runs to the next Enter (the serial decoder drops it as garbage).

use super::serial::{CONTINUATION_MARKER, FIRST_MARKER};

/// Where the bytes of one [`ShellDemux::push`] go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sink {
    /// Input for the shell.
    Shell,
    /// Part of an SMP frame line, for the serial decoder.
    Smp,
}

/// The bytes one pushed byte releases: none, one or two (a held marker byte
/// and the byte that showed it was none), all for one sink.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Routed {
    /// Who gets [`Routed::bytes`].
    pub sink: Sink,
    bytes: [u8; 2],
    len: u8,
}

impl Routed {
    const NONE: Routed = Routed {
        sink: Sink::Shell,
        bytes: [0; 2],
        len: 0,
    };

    fn one(sink: Sink, byte: u8) -> Self {
        Routed {
            sink,
            bytes: [byte, 0],
            len: 1,
        }
    }

    fn two(sink: Sink, first: u8, second: u8) -> Self {
        Routed {
            sink,
            bytes: [first, second],
            len: 2,
        }
    }

    /// The released bytes, in stream order.
    pub fn bytes(&self) -> &[u8] {
        match self.len {
            0 => &[],
            1 => &self.bytes[..1],
            _ => &self.bytes,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Shell input.
    Text,
    /// A possible marker's first byte, held back.
    Held(u8),
    /// Inside a frame line, until its `\n`.
    Frame,
}

/// Splits one console input stream into shell input and SMP frame lines.
#[derive(Clone, Debug)]
pub struct ShellDemux {
    state: State,
}

impl Default for ShellDemux {
    fn default() -> Self {
        Self::new()
    }
}

impl ShellDemux {
    /// A demultiplexer at the start of a stream (shell input).
    pub const fn new() -> Self {
        ShellDemux { state: State::Text }
    }

    /// Routes one received byte.
    pub fn push(&mut self, byte: u8) -> Routed {
        match self.state {
            State::Frame => {
                if byte == b'\n' {
                    self.state = State::Text;
                }
                Routed::one(Sink::Smp, byte)
            }
            State::Held(first) => {
                if is_marker(first, byte) {
                    self.state = State::Frame;
                    return Routed::two(Sink::Smp, first, byte);
                }
                if starts_marker(byte) {
                    // The held byte was no marker, this one may be.
                    self.state = State::Held(byte);
                    return Routed::one(Sink::Shell, first);
                }
                self.state = State::Text;
                Routed::two(Sink::Shell, first, byte)
            }
            State::Text => {
                if starts_marker(byte) {
                    self.state = State::Held(byte);
                    return Routed::NONE;
                }
                Routed::one(Sink::Shell, byte)
            }
        }
    }

    /// True while a frame line is being passed to SMP (its `\n` not yet
    /// seen).
    pub fn in_frame(&self) -> bool {
        self.state == State::Frame
    }
}

fn starts_marker(byte: u8) -> bool {
    byte == FIRST_MARKER[0] || byte == CONTINUATION_MARKER[0]
}

fn is_marker(first: u8, second: u8) -> bool {
    [first, second] == FIRST_MARKER || [first, second] == CONTINUATION_MARKER
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec;

    /// Pushes `input` and returns (what the shell got, what SMP got).
    fn split(demux: &mut ShellDemux, input: &[u8]) -> (Vec<u8>, Vec<u8>) {
        let (mut shell, mut smp) = (Vec::new(), Vec::new());
        for &byte in input {
            let routed = demux.push(byte);
            match routed.sink {
                Sink::Shell => shell.extend_from_slice(routed.bytes()),
                Sink::Smp => smp.extend_from_slice(routed.bytes()),
            }
        }
        (shell, smp)
    }

    #[test]
    fn typed_text_goes_to_the_shell() {
        let mut demux = ShellDemux::new();
        assert_eq!(
            split(&mut demux, b"kernel uptime\r\n"),
            (b"kernel uptime\r\n".to_vec(), Vec::new())
        );
    }

    #[test]
    fn a_frame_line_goes_to_smp_marker_and_newline_included() {
        let mut demux = ShellDemux::new();
        assert_eq!(
            split(&mut demux, b"\x06\x09AAsAAA==\n"),
            (Vec::new(), b"\x06\x09AAsAAA==\n".to_vec())
        );
        assert!(!demux.in_frame());
    }

    #[test]
    fn a_continuation_line_goes_to_smp() {
        let mut demux = ShellDemux::new();
        assert_eq!(
            split(&mut demux, b"\x04\x14QUJD\n"),
            (Vec::new(), b"\x04\x14QUJD\n".to_vec())
        );
    }

    #[test]
    fn text_around_frames_keeps_its_order() {
        let mut demux = ShellDemux::new();
        assert_eq!(
            split(&mut demux, b"help\r\x06\x09AB\n\x04\x14CD\nls\r"),
            (b"help\rls\r".to_vec(), b"\x06\x09AB\n\x04\x14CD\n".to_vec())
        );
    }

    #[test]
    fn a_frame_after_half_typed_input_is_recognised() {
        let mut demux = ShellDemux::new();
        assert_eq!(
            split(&mut demux, b"kern\x06\x09AB\nel\r"),
            (b"kernel\r".to_vec(), b"\x06\x09AB\n".to_vec())
        );
    }

    #[test]
    fn ctrl_f_alone_reaches_the_shell_with_the_next_byte() {
        let mut demux = ShellDemux::new();
        assert_eq!(split(&mut demux, b"\x06"), (Vec::new(), Vec::new()));
        assert_eq!(split(&mut demux, b"x"), (b"\x06x".to_vec(), Vec::new()));
    }

    #[test]
    fn ctrl_d_before_a_frame_reaches_the_shell() {
        let mut demux = ShellDemux::new();
        assert_eq!(
            split(&mut demux, b"\x04\x06\x09AB\n"),
            (b"\x04".to_vec(), b"\x06\x09AB\n".to_vec())
        );
    }

    #[test]
    fn repeated_marker_starts_are_passed_one_by_one() {
        let mut demux = ShellDemux::new();
        assert_eq!(
            split(&mut demux, b"\x06\x06\x06a"),
            (b"\x06\x06\x06a".to_vec(), Vec::new())
        );
    }

    #[test]
    fn a_carriage_return_does_not_end_a_frame() {
        let mut demux = ShellDemux::new();
        let (shell, smp) = split(&mut demux, b"\x06\x09AB\rCD\n");
        assert!(shell.is_empty());
        assert_eq!(smp, b"\x06\x09AB\rCD\n");
    }

    #[test]
    fn every_byte_comes_out_exactly_once_in_order_per_sink() {
        // All 2-byte and 3-byte combinations of the interesting bytes.
        let alphabet = [0x06, 0x09, 0x04, 0x14, b'\n', b'a'];
        for a in alphabet {
            for b in alphabet {
                for c in alphabet {
                    let input = [a, b, c, b'\n', b'z'];
                    let mut demux = ShellDemux::new();
                    let (shell, smp) = split(&mut demux, &input);
                    assert_eq!(shell.len() + smp.len(), input.len(), "{input:02x?}");
                }
            }
        }
    }
}
