//! The shell transport (RUST_SMP_TRANSPORT_SHELL, as Zephyr's
//! `MCUMGR_TRANSPORT_SHELL`): SMP console framing on the serial shell's UART,
//! beside the shell a person uses.
//!
//! Receive: `c/smp_shell.c` gives the shell backend another read, which
//! lands in [`rust_smp_shell_read`] on the shell thread. That reads what the
//! backend received, splits it with the core's
//! [`smp_server::codec::shell::ShellDemux`], pushes the frame lines into the
//! serial ring ([`crate::serial_rx`]) for the SMP thread and hands the
//! shell the rest. Transmit: the SMP thread writes each response frame
//! through the backend under the shell's write lock ([`ShellLink::lock`]).

use core::cell::UnsafeCell;
use core::ffi::c_int;
use core::marker::PhantomData;

use smp_server::codec::shell::{ShellDemux, Sink};

use crate::sys::raw;

/// How many received bytes one backend read takes.
const CHUNK: usize = 16;

/// The shell thread's side: the demultiplexer and the shell's bytes not yet
/// handed over (the shell reads one byte at a time; a chunk releases up to
/// `CHUNK + 1` of them, with a held marker byte).
struct ReadSide {
    demux: ShellDemux,
    for_shell: heapless::Deque<u8, { 2 * CHUNK }>,
}

struct ShellThreadOnly(UnsafeCell<ReadSide>);

// SAFETY: only the shell thread touches the read side: the backend's read is
// called by the shell thread alone (shell.c's state_collect), never
// reentered.
unsafe impl Sync for ShellThreadOnly {}

static READ_SIDE: ShellThreadOnly = ShellThreadOnly(UnsafeCell::new(ReadSide {
    demux: ShellDemux::new(),
    for_shell: heapless::Deque::new(),
}));

/// The shell backend's read, wrapped: fills `data` with up to `length` of
/// the shell's bytes and sets `*cnt`; SMP frame lines go to the SMP thread.
/// 0, or the backend's error.
///
/// # Safety
///
/// Called by `c/smp_shell.c` for the shell thread, with `data` valid for
/// writes of `length` bytes and `cnt` valid for a write.
#[no_mangle]
unsafe extern "C" fn rust_smp_shell_read(
    data: *mut core::ffi::c_void,
    length: usize,
    cnt: *mut usize,
) -> c_int {
    // SAFETY: the shell thread is the only caller (see ShellThreadOnly).
    let side = unsafe { &mut *READ_SIDE.0.get() };
    let mut given = 0usize;
    let rc = loop {
        while given < length {
            let Some(byte) = side.for_shell.pop_front() else {
                break;
            };
            // SAFETY: `data` is valid for `length` bytes, `given < length`.
            unsafe { data.cast::<u8>().add(given).write(byte) };
            given += 1;
        }
        // The shell reads again until a read gives nothing, so returning
        // part of what is there loses nothing.
        if given > 0 {
            break 0;
        }
        let mut chunk = [0u8; CHUNK];
        let mut got = 0usize;
        // SAFETY: a valid buffer of CHUNK bytes and a valid count pointer;
        // this is the shell thread, as the backend's read expects.
        let rc = unsafe { raw::rust_smp_shell_inner_read(chunk.as_mut_ptr(), CHUNK, &mut got) };
        if rc != 0 || got == 0 {
            break rc;
        }
        let mut for_smp = heapless::Vec::<u8, { 2 * CHUNK }>::new();
        for &byte in chunk.iter().take(got) {
            let routed = side.demux.push(byte);
            match routed.sink {
                // Room for all: a chunk routes at most CHUNK + 1 bytes.
                Sink::Smp => {
                    let _ = for_smp.extend_from_slice(routed.bytes());
                }
                Sink::Shell => {
                    for &b in routed.bytes() {
                        let _ = side.for_shell.push_back(b);
                    }
                }
            }
        }
        // SAFETY: the shell thread is the serial ring's only producer (the
        // shell transport excludes the UART transport).
        unsafe { crate::serial_rx::push(&for_smp) };
    };
    // SAFETY: `cnt` is valid for a write.
    unsafe { cnt.write(given) };
    rc
}

/// The SMP thread's side of the shell transport.
pub struct ShellLink {
    /// Owned by the SMP thread: it is the serial ring's one consumer.
    _not_send: PhantomData<*const ()>,
}

/// Held while one response frame is written: the shell's write lock.
pub struct FrameLock(PhantomData<*const ()>);

impl Drop for FrameLock {
    fn drop(&mut self) {
        // SAFETY: this thread locked the mutex in `ShellLink::lock`.
        unsafe { raw::rust_smp_shell_unlock() };
    }
}

impl ShellLink {
    /// The shell transport, if the shell's UART is ready.
    pub fn open() -> Option<Self> {
        // SAFETY: a plain query of a statically allocated device.
        if !unsafe { raw::rust_smp_shell_ready() } {
            return None;
        }
        crate::log_info!(
            "shell: SMP beside the shell, %ld-byte ring",
            crate::serial_rx::RING_SIZE
        );
        Some(ShellLink {
            _not_send: PhantomData,
        })
    }

    /// The next byte of a frame line, if one is waiting.
    pub fn read(&self) -> Option<u8> {
        crate::serial_rx::read()
    }

    /// Takes the shell's write lock until the returned guard drops.
    pub fn lock(&self) -> FrameLock {
        // SAFETY: the shell initialised its mutex before it read the request
        // being answered; unlocked by the guard, on this thread.
        unsafe { raw::rust_smp_shell_lock() };
        FrameLock(PhantomData)
    }

    /// Sends `bytes` through the shell backend (under [`ShellLink::lock`]).
    pub fn write(&self, bytes: &[u8]) {
        // SAFETY: a valid buffer of its length.
        let rc = unsafe { raw::rust_smp_shell_write(bytes.as_ptr(), bytes.len()) };
        if rc != 0 {
            crate::log_warn!("shell: response write failed (%ld)", rc);
        }
    }
}
