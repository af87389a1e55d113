//! The serial transport (SMP console framing: base64 lines with a CRC) over
//! the UART chosen as `zephyr,uart-mcumgr`.
//!
//! Receive, chosen by Kconfig:
//! - `RUST_SMP_TRANSPORT_UART_INTERRUPT`: the RX interrupt copies bytes into
//!   a static lock-free ring and wakes the SMP thread ([`crate::smp::WAKE`]).
//!   Real UARTs need this: their FIFOs are a few bytes deep (nRF UARTE in
//!   interrupt mode: one), so polling between waits loses bytes at 115200
//!   baud.
//! - `RUST_SMP_TRANSPORT_UART_POLL`: the SMP thread drains the driver between
//!   waits. For drivers without the interrupt API, native_sim's PTY UART
//!   among them (the host's PTY buffers meanwhile).
//!
//! Transmit is `uart_poll_out` in both modes, as Zephyr's own `uart_mcumgr`
//! does: the SMP thread has nothing else to do until a response is out (an
//! `os reset` even relies on it being out), the console's printk/log output
//! on the same UART also goes through `poll_out`, and an interrupt TX path
//! would add a second ring and TX-complete handling without making the
//! response leave sooner.

use crate::sys::raw;

/// The chosen UART.
pub struct Uart {
    dev: *const zephyr::raw::device,
}

impl Uart {
    /// The `zephyr,uart-mcumgr` UART, if it is ready (and, in interrupt mode,
    /// its receive interrupt is set up).
    pub fn open() -> Option<Self> {
        // SAFETY: returns a pointer to a statically allocated device.
        let dev = unsafe { raw::rust_smp_uart() } as *const zephyr::raw::device;
        // SAFETY: `dev` points to a device object (static, never freed).
        let ready = unsafe { zephyr::raw::device_is_ready(dev) };
        if !ready {
            return None;
        }
        let uart = Uart { dev };
        #[cfg(CONFIG_RUST_SMP_TRANSPORT_UART_INTERRUPT)]
        irq::start(uart.dev)?;
        Some(uart)
    }

    /// The next received byte, if one is waiting.
    #[cfg(CONFIG_RUST_SMP_TRANSPORT_UART_POLL)]
    pub fn read(&self) -> Option<u8> {
        let mut byte: core::ffi::c_uchar = 0;
        // SAFETY: a ready UART device and a valid out pointer.
        let rc = unsafe { zephyr::raw::uart_poll_in(self.dev, &mut byte) };
        (rc == 0).then_some(byte)
    }

    /// The next received byte, if one is waiting.
    #[cfg(CONFIG_RUST_SMP_TRANSPORT_UART_INTERRUPT)]
    pub fn read(&self) -> Option<u8> {
        irq::read()
    }

    /// Sends `bytes`, waiting for room as uart_poll_out does.
    pub fn write(&self, bytes: &[u8]) {
        for &byte in bytes {
            // SAFETY: a ready UART device.
            unsafe { zephyr::raw::uart_poll_out(self.dev, byte) };
        }
    }
}

#[cfg(CONFIG_RUST_SMP_TRANSPORT_UART_INTERRUPT)]
mod irq {
    use core::ffi::{c_int, c_void};

    use zephyr::raw::{
        device, uart_fifo_read, uart_irq_callback_user_data_set, uart_irq_is_pending,
        uart_irq_rx_disable, uart_irq_rx_enable, uart_irq_rx_ready, uart_irq_tx_disable,
        uart_irq_update,
    };
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
    const RING_SIZE: usize = if CONFIGURED > 0 {
        CONFIGURED as usize
    } else {
        framed_len(NETBUF_SIZE) * PIPELINED + 128
    };

    static RX: Ring<u8, RING_SIZE> = Ring::new();
    /// Bytes the ISR found no room for, since the SMP thread last reported.
    static DROPPED: AtomicU32 = AtomicU32::new(0);

    /// Installs the ISR and enables the receive interrupt; `None` (logged)
    /// if the driver has no interrupt API.
    pub fn start(dev: *const device) -> Option<()> {
        // SAFETY: a ready UART; disabling interrupts the driver has not
        // enabled is harmless.
        unsafe {
            uart_irq_rx_disable(dev);
            uart_irq_tx_disable(dev);
        }
        // SAFETY: `isr` is valid for the program's life and takes no user
        // data; the driver calls it in interrupt context.
        let rc = unsafe {
            uart_irq_callback_user_data_set(dev, Some(isr as Isr), core::ptr::null_mut())
        };
        if rc != 0 {
            crate::log_error!("uart: no interrupt API on the zephyr,uart-mcumgr UART (%ld); use CONFIG_RUST_SMP_TRANSPORT_UART_POLL", rc);
            return None;
        }
        // SAFETY: a ready UART with its callback installed.
        unsafe { uart_irq_rx_enable(dev) };
        crate::log_info!("uart: interrupt-driven receive, %ld-byte ring", RING_SIZE);
        Some(())
    }

    type Isr = unsafe extern "C" fn(*const device, *mut c_void);

    /// Runs in interrupt context: moves every received byte into the ring.
    extern "C" fn isr(dev: *const device, _user_data: *mut c_void) {
        let mut received = false;
        loop {
            // SAFETY: `dev` is the UART the callback was installed on, and
            // this is its ISR, where the IRQ API is meant to be called.
            if unsafe { uart_irq_update(dev) } <= 0 {
                break;
            }
            // SAFETY: as above.
            if unsafe { uart_irq_is_pending(dev) } <= 0 {
                break;
            }
            // SAFETY: as above.
            if unsafe { uart_irq_rx_ready(dev) } <= 0 {
                continue;
            }
            let mut chunk = [0u8; 32];
            // SAFETY: as above; `chunk` is valid for writes of its length.
            let n = unsafe { uart_fifo_read(dev, chunk.as_mut_ptr(), chunk.len() as c_int) };
            let n = usize::try_from(n).unwrap_or(0).min(chunk.len());
            for &byte in &chunk[..n] {
                // SAFETY: this ISR is the ring's only producer, and an ISR
                // does not preempt itself.
                if unsafe { RX.push(byte) }.is_err() {
                    DROPPED.fetch_add(1, Ordering::Relaxed);
                }
            }
            received |= n > 0;
        }
        if received {
            crate::smp::WAKE.give();
        }
    }

    /// The next byte of the ring (SMP thread only); reports overflows once
    /// the ring is drained.
    pub fn read() -> Option<u8> {
        // SAFETY: only the SMP thread reads the UART (it owns the `Uart`,
        // which is not `Send` nor `Sync`), so there is one consumer.
        let byte = unsafe { RX.pop() };
        if byte.is_none() {
            let dropped = DROPPED.swap(0, Ordering::Relaxed);
            if dropped > 0 {
                crate::log_warn!("uart: receive ring full, %ld bytes dropped", dropped);
            }
        }
        byte
    }
}
