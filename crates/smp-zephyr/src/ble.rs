//! SMP over Bluetooth LE. `c/ble_gatt.c` holds what only C macros express
//! (the static GATT service, the advertising data, the connection callbacks)
//! and calls in here; this side moves the data.
//!
//! Writes to the SMP characteristic arrive on the Bluetooth RX thread
//! ([`rust_smp_bt_write`]), which reassembles them with the core's
//! [`Reassembler`] straight into one of NETBUF_COUNT static slots, as Zephyr's
//! smp_bt does into its net_bufs. A complete packet's slot index goes to the
//! SMP thread through the `READY` ring (the semaphore [`crate::smp::WAKE`]
//! wakes it); the SMP thread answers in notifications and hands the slot back
//! through `FREE`. Each index is owned by exactly one side at a time, so slot
//! data is never shared; a client may pipeline NETBUF_COUNT − 1 requests
//! while one is answered, as os params says.
//!
//! Every disconnect (and every client turning notifications off) bumps
//! `LINK_EPOCH`: the RX side then drops a partial packet, and the SMP thread
//! lets go of its connection references (a referenced connection object
//! cannot be recycled, and advertising resumes only on recycle).

use core::cell::UnsafeCell;
use core::ffi::c_int;

use smp_server::codec::ble::{self, AttError, Reassembler};
use smp_server::netbuf::NetBuf;
use zephyr::sync::atomic::{AtomicU32, Ordering};
use zephyr::sync::SpinMutex;

use crate::ring::Ring;
use crate::sys::raw;

const SIZE: usize = crate::config::CONFIG_RUST_SMP_TRANSPORT_NETBUF_SIZE as usize;
const COUNT: usize = crate::config::CONFIG_RUST_SMP_TRANSPORT_NETBUF_COUNT as usize;

struct Slot {
    /// The connection the packet came from, referenced while the slot is in
    /// `READY` or being answered.
    conn: *mut raw::bt_conn,
    len: usize,
    data: [u8; SIZE],
}

struct Slots([UnsafeCell<Slot>; COUNT]);

// SAFETY: slot `i` is touched only by the side holding index `i`: the RX side
// (under the `RX` lock) from its pop off `FREE` to its push onto `READY`, the
// SMP thread from its pop off `READY` to its push onto `FREE`. The rings'
// Release/Acquire pairs order the accesses of the two sides.
unsafe impl Sync for Slots {}

static SLOTS: Slots = Slots(
    [const {
        UnsafeCell::new(Slot {
            conn: core::ptr::null_mut(),
            len: 0,
            data: [0; SIZE],
        })
    }; COUNT],
);
/// Free slots: pushed by the SMP thread, popped by the RX side.
static FREE: Ring<u8, COUNT> = Ring::new();
/// The fewest free slots since boot (memory pool statistics); written by
/// the RX side only, after each pop.
#[cfg(CONFIG_RUST_SMP_GRP_OS_MPSTAT)]
static MIN_FREE: zephyr::sync::atomic::AtomicUsize = zephyr::sync::atomic::AtomicUsize::new(COUNT);
/// Complete requests: pushed by the RX side, popped by the SMP thread.
static READY: Ring<u8, COUNT> = Ring::new();
/// Bumped when a link goes down (disconnect, notifications disabled).
static LINK_EPOCH: AtomicU32 = AtomicU32::new(0);
/// Writes refused since the SMP thread last reported: no free buffer, and
/// malformed fragments. Counted rather than logged on the Bluetooth RX
/// thread, whose stack is small (BT_RX_STACK_SIZE).
static NO_BUFFER: AtomicU32 = AtomicU32::new(0);
static MALFORMED: AtomicU32 = AtomicU32::new(0);

/// State of the RX side, whatever thread the Bluetooth host calls it on.
struct Rx {
    reassembler: Reassembler,
    /// The slot being filled.
    slot: Option<u8>,
    /// Connection (address, only compared) and epoch of the partial packet.
    conn: usize,
    epoch: u32,
}

static RX: SpinMutex<Rx> = SpinMutex::new(Rx {
    reassembler: Reassembler::new(),
    slot: None,
    conn: 0,
    epoch: 0,
});

/// Why a write was refused.
enum Rejected {
    NoBuffer,
    Malformed,
}

