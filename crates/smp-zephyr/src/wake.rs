//! The SMP thread's wake-up: a semaphore (c/wake.c) given by the UART
//! receive interrupt and the Bluetooth callbacks, taken by the SMP thread
//! when it waits for work.

use crate::sys::raw;

/// The semaphore; `crate::smp::WAKE`.
pub struct Wake;

// Builds with only UDP and a polled UART use neither call.
#[allow(dead_code)]
impl Wake {
    /// Wakes the SMP thread (callable from an ISR).
    pub fn give(&self) {
        // SAFETY: gives a statically defined semaphore; ISR-safe.
        unsafe { raw::rust_smp_wake_give() }
    }

    /// Sleeps at least `ms` milliseconds, whatever gives the semaphore
    /// meanwhile (32-bit tick conversion, as [`take`](Wake::take)).
    pub fn sleep(&self, ms: u32) {
        // SAFETY: a plain sleep of the calling thread.
        unsafe { raw::rust_smp_sleep_ms(ms) }
    }

    /// Waits until given, or at most `ms` milliseconds (rounded up to whole
    /// ticks); `None` waits forever.
    pub fn take(&self, ms: Option<i64>) {
        let ms = ms.map_or(-1, |ms| i32::try_from(ms.max(0)).unwrap_or(i32::MAX));
        // SAFETY: takes a statically defined semaphore from a thread.
        unsafe { raw::rust_smp_wake_take(ms) }
    }
}
