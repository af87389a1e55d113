//! The SMP thread: owns the [`Server`], its buffers and the device, waits on
//! every transport at once and answers one request at a time, as Zephyr's SMP
//! work queue does.

use core::cell::UnsafeCell;

use smp_server::dispatch::{AfterResponse, Group, Params, Server, Transport};
use zephyr::sync::atomic::{AtomicBool, Ordering};

use crate::device::ZephyrDevice;

const NETBUF_SIZE: usize = crate::config::CONFIG_RUST_SMP_TRANSPORT_NETBUF_SIZE as usize;
const NETBUF_COUNT: usize = crate::config::CONFIG_RUST_SMP_TRANSPORT_NETBUF_COUNT as usize;
const STACK_SIZE: usize = crate::config::CONFIG_RUST_SMP_THREAD_STACK_SIZE as usize;
const THREAD_PRIO: i32 = crate::config::CONFIG_RUST_SMP_THREAD_PRIO as i32;
#[cfg(CONFIG_RUST_SMP_GRP_OS)]
const RESET_MS: u64 = crate::config::CONFIG_RUST_SMP_GRP_OS_RESET_MS as u64;

/// The groups served, in registration order (Kconfig RUST_SMP_GRP_*).
static GROUPS: &[&Group] = &[
    #[cfg(CONFIG_RUST_SMP_GRP_OS)]
    &smp_server::groups::os::GROUP,
    #[cfg(CONFIG_RUST_SMP_GRP_ENUM)]
    &smp_server::groups::enumeration::GROUP,
];

/// The SMP thread's buffers: a request (one byte more than the largest
/// accepted, to tell a truncated datagram) and its response.
struct Buffers {
    #[cfg(CONFIG_RUST_SMP_TRANSPORT_UDP)]
    rx: [u8; NETBUF_SIZE + 1],
    tx: [u8; NETBUF_SIZE],
    /// The serial packet being reassembled (across waits).
    #[cfg(CONFIG_RUST_SMP_TRANSPORT_UART)]
    serial_rx: [u8; NETBUF_SIZE],
}

/// Static storage handed out once, to the one thread that uses it.
struct Once<T> {
    taken: AtomicBool,
    value: UnsafeCell<T>,
}

// SAFETY: the value is reachable only through `take`, which hands out a
// single `&mut` for the program's lifetime.
unsafe impl<T: Send> Sync for Once<T> {}