/// The SMP characteristic's write handler (Bluetooth RX thread, through
/// `ble_gatt.c`): 0, or the ATT error to answer.
#[no_mangle]
extern "C" fn rust_smp_bt_write(conn: *mut raw::bt_conn, data: *const u8, len: u16) -> c_int {
    let write = if len == 0 || data.is_null() {
        &[][..]
    } else {
        // SAFETY: the GATT layer passes the written value, `len` bytes valid
        // for the duration of the callback.
        unsafe { core::slice::from_raw_parts(data, usize::from(len)) }
    };
    let (counter, error) = match collect(conn, write) {
        Ok(false) => return 0,
        Ok(true) => {
            crate::smp::WAKE.give();
            return 0;
        }
        Err(Rejected::NoBuffer) => (&NO_BUFFER, AttError::InsufficientResources),
        Err(Rejected::Malformed) => (&MALFORMED, AttError::ValueNotAllowed),
    };
    counter.fetch_add(1, Ordering::Relaxed);
    // Wake the SMP thread to report it.
    crate::smp::WAKE.give();
    c_int::from(error.code())
}

/// Adds one write to the packet being reassembled; `Ok(true)` when that
/// completed it and it was queued for the SMP thread.
fn collect(conn: *mut raw::bt_conn, write: &[u8]) -> Result<bool, Rejected> {
    let Ok(mut rx) = RX.lock();
    let epoch = LINK_EPOCH.load(Ordering::Acquire);
    if rx.epoch != epoch || rx.conn != conn as usize {
        // A partial packet of a link that went down, or of another client.
        rx.reassembler.reset();
        rx.epoch = epoch;
        rx.conn = conn as usize;
    }
    let index = match rx.slot {
        Some(index) => index,
        None => {
            // SAFETY: the RX side pops `FREE` only here, under the `RX` lock.
            let index = unsafe { FREE.pop() }.ok_or(Rejected::NoBuffer)?;
            #[cfg(CONFIG_RUST_SMP_GRP_OS_MPSTAT)]
            {
                let free = FREE.count();
                if free < MIN_FREE.load(Ordering::Relaxed) {
                    MIN_FREE.store(free, Ordering::Relaxed);
                }
            }
            index
        }
    };
    rx.slot = Some(index);
    // SAFETY: this side took `index` off `FREE` and has not queued it, and
    // holds the `RX` lock (see `Slots`).
    let slot = unsafe { &mut *SLOTS.0[usize::from(index)].get() };
    let mut buf = NetBuf::new(&mut slot.data);
    if rx.reassembler.in_progress() {
        buf.set_len(slot.len);
    }
    let result = rx.reassembler.push(write, &mut buf);
    slot.len = buf.len();
    match result {
        Ok(false) => Ok(false),
        Ok(true) => {
            // SAFETY: `conn` is the live connection the write came on; the
            // reference keeps it valid until the SMP thread releases it.
            slot.conn = unsafe { raw::bt_conn_ref(conn) };
            rx.slot = None;
            // SAFETY: the RX side pushes `READY` only here, under the `RX`
            // lock. It cannot be full: it has room for every slot.
            let _ = unsafe { READY.push(index) };
            Ok(true)
        }
        Err(_) => Err(Rejected::Malformed),
    }
}

/// A link went down (`ble_gatt.c`: disconnected, or notifications turned
/// off): drop the partial packet and wake the SMP thread to release its
/// references to that connection.
#[no_mangle]
extern "C" fn rust_smp_bt_link_down() {
    LINK_EPOCH.fetch_add(1, Ordering::AcqRel);
    crate::smp::WAKE.give();
}

/// The SMP thread's side of the transport.
pub struct Ble {
    /// The connection fast parameters were asked for, and when it was last
    /// active (uptime, ms).
    #[cfg(CONFIG_RUST_SMP_TRANSPORT_BT_CONN_PARAM_CONTROL)]
    fast: Option<(ConnRef, u32, i64)>,
}

/// The request slots as a memory pool: (block size, blocks, free now,
/// fewest free since boot).
#[cfg(CONFIG_RUST_SMP_GRP_OS_MPSTAT)]
pub fn pool() -> (usize, usize, usize, usize) {
    let free = FREE.count();
    (
        SIZE,
        COUNT,
        free,
        MIN_FREE.load(Ordering::Relaxed).min(free),
    )
}

