//! The serial transport over a pseudo-terminal: SMP serial framing in both
//! directions.

use std::fs::File;
use std::io::{ErrorKind, Read, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use log::{debug, warn};
use nix::fcntl::{fcntl, FcntlArg, OFlag};
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::pty::openpty;
use nix::sys::termios::{cfmakeraw, tcgetattr, tcsetattr, SetArg};
use smp_server::codec::raw_uart::RawDecoder;
use smp_server::codec::serial::{self, SerialDecoder};
use smp_server::codec::shell::{ShellDemux, Sink};
use smp_server::Transport;

use super::link::{ReplyTo, Shared, POLL_INTERVAL};
use super::pool::Buf;

/// How SMP packets travel on the serial link.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Framing {
    /// SMP over console: base64 lines with a CRC (what every client speaks).
    Console,
    /// Zephyr 4.4's raw UART mode: bare packets, no base64 or CRC.
    Raw,
    /// SMP over console beside an interactive shell on the same link (Zephyr's
    /// shell transport): frame lines go to SMP, the rest to the shell.
    Shell,
}

impl Framing {
    /// The transport requests on this framing count as (statistics, access policy).
    pub fn transport(self) -> Transport {
        match self {
            Framing::Console => Transport::Serial,
            Framing::Raw => Transport::RawUart,
            Framing::Shell => Transport::Shell,
        }
    }
}

/// Raw mode's inter-byte timeout (Zephyr's MCUMGR_TRANSPORT_RAW_UART_INPUT_TIMEOUT_TIME_MS).
pub const RAW_INPUT_TIMEOUT_MS: u64 = 3000;

/// The receive state machine of either framing.
enum Decoder {
    Console(SerialDecoder),
    Raw(RawDecoder),
}

impl Decoder {
    fn new(framing: Framing) -> Self {
        match framing {
            Framing::Console | Framing::Shell => Decoder::Console(SerialDecoder::new()),
            Framing::Raw => Decoder::Raw(RawDecoder::new(RAW_INPUT_TIMEOUT_MS)),
        }
    }

    fn push(&mut self, byte: u8, now_ms: u64, buf: &mut Buf) -> bool {
        match self {
            Decoder::Console(d) => d.push(byte, buf),
            Decoder::Raw(d) => d.push(byte, now_ms, buf),
        }
    }

    fn reset(&mut self) {
        match self {
            Decoder::Console(d) => d.reset(),
            Decoder::Raw(d) => d.reset(),
        }
    }
}

/// The device side of a pseudo-terminal; clients open the slave path.
pub struct Pty {
    master: File,
    framing: Framing,
    /// Kept open so the master never sees a hang-up between clients.
    _slave: OwnedFd,
    pub path: PathBuf,
}

/// How long a response may wait for a client that does not read before the
/// rest of it is dropped, as bytes sent on a UART nobody listens to are lost.
const WRITE_PATIENCE: Duration = Duration::from_secs(2);

impl Pty {
    pub fn open(framing: Framing) -> nix::Result<Self> {
        let pty = openpty(None, None)?;
        let mut attrs = tcgetattr(&pty.slave)?;
        cfmakeraw(&mut attrs);
        tcsetattr(&pty.slave, SetArg::TCSANOW, &attrs)?;
        let path = nix::unistd::ttyname(&pty.slave)?;
        let flags = OFlag::from_bits_truncate(fcntl(&pty.master, FcntlArg::F_GETFL)?);
        fcntl(&pty.master, FcntlArg::F_SETFL(flags | OFlag::O_NONBLOCK))?;
        Ok(Pty {
            master: File::from(pty.master),
            framing,
            _slave: pty.slave,
            path,
        })
    }

    pub fn writer(&self) -> std::io::Result<SerialWriter> {
        Ok(SerialWriter {
            master: self.master.try_clone()?,
            framing: self.framing,
            frame: Vec::new(),
        })
    }
}

/// Frames responses onto the pseudo-terminal.
pub struct SerialWriter {
    master: File,
    framing: Framing,
    frame: Vec<u8>,
}

