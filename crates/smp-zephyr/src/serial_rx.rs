//! The ring between the serial link's receiver and the SMP thread: the UART
//! receive interrupt or async callback, or the shell thread handing over the
//! frame lines it found in the shell's input (the one producer), and the SMP
//! thread (the one consumer), woken at each push.

use zephyr::sync::atomic::{AtomicU32, Ordering};

use crate::ring::Ring;

const NETBUF_SIZE: usize = crate::config::CONFIG_RUST_SMP_TRANSPORT_NETBUF_SIZE as usize;
const NETBUF_COUNT: usize = crate::config::CONFIG_RUST_SMP_TRANSPORT_NETBUF_COUNT as usize;
const CONFIGURED: i64 = crate::config::CONFIG_RUST_SMP_TRANSPORT_UART_RX_BUF_SIZE;

/// Bytes on the wire for one SMP packet of `len` bytes in console
/// framing: base64 of length + packet + CRC, and per line a 2-byte marker
/// and a newline, counting lines of at least 64 characters (clients use
/// 124 or 128).
const fn framed_len(len: usize) -> usize {
    let base64 = (len + 4).div_ceil(3) * 4;
    base64 + 3 * base64.div_ceil(64)
}

const PIPELINED: usize = if NETBUF_COUNT > 1 {
    NETBUF_COUNT - 1
} else {
    1
};

/// Room for what arrives while the SMP thread is busy with one request:
/// the buf_count − 1 further requests of up to buf_size a client may
/// pipeline (what os params promises), plus a line.
pub const RING_SIZE: usize = if CONFIGURED > 0 {
    CONFIGURED as usize
} else {
    framed_len(NETBUF_SIZE) * PIPELINED + 128
};

static RX: Ring<u8, RING_SIZE> = Ring::new();
/// The least free room the ring had after a push since boot (memory pool
/// statistics); written by the producer only.
#[cfg(CONFIG_RUST_SMP_GRP_OS_MPSTAT)]
static MIN_FREE: zephyr::sync::atomic::AtomicUsize =
    zephyr::sync::atomic::AtomicUsize::new(RING_SIZE);
/// Bytes the producer found no room for, since the SMP thread last
/// reported.
static DROPPED: AtomicU32 = AtomicU32::new(0);

/// Appends received bytes (dropping and counting what does not fit) and
/// wakes the SMP thread if there were any.
///
/// # Safety
///
/// Only the link's one producer (the UART's ISR, or its async callback,
/// which the driver does not run concurrently with itself; or the shell
/// thread) may call it.
pub unsafe fn push(bytes: &[u8]) {
    for &byte in bytes {
        // SAFETY: the caller is the ring's only producer.
        if unsafe { RX.push(byte) }.is_err() {
            DROPPED.fetch_add(1, Ordering::Relaxed);
        }
    }
    if !bytes.is_empty() {
        #[cfg(CONFIG_RUST_SMP_GRP_OS_MPSTAT)]
        {
            let free = RING_SIZE - RX.count();
            if free < MIN_FREE.load(Ordering::Relaxed) {
                MIN_FREE.store(free, Ordering::Relaxed);
            }
        }
        crate::smp::WAKE.give();
    }
}

/// The ring as a memory pool of one-byte blocks: (blocks, free now, least
/// free since boot).
#[cfg(CONFIG_RUST_SMP_GRP_OS_MPSTAT)]
pub fn pool() -> (usize, usize, usize) {
    let free = RING_SIZE - RX.count();
    (RING_SIZE, free, MIN_FREE.load(Ordering::Relaxed).min(free))
}

/// The next byte of the ring (SMP thread only); reports overflows once
/// the ring is drained.
pub fn read() -> Option<u8> {
    // SAFETY: only the SMP thread reads the link (it owns the `Uart` or
    // `ShellLink`, neither `Send` nor `Sync`), so there is one consumer.
    let byte = unsafe { RX.pop() };
    if byte.is_none() {
        let dropped = DROPPED.swap(0, Ordering::Relaxed);
        if dropped > 0 {
            crate::log_warn!("serial: receive ring full, %ld bytes dropped", dropped);
        }
    }
    byte
}
