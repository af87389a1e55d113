//! The serial transport (SMP console framing: base64 lines with a CRC) over
//! the UART chosen as `zephyr,uart-mcumgr`, with the UART polling API, which
//! every UART driver has (native_sim's PTY UART has no interrupt API). The SMP
//! thread drains it between waits.

use core::ffi::c_uchar;

use crate::sys::raw;

/// The chosen UART.
pub struct Uart {
    dev: *const zephyr::raw::device,
}

impl Uart {
    /// The `zephyr,uart-mcumgr` UART, if it is ready.
    pub fn open() -> Option<Self> {
        // SAFETY: returns a pointer to a statically allocated device.
        let dev = unsafe { raw::rust_smp_uart() } as *const zephyr::raw::device;
        // SAFETY: `dev` points to a device object (static, never freed).
        let ready = unsafe { zephyr::raw::device_is_ready(dev) };
        ready.then_some(Uart { dev })
    }

    /// The next received byte, if one is waiting.
    pub fn read(&self) -> Option<u8> {
        let mut byte: c_uchar = 0;
        // SAFETY: a ready UART device and a valid out pointer.
        let rc = unsafe { zephyr::raw::uart_poll_in(self.dev, &mut byte) };
        (rc == 0).then_some(byte)
    }

    /// Sends `bytes`, waiting for room as uart_poll_out does.
    pub fn write(&self, bytes: &[u8]) {
        for &byte in bytes {
            // SAFETY: a ready UART device.
            unsafe { zephyr::raw::uart_poll_out(self.dev, byte) };
        }
    }
}