impl Ble {
    /// Fills the free list, enables Bluetooth and starts advertising; the
    /// errno on failure.
    pub fn start() -> Result<Self, i32> {
        for index in 0..COUNT as u8 {
            // SAFETY: the SMP thread is `FREE`'s only producer.
            let _ = unsafe { FREE.push(index) };
        }
        // SAFETY: called once, from the SMP thread, before any other
        // Bluetooth use.
        let rc = unsafe { raw::rust_smp_bt_start() };
        if rc != 0 {
            return Err(rc);
        }
        Ok(Ble {
            #[cfg(CONFIG_RUST_SMP_TRANSPORT_BT_CONN_PARAM_CONTROL)]
            fast: None,
        })
    }

    /// The next complete request, if one is queued.
    pub fn next(&mut self) -> Option<Request> {
        let no_buffer = NO_BUFFER.swap(0, Ordering::Relaxed);
        if no_buffer > 0 {
            crate::log_warn!(
                "bt: %ld writes dropped, all %ld buffers busy",
                no_buffer,
                COUNT
            );
        }
        let malformed = MALFORMED.swap(0, Ordering::Relaxed);
        if malformed > 0 {
            crate::log_warn!(
                "bt: %ld malformed request fragments, partial packets dropped",
                malformed
            );
        }
        // SAFETY: the SMP thread is `READY`'s only consumer (it owns `Ble`).
        let index = unsafe { READY.pop() }?;
        // SAFETY: this thread now holds `index` (see `Slots`).
        let slot = unsafe { &*SLOTS.0[usize::from(index)].get() };
        let request = Request {
            index,
            conn: ConnRef(slot.conn),
            len: slot.len,
        };
        #[cfg(CONFIG_RUST_SMP_TRANSPORT_BT_CONN_PARAM_CONTROL)]
        self.active(&request.conn);
        Some(request)
    }
}

/// A counted reference to a connection, released on drop.
struct ConnRef(*mut raw::bt_conn);

impl Drop for ConnRef {
    fn drop(&mut self) {
        // SAFETY: this reference was taken with bt_conn_ref and is released
        // once, here.
        unsafe { raw::bt_conn_unref(self.0) };
    }
}

/// One reassembled request and the connection to answer on. Dropping it
/// hands the buffer back.
pub struct Request {
    index: u8,
    conn: ConnRef,
    len: usize,
}

impl Request {
    pub fn bytes(&self) -> &[u8] {
        // SAFETY: the SMP thread holds `index` until `drop` (see `Slots`).
        let slot = unsafe { &*SLOTS.0[usize::from(self.index)].get() };
        &slot.data[..self.len]
    }

    /// Sends one response packet in notifications of at most ATT MTU − 3
    /// bytes, each one after the previous has gone out. Gives up (logged)
    /// when the client disconnected or left notifications off.
    pub fn notify(&self, packet: &[u8]) {
        // SAFETY: a referenced connection object.
        let mtu = unsafe { raw::bt_gatt_get_mtu(self.conn.0) };
        let mut size = ble::notification_size(usize::from(mtu));
        let mut rest = packet;
        while !rest.is_empty() {
            let n = size.min(rest.len());
            // SAFETY: a referenced connection; `rest` is valid for `n` bytes
            // (n <= MTU <= u16::MAX), copied before the call returns.
            let rc = unsafe { raw::rust_smp_bt_notify(self.conn.0, rest.as_ptr(), n as u16) };
            if rc == 0 {
                rest = &rest[n..];
            } else if rc == -(raw::ENOMEM as c_int) && size > ble::MIN_NOTIFICATION {
                // No ATT bearer takes this size (as Zephyr's smp_bt, halve).
                size = (size / 2).max(ble::MIN_NOTIFICATION);
            } else {
                crate::log_debug!("bt: notification failed (%ld), response dropped", rc);
                return;
            }
        }
    }
}

impl Drop for Request {
    fn drop(&mut self) {
        // SAFETY: the SMP thread is `FREE`'s only producer; it cannot be full
        // (every index is either there or held, this one by us).
        let _ = unsafe { FREE.push(self.index) };
    }
}

