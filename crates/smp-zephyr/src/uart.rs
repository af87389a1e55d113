//! The serial transport (SMP console framing: base64 lines with a CRC) over
//! the UART chosen as `zephyr,uart-mcumgr`.
//!
//! Receive, chosen by Kconfig:
//! - `RUST_SMP_TRANSPORT_UART_INTERRUPT`: the RX interrupt copies bytes into
//!   a static lock-free ring and wakes the SMP thread ([`crate::smp::WAKE`]).
//!   Real UARTs need this: their FIFOs are a few bytes deep (nRF UARTE in
//!   interrupt mode: one), so polling between waits loses bytes at 115200
//!   baud.
//! - `RUST_SMP_TRANSPORT_UART_ASYNC`: the async API (as Zephyr's
//!   `MCUMGR_TRANSPORT_UART_ASYNC`): `uart_rx_enable` with two static
//!   buffers handed to the driver in turn; the driver's `UART_RX_RDY`
//!   callback copies the new bytes into the same ring and wakes the SMP
//!   thread. For DMA UARTs, and native_sim's PTY UART (its async API is
//!   emulated by a driver thread; it has no interrupt API).
//! - `RUST_SMP_TRANSPORT_UART_POLL`: the SMP thread drains the driver between
//!   waits. For drivers without the interrupt API, native_sim's PTY UART
//!   among them (the host's PTY buffers meanwhile).
//!
//! Transmit is `uart_poll_out` in every mode, as Zephyr's own `uart_mcumgr`
//! does: the SMP thread has nothing else to do until a response is out (an
//! `os reset` even relies on it being out), the console's printk/log output
//! on the same UART also goes through `poll_out`, and an interrupt TX path
//! would add a second ring and TX-complete handling without making the
//! response leave sooner.

use crate::sys::raw;

/// Held while one response frame is written (nothing to lock here).
pub struct FrameLock;

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
        #[cfg(CONFIG_RUST_SMP_TRANSPORT_UART_ASYNC)]
        asynch::start(uart.dev)?;
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
    #[cfg(any(
        CONFIG_RUST_SMP_TRANSPORT_UART_INTERRUPT,
        CONFIG_RUST_SMP_TRANSPORT_UART_ASYNC
    ))]
    pub fn read(&self) -> Option<u8> {
        crate::serial_rx::read()
    }

    /// Nothing else writes this UART's SMP frames: no lock to hold while
    /// one is sent.
    pub fn lock(&self) -> FrameLock {
        FrameLock
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

    use crate::serial_rx as rx;

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
        crate::log_info!(
            "uart: interrupt-driven receive, %ld-byte ring",
            rx::RING_SIZE
        );
        Some(())
    }

    type Isr = unsafe extern "C" fn(*const device, *mut c_void);

    /// Runs in interrupt context: moves every received byte into the ring.
    extern "C" fn isr(dev: *const device, _user_data: *mut c_void) {
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
            // SAFETY: this ISR is the ring's only producer, and an ISR
            // does not preempt itself.
            unsafe { rx::push(&chunk[..n]) };
        }
    }
}

#[cfg(CONFIG_RUST_SMP_TRANSPORT_UART_ASYNC)]
mod asynch {
    use core::cell::UnsafeCell;
    use core::ffi::c_void;

    use zephyr::raw::{
        device, uart_callback_set, uart_event, uart_event_type_UART_RX_BUF_REQUEST,
        uart_event_type_UART_RX_DISABLED, uart_event_type_UART_RX_RDY, uart_rx_buf_rsp,
        uart_rx_enable,
    };
    use zephyr::sync::atomic::{AtomicUsize, Ordering};

    use crate::serial_rx as rx;

    const BUF_SIZE: usize = crate::config::CONFIG_RUST_SMP_TRANSPORT_UART_ASYNC_BUF_SIZE as usize;
    /// `uart_rx_enable`'s inactivity timeout (µs) before a partly filled
    /// buffer is reported: 0, as Zephyr's uart_mcumgr passes (report at
    /// once; the SMP thread reassembles lines anyway).
    const RX_TIMEOUT_US: i32 = 0;

    /// The two receive buffers, owned by the driver between
    /// `uart_rx_enable`/`uart_rx_buf_rsp` and `UART_RX_BUF_RELEASED`.
    struct Buffers(UnsafeCell<[[u8; BUF_SIZE]; 2]>);