impl SerialWriter {
    pub fn send(&mut self, packet: &[u8]) {
        let mut frame = std::mem::take(&mut self.frame);
        frame.clear();
        match self.framing {
            Framing::Console | Framing::Shell => {
                serial::encode(packet, &mut |line| frame.extend_from_slice(line))
            }
            Framing::Raw => frame.extend_from_slice(packet),
        }
        self.write_all(&frame);
        self.frame = frame;
    }

    /// How packets travel on this link.
    pub fn framing(&self) -> Framing {
        self.framing
    }

    /// Writes shell text (the shell framing's echo, output and prompts).
    pub fn write_text(&mut self, text: &str) {
        self.write_all(text.as_bytes());
    }

    fn write_all(&mut self, bytes: &[u8]) {
        let deadline = Instant::now() + WRITE_PATIENCE;
        let mut rest = bytes;
        while !rest.is_empty() {
            match self.master.write(rest) {
                Ok(n) => rest = &rest[n..],
                Err(e) if e.kind() == ErrorKind::WouldBlock => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        warn!("serial: client not reading, dropped {} bytes", rest.len());
                        return;
                    }
                    let mut fds = [PollFd::new(self.master.as_fd(), PollFlags::POLLOUT)];
                    let _ = poll(
                        &mut fds,
                        PollTimeout::try_from(left).unwrap_or(PollTimeout::MAX),
                    );
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => {
                    warn!("serial: write failed: {e}");
                    return;
                }
            }
        }
    }
}

pub fn receive_loop(shared: &Shared, pty: &Pty) {
    let mut master = &pty.master;
    let mut decoder = Decoder::new(pty.framing);
    // Only with the shell framing: the frames' way out of the shell's input.
    let mut demux = (pty.framing == Framing::Shell).then(ShellDemux::new);
    let mut typed = Vec::new();
    let started = Instant::now();
    let mut current: Option<Buf> = None;
    let mut generation = shared.generation();
    let mut chunk = [0u8; 4096];
    while !shared.stopping() {
        let mut fds = [PollFd::new(master.as_fd(), PollFlags::POLLIN)];
        match poll(
            &mut fds,
            PollTimeout::try_from(POLL_INTERVAL).unwrap_or(PollTimeout::MAX),
        ) {
            Ok(0) => continue,
            Ok(_) => {}
            Err(nix::Error::EINTR) => continue,
            Err(e) => {
                warn!("serial: poll failed: {e}");
                return;
            }
        }
        let n = match master.read(&mut chunk) {
            Ok(n) => n,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::Interrupted) => {
                continue
            }
            Err(e) => {
                debug!("serial: read failed: {e}");
                std::thread::sleep(POLL_INTERVAL);
                continue;
            }
        };
        if shared.generation() != generation {
            // The device reset: a packet half received before it is gone.
            generation = shared.generation();
            decoder.reset();
            if let Some(demux) = demux.as_mut() {
                *demux = ShellDemux::new();
            }
            if let Some(buf) = current.as_mut() {
                buf.clear();
            }
        }
        let now_ms = started.elapsed().as_millis() as u64;
        for &received in &chunk[..n] {
            let routed;
            let smp_bytes: &[u8] = match demux.as_mut() {
                None => std::slice::from_ref(&received),
                Some(demux) => {
                    routed = demux.push(received);
                    match routed.sink {
                        Sink::Smp => routed.bytes(),
                        Sink::Shell => {
                            typed.extend_from_slice(routed.bytes());
                            &[]
                        }
                    }
                }
            };
            for &byte in smp_bytes {
                let buf = match current.as_mut() {
                    Some(buf) => buf,
                    None => match shared.alloc() {
                        Some(buf) => current.insert(buf),
                        None => return,
                    },
                };
                if decoder.push(byte, now_ms, buf) {
                    if let Some(packet) = current.take() {
                        // What was typed before the frame is answered first.
                        if !typed.is_empty() {
                            shared.deliver_shell_input(std::mem::take(&mut typed));
                        }
                        shared.deliver(packet, ReplyTo::Serial(pty.framing.transport()));
                    }
                }
            }
        }
        if !typed.is_empty() {
            shared.deliver_shell_input(std::mem::take(&mut typed));
        }
        // Between packets the buffer goes back, so an idle link holds none.
        if current.as_ref().is_some_and(|b| b.is_empty()) {
            if let Some(buf) = current.take() {
                shared.pool.release(buf);
            }
        }
    }
}