/// Connection parameter control (as Zephyr's
/// MCUMGR_TRANSPORT_BT_CONN_PARAM_CONTROL, without its work items: the SMP
/// thread itself restores the preferred parameters once idle).
#[cfg(CONFIG_RUST_SMP_TRANSPORT_BT_CONN_PARAM_CONTROL)]
mod conn_param {
    use super::{Ble, ConnRef, LINK_EPOCH};
    use crate::config::*;
    use crate::sys::raw;
    use zephyr::sync::atomic::Ordering;

    const RESTORE_MS: i64 = CONFIG_RUST_SMP_TRANSPORT_BT_CONN_PARAM_CONTROL_RESTORE_TIME;

    const SMP: raw::bt_le_conn_param = raw::bt_le_conn_param {
        interval_min: CONFIG_RUST_SMP_TRANSPORT_BT_CONN_PARAM_CONTROL_MIN_INT as u16,
        interval_max: CONFIG_RUST_SMP_TRANSPORT_BT_CONN_PARAM_CONTROL_MAX_INT as u16,
        latency: CONFIG_RUST_SMP_TRANSPORT_BT_CONN_PARAM_CONTROL_LATENCY as u16,
        timeout: CONFIG_RUST_SMP_TRANSPORT_BT_CONN_PARAM_CONTROL_TIMEOUT as u16,
    };
    // The Bluetooth specification's rule, which Kconfig ranges cannot express
    // (Zephyr's smp_bt asserts the same).
    const _: () = assert!(
        SMP.timeout as u32 * 4 > (1 + SMP.latency as u32) * SMP.interval_max as u32,
        "RUST_SMP_TRANSPORT_BT_CONN_PARAM_CONTROL: supervision timeout too short"
    );
    /// The peripheral's preferred parameters (BT_PERIPHERAL_PREF_*).
    const PREFERRED: raw::bt_le_conn_param = raw::bt_le_conn_param {
        interval_min: raw::CONFIG_BT_PERIPHERAL_PREF_MIN_INT as u16,
        interval_max: raw::CONFIG_BT_PERIPHERAL_PREF_MAX_INT as u16,
        latency: raw::CONFIG_BT_PERIPHERAL_PREF_LATENCY as u16,
        timeout: raw::CONFIG_BT_PERIPHERAL_PREF_TIMEOUT as u16,
    };

    fn request(conn: &ConnRef, param: &raw::bt_le_conn_param) -> i32 {
        // SAFETY: a referenced connection; `param` is read during the call.
        // On a link that is down this fails (ENOTCONN).
        unsafe { raw::bt_conn_le_param_update(conn.0, param) }
    }

    impl Ble {
        /// A request arrived on `conn`: ask for fast parameters if not done
        /// yet for this link, and push the restore time back.
        pub(super) fn active(&mut self, conn: &ConnRef) {
            let now = zephyr::sys::uptime_get();
            let epoch = LINK_EPOCH.load(Ordering::Acquire);
            if let Some((fast, fast_epoch, last)) = &mut self.fast {
                if fast.0 == conn.0 && *fast_epoch == epoch {
                    *last = now;
                    return;
                }
            }
            self.restore();
            let rc = request(conn, &SMP);
            if rc == 0 || rc == -(raw::EALREADY as i32) {
                // SAFETY: a live (referenced) connection; released by ConnRef.
                let fast = ConnRef(unsafe { raw::bt_conn_ref(conn.0) });
                self.fast = Some((fast, epoch, now));
            } else {
                crate::log_debug!(
                    "bt: connection parameter request refused (%ld), retried later",
                    rc
                );
            }
        }

        /// Restores the preferred parameters when the link went down or has
        /// been idle long enough; how long until that is due (ms), if ever.
        pub fn idle(&mut self) -> Option<i64> {
            let (_, epoch, last) = self.fast.as_ref()?;
            let left = last + RESTORE_MS - zephyr::sys::uptime_get();
            if *epoch == LINK_EPOCH.load(Ordering::Acquire) && left > 0 {
                return Some(left);
            }
            self.restore();
            None
        }

        fn restore(&mut self) {
            if let Some((fast, _, _)) = self.fast.take() {
                request(&fast, &PREFERRED);
            }
        }
    }
}

#[cfg(not(CONFIG_RUST_SMP_TRANSPORT_BT_CONN_PARAM_CONTROL))]
impl Ble {
    /// Nothing to do while idle without connection parameter control.
    pub fn idle(&mut self) -> Option<i64> {
        None
    }
}