    // SAFETY: the program never reads or writes the buffers itself except
    // through the `UART_RX_RDY` event's pointer, which the driver hands over
    // for the callback's duration; the rest of the time only the driver
    // (its DMA or its RX thread) writes them.
    unsafe impl Sync for Buffers {}

    static BUFFERS: Buffers = Buffers(UnsafeCell::new([[0; BUF_SIZE]; 2]));
    /// The buffer to hand over at the next `UART_RX_BUF_REQUEST` (0 or 1).
    static NEXT: AtomicUsize = AtomicUsize::new(1);

    fn buffer(index: usize) -> *mut u8 {
        // In bounds: index is 0 or 1; no reference to the contents is made.
        BUFFERS.0.get().cast::<u8>().wrapping_add(index * BUF_SIZE)
    }

    /// Starts reception into buffer 0 (buffer 1 is handed over when the
    /// driver asks); 0 or the driver's errno.
    fn enable(dev: *const device) -> i32 {
        NEXT.store(1, Ordering::Relaxed);
        // SAFETY: a ready UART; buffer 0 is static and not held by the
        // driver (reception is off: never started, or RX_DISABLED).
        unsafe { uart_rx_enable(dev, buffer(0), BUF_SIZE, RX_TIMEOUT_US) }
    }

    /// Installs the callback and starts reception; `None` (logged) if the
    /// driver refuses.
    pub fn start(dev: *const device) -> Option<()> {
        // SAFETY: `callback` is valid for the program's life and takes no
        // user data.
        let rc =
            unsafe { uart_callback_set(dev, Some(callback as Callback), core::ptr::null_mut()) };
        if rc != 0 {
            crate::log_error!(
                "uart: no async API on the zephyr,uart-mcumgr UART (%ld)",
                rc
            );
            return None;
        }
        let rc = enable(dev);
        if rc != 0 {
            crate::log_error!("uart: uart_rx_enable failed (%ld)", rc);
            return None;
        }
        crate::log_info!(
            "uart: async receive, 2 x %ld-byte buffers, %ld-byte ring",
            BUF_SIZE,
            rx::RING_SIZE
        );
        Some(())
    }

    type Callback = unsafe extern "C" fn(*const device, *mut uart_event, *mut c_void);

    /// Called by the driver (interrupt context, or native_sim's RX thread);
    /// the driver does not run it concurrently with itself.
    extern "C" fn callback(dev: *const device, evt: *mut uart_event, _user_data: *mut c_void) {
        // SAFETY: the driver passes a valid event for the call's duration.
        let evt = unsafe { &*evt };
        match evt.type_ {
            t if t == uart_event_type_UART_RX_RDY => {
                // SAFETY: the event's type says `rx` is the union member set.
                let data = unsafe { evt.data.rx.as_ref() };
                if data.buf.is_null() || data.len == 0 {
                    return;
                }
                // SAFETY: the driver reports `len` new bytes at `offset` of
                // `buf`, one of our buffers, initialized and not written
                // while the callback runs.
                let bytes =
                    unsafe { core::slice::from_raw_parts(data.buf.add(data.offset), data.len) };
                // SAFETY: this callback is the ring's only producer and is
                // not reentered.
                unsafe { rx::push(bytes) };
            }
            t if t == uart_event_type_UART_RX_BUF_REQUEST => {
                // The buffer not being filled: released (UART_RX_BUF_RELEASED)
                // before the driver asks again, since it holds at most two.
                let next = NEXT.load(Ordering::Relaxed);
                NEXT.store(next ^ 1, Ordering::Relaxed);
                // SAFETY: a static buffer the driver does not hold. An error
                // (reception stopping meanwhile) ends in RX_DISABLED, handled
                // below.
                let _ = unsafe { uart_rx_buf_rsp(dev, buffer(next), BUF_SIZE) };
            }
            t if t == uart_event_type_UART_RX_DISABLED => {
                // Every buffer has been released: start over, so a line error
                // or a filled buffer with no next one does not end reception.
                let _ = enable(dev);
            }
            // UART_RX_BUF_RELEASED: the bytes were copied at UART_RX_RDY,
            // nothing to free. UART_RX_STOPPED (a line error): RX_DISABLED
            // follows. TX events: transmit is uart_poll_out.
            _ => {}
        }
    }
}