impl<T> Once<T> {
    // A `&mut` from `&self` is what this type is for: the flag makes it unique.
    #[allow(clippy::mut_from_ref)]
    fn take(&'static self) -> Option<&'static mut T> {
        if self.taken.swap(true, Ordering::AcqRel) {
            return None;
        }
        // SAFETY: the flag was clear: this is the first and only reference.
        Some(unsafe { &mut *self.value.get() })
    }
}

static BUFFERS: Once<Buffers> = Once {
    taken: AtomicBool::new(false),
    value: UnsafeCell::new(Buffers {
        #[cfg(CONFIG_RUST_SMP_TRANSPORT_UDP)]
        rx: [0; NETBUF_SIZE + 1],
        tx: [0; NETBUF_SIZE],
        #[cfg(CONFIG_RUST_SMP_TRANSPORT_UART)]
        serial_rx: [0; NETBUF_SIZE],
    }),
};

/// Starts the SMP thread.
pub fn start() {
    let thread = smp();
    thread.set_priority(THREAD_PRIO);
    thread.start();
}

#[zephyr::thread(stack_size = STACK_SIZE)]
fn smp() {
    let Some(buffers) = BUFFERS.take() else {
        log::error!("rust-smp: started twice");
        return;
    };
    let params = Params {
        buf_size: NETBUF_SIZE,
        buf_count: NETBUF_COUNT,
    };
    let mut server = Server::new(GROUPS, params);
    // The server answers from one receive buffer at a time; requests waiting
    // behind it queue in the transport (the socket's receive queue), which is
    // how a client keeps up to buf_count requests in flight.
    let mut device = ZephyrDevice::new();
    serve(&mut server, &mut device, buffers);
}

/// The transports that are enabled and came up.
struct Links {
    #[cfg(CONFIG_RUST_SMP_TRANSPORT_UDP)]
    udp: crate::udp::Udp,
    #[cfg(CONFIG_RUST_SMP_TRANSPORT_UART)]
    uart: crate::uart::Uart,
}

fn open_links() -> Option<Links> {
    #[cfg(CONFIG_RUST_SMP_TRANSPORT_UDP)]
    let udp = {
        const PORT: u16 = crate::config::CONFIG_RUST_SMP_TRANSPORT_UDP_PORT as u16;
        match crate::udp::Udp::bind(PORT) {
            Ok(udp) => {
                log::info!("rust-smp: UDP on port {PORT}");
                udp
            }
            Err(errno) => {
                log::error!("rust-smp: cannot bind UDP port {PORT} (errno {errno})");
                return None;
            }
        }
    };
    #[cfg(CONFIG_RUST_SMP_TRANSPORT_UART)]
    let uart = match crate::uart::Uart::open() {
        Some(uart) => {
            log::info!("rust-smp: serial on the zephyr,uart-mcumgr UART");
            uart
        }
        None => {
            log::error!("rust-smp: the zephyr,uart-mcumgr UART is not ready");
            return None;
        }
    };
    Some(Links {
        #[cfg(CONFIG_RUST_SMP_TRANSPORT_UDP)]
        udp,
        #[cfg(CONFIG_RUST_SMP_TRANSPORT_UART)]
        uart,
    })
}

/// How long the thread waits for a datagram before it polls the UART again
/// (the polling UART API cannot wake it); forever without a UART.
#[cfg(CONFIG_RUST_SMP_TRANSPORT_UART)]
const WAIT_MS: i32 = crate::config::CONFIG_RUST_SMP_TRANSPORT_UART_POLL_MS as i32;
#[cfg(not(CONFIG_RUST_SMP_TRANSPORT_UART))]
const WAIT_MS: i32 = -1;

fn serve(server: &mut Server<'_>, device: &mut ZephyrDevice, buffers: &mut Buffers) {
    let Some(links) = open_links() else {
        return;
    };
    log::info!(
        "rust-smp: ready, {} groups, buffers {NETBUF_COUNT} x {NETBUF_SIZE}",
        GROUPS.len()
    );
    #[cfg(CONFIG_RUST_SMP_TRANSPORT_UART)]
    let mut serial = (
        smp_server::codec::serial::SerialDecoder::new(),
        smp_server::netbuf::NetBuf::new(&mut buffers.serial_rx),
    );
    loop {
        wait(&links);
        #[cfg(CONFIG_RUST_SMP_TRANSPORT_UDP)]
        while let Some((len, peer)) = links.udp.recv(&mut buffers.rx) {
            use smp_server::codec::udp;
            const MTU: usize = crate::config::CONFIG_RUST_SMP_TRANSPORT_UDP_MTU as usize;
            if !udp::accept_datagram(len, NETBUF_SIZE) {
                log::debug!("udp: dropped a {len}-byte datagram");
                continue;
            }
            let cap = udp::max_response(NETBUF_SIZE, MTU);
            let after = server.process(
                device,
                Transport::Udp,
                &buffers.rx[..len],
                &mut buffers.tx[..cap],
                &mut |rsp| links.udp.send(rsp, &peer),
            );
            if let Some(after) = after {
                act(after);
            }
        }
        #[cfg(CONFIG_RUST_SMP_TRANSPORT_UART)]
        while let Some(byte) = links.uart.read() {
            let (decoder, packet) = &mut serial;
            if !decoder.push(byte, packet) {
                continue;
            }
            let after = server.process(
                device,
                Transport::Serial,
                packet.bytes(),
                &mut buffers.tx,
                &mut |rsp| {
                    smp_server::codec::serial::encode(rsp, &mut |line| links.uart.write(line))
                },
            );
            packet.clear();
            if let Some(after) = after {
                act(after);
            }
        }
    }
}

/// Waits until a datagram arrives or, with a UART, at most WAIT_MS.
fn wait(links: &Links) {
    #[cfg(CONFIG_RUST_SMP_TRANSPORT_UDP)]
    {
        let mut fds = [links.udp.pollfd()];
        // SAFETY: `fds` is a valid array of one pollfd, alive for the call.
        unsafe { crate::sys::raw::zsock_poll(fds.as_mut_ptr(), 1, WAIT_MS) };
    }
    #[cfg(not(CONFIG_RUST_SMP_TRANSPORT_UDP))]
    {
        let _ = links;
        if WAIT_MS < 0 {
            log::error!("rust-smp: no transport enabled (CONFIG_RUST_SMP_TRANSPORT_*)");
            loop {
                zephyr::time::sleep(zephyr::time::Forever);
            }
        }
        // Rounded up: at 100 ticks/s (qemu_cortex_m3) a plain `millis(5)` is 0
        // ticks, a mere yield, and lower-priority threads (logging, idle) never run.
        zephyr::time::sleep(zephyr::time::Duration::millis_at_least(WAIT_MS as u64));
    }
}

/// Work that follows a response, which has been sent already.
fn act(after: AfterResponse) {
    match after {
        #[cfg(CONFIG_RUST_SMP_GRP_OS)]
        AfterResponse::Reset { boot_mode } => {
            log::info!("rust-smp: reset (boot mode {boot_mode:?}) in {RESET_MS} ms");
            zephyr::time::sleep(zephyr::time::Duration::millis(RESET_MS));
            crate::sys::reboot();
        }
        #[cfg(not(CONFIG_RUST_SMP_GRP_OS))]
        AfterResponse::Reset { .. } => {}
    }
}
