//! Where a request came from and how its responses go back.

use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use smp_server::Transport;

use super::pool::{Buf, SharedPool};

/// What a receiver hands the SMP thread, in arrival order.
pub enum Inbound {
    /// One received packet buffer.
    Packet { buf: Buf, reply: ReplyTo },
    /// Bytes typed at the shell on the serial link (`--serial-framing
    /// shell`), frames taken out.
    ShellInput(Vec<u8>),
}

#[derive(Clone, Copy, Debug)]
pub enum ReplyTo {
    Udp {
        socket: usize,
        peer: SocketAddr,
    },
    /// The pseudo-terminal, as SMP over console or raw UART.
    Serial(Transport),
}

impl ReplyTo {
    pub fn transport(self) -> Transport {
        match self {
            ReplyTo::Udp { .. } => Transport::Udp,
            ReplyTo::Serial(transport) => transport,
        }
    }
}

/// What every thread shares: the pool, the queue to the SMP thread, and the
/// stop and reset signals.
pub struct Shared {
    pub pool: Arc<SharedPool>,
    pub stop: Arc<AtomicBool>,
    /// Bumped at each device reset: receivers drop partial packets.
    pub boot_generation: AtomicU64,
    pub queue: std::sync::mpsc::SyncSender<Inbound>,
    pub udp_sockets: Vec<UdpSocket>,
}

/// How often blocked threads look at the stop flag.
pub const POLL_INTERVAL: Duration = Duration::from_millis(100);

impl Shared {
    pub fn stopping(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    pub fn generation(&self) -> u64 {
        self.boot_generation.load(Ordering::Acquire)
    }

    /// A free buffer, waiting as long as it takes unless the device stops.
    pub fn alloc(&self) -> Option<Buf> {
        while !self.stopping() {
            if let Some(buf) = self.pool.alloc(POLL_INTERVAL) {
                return Some(buf);
            }
        }
        None
    }

    /// Hands a complete packet to the SMP thread.
    pub fn deliver(&self, buf: Buf, reply: ReplyTo) {
        if let Err(std::sync::mpsc::SendError(Inbound::Packet { buf, .. })) =
            self.queue.send(Inbound::Packet { buf, reply })
        {
            self.pool.release(buf);
        }
    }

    /// Hands bytes typed at the shell to the SMP thread.
    pub fn deliver_shell_input(&self, bytes: Vec<u8>) {
        let _ = self.queue.send(Inbound::ShellInput(bytes));
    }
}
