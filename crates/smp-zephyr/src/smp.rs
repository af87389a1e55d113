//! The SMP thread: owns the [`Server`], its buffers and the device, waits on
//! every transport at once and answers one request at a time, as Zephyr's SMP
//! work queue does.

use core::cell::UnsafeCell;

use smp_server::dispatch::{AfterResponse, Group, Params, Server, Transport};
use smp_server::{Hooks, NoHooks};
use zephyr::sync::atomic::{AtomicBool, Ordering};

use crate::builder::{Builder, Transports, MAX_GROUPS};
use crate::device::ZephyrDevice;

const NETBUF_SIZE: usize = crate::config::CONFIG_RUST_SMP_TRANSPORT_NETBUF_SIZE as usize;
const NETBUF_COUNT: usize = crate::config::CONFIG_RUST_SMP_TRANSPORT_NETBUF_COUNT as usize;
#[cfg(CONFIG_RUST_SMP_GRP_OS)]
const RESET_MS: u32 = crate::config::CONFIG_RUST_SMP_GRP_OS_RESET_MS as u32;

/// Wakes the SMP thread: given by the UART receive interrupt and the
/// Bluetooth callbacks, taken by [`wait`]. (Unused when UDP is the only waker,
/// with a polled UART.)
#[allow(dead_code)]
pub static WAKE: crate::wake::Wake = crate::wake::Wake;

/// The built-in groups served, in registration order (Kconfig
/// RUST_SMP_GRP_*); the application's follow.
static BUILT_IN: &[&Group] = &[
    #[cfg(CONFIG_RUST_SMP_GRP_OS)]
    &OS_GROUP,
    #[cfg(CONFIG_RUST_SMP_GRP_IMG)]
    &IMAGE_GROUP,
    #[cfg(CONFIG_RUST_SMP_GRP_STAT)]
    &smp_server::groups::stat::GROUP,
    #[cfg(CONFIG_RUST_SMP_GRP_ENUM)]
    &smp_server::groups::enumeration::GROUP,
    #[cfg(CONFIG_RUST_SMP_GRP_SETTINGS)]
    &smp_server::groups::settings::GROUP,
    #[cfg(CONFIG_RUST_SMP_GRP_FS)]
    &smp_server::groups::fs::GROUP,
    #[cfg(CONFIG_RUST_SMP_GRP_SHELL)]
    &smp_server::groups::shell::GROUP,
    #[cfg(CONFIG_RUST_SMP_GRP_ZBASIC)]
    &smp_server::groups::zephyr_basic::GROUP,
    #[cfg(CONFIG_RUST_SMP_GRP_MEMFAULT)]
    &smp_server::groups::memfault::GROUP,
];

/// The os group with the commands Kconfig asks for (RUST_SMP_GRP_OS_*); the
/// others answer rc 8 and are not linked. Memory pool statistics report the
/// server's own receive buffers, where the build has some (`ZephyrDevice::memory_pools`).
#[cfg(CONFIG_RUST_SMP_GRP_OS)]
static OS_GROUP: Group = smp_server::groups::os::group(&OS_COMMANDS);
#[cfg(CONFIG_RUST_SMP_GRP_OS)]
static OS_COMMANDS: [smp_server::dispatch::Command; smp_server::groups::os::TABLE_LEN] =
    smp_server::groups::os::commands(smp_server::groups::os::OsCommands {
        echo: cfg!(CONFIG_RUST_SMP_GRP_OS_ECHO),
        taskstat: cfg!(CONFIG_RUST_SMP_GRP_OS_TASKSTAT),
        mpstat: cfg!(CONFIG_RUST_SMP_GRP_OS_MPSTAT),
        datetime: cfg!(CONFIG_RUST_SMP_GRP_OS_DATETIME),
        mcumgr_params: cfg!(CONFIG_RUST_SMP_GRP_OS_MCUMGR_PARAMS),
        info: cfg!(CONFIG_RUST_SMP_GRP_OS_INFO),
        bootloader_info: cfg!(CONFIG_RUST_SMP_GRP_OS_BOOTLOADER_INFO),
        reset_hook: cfg!(CONFIG_RUST_SMP_GRP_OS_RESET_HOOK),
    });

/// The image group, with slot info and the uploads' hash check if Kconfig
/// asks for them (RUST_SMP_GRP_IMG_SLOT_INFO, RUST_SMP_GRP_IMG_IMAGE_CHECK),
/// and what the build fixes: the MCUboot mode, one image unless
/// UPDATEABLE_IMAGE_NUMBER says more, direct upload.
#[cfg(CONFIG_RUST_SMP_GRP_IMG)]
static IMAGE_GROUP: Group = smp_server::groups::image::group(&IMAGE_COMMANDS);
#[cfg(CONFIG_RUST_SMP_GRP_IMG)]
static IMAGE_COMMANDS: [smp_server::dispatch::Command; smp_server::groups::image::TABLE_LEN] =
    smp_server::groups::image::commands::<crate::image::Build>();

/// The SMP thread's buffers: a request (one byte more than the largest
/// accepted, to tell a truncated datagram) and its response.
struct Buffers {
    #[cfg(CONFIG_RUST_SMP_TRANSPORT_UDP)]
    rx: [u8; NETBUF_SIZE + 1],
    tx: [u8; NETBUF_SIZE],
    /// The serial packet being reassembled (across waits).
    #[cfg(CONFIG_RUST_SMP_TRANSPORT_SERIAL)]
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
        #[cfg(CONFIG_RUST_SMP_TRANSPORT_SERIAL)]
        serial_rx: [0; NETBUF_SIZE],
    }),
};

/// Runs the SMP server the builder describes on the calling thread, named
/// `smp` in task statistics. Returns only if no transport is enabled.
pub fn run(builder: Builder<'_>) {
    // The priority is the main thread's already (Kconfig sets
    // MAIN_THREAD_PRIORITY from RUST_SMP_THREAD_PRIO).
    // SAFETY: a plain call on the current thread's own handle; the name is a
    // NUL-terminated literal, copied by the kernel.
    unsafe { zephyr::raw::k_thread_name_set(zephyr::raw::k_current_get(), c"smp".as_ptr()) };
    let Some(buffers) = BUFFERS.take() else {
        crate::log_error!("started twice");
        return;
    };
    let params = Params {
        buf_size: NETBUF_SIZE,
        buf_count: NETBUF_COUNT,
    };
    let groups = group_list(builder.groups);
    let mut server = Server::new(&groups, params);
    // The server answers from one receive buffer at a time; requests waiting
    // behind it queue in the transport (the socket's receive queue), which is
    // how a client keeps up to buf_count requests in flight.
    let mut device = ZephyrDevice::new(builder.app);
    let mut no_hooks = NoHooks;
    let hooks: &mut dyn Hooks = match builder.hooks {
        Some(hooks) => hooks,
        None => &mut no_hooks,
    };
    #[cfg(CONFIG_RUST_SMP_GRP_FS)]
    let mut confined;
    #[cfg(CONFIG_RUST_SMP_GRP_FS)]
    let hooks: &mut dyn Hooks = {
        const ROOTS: &str = crate::config::CONFIG_RUST_SMP_GRP_FS_ROOTS;
        if ROOTS.is_empty() {
            hooks
        } else {
            confined = smp_server::hooks::fs_roots::FsRoots::new(ROOTS, hooks);
            &mut confined
        }
    };
    serve(&mut server, &mut device, hooks, builder.transports, buffers);
}

/// The built-in groups, then the application's: one whose id is served
/// already, or past [`MAX_GROUPS`], is left out with an error.
fn group_list(app: &[&'static Group]) -> heapless::Vec<&'static Group, MAX_GROUPS> {
    let mut list = heapless::Vec::new();
    for group in BUILT_IN.iter().chain(app) {
        if list.iter().any(|served: &&Group| served.id == group.id) {
            crate::log_error!("group %ld served twice: left out", group.id.0);
        } else if list.push(*group).is_err() {
            crate::log_error!(
                "more than %ld groups: group %ld left out",
                MAX_GROUPS,
                group.id.0
            );
        }
    }
    list
}

/// How long the UDP transport waits after a failed start before the next
/// attempt (RUST_SMP_TRANSPORT_RETRY_MS).
#[cfg(CONFIG_RUST_SMP_TRANSPORT_UDP)]
const RETRY_MS: i64 = crate::config::CONFIG_RUST_SMP_TRANSPORT_RETRY_MS;

/// The UDP transport: up, or down until its next start attempt. Sockets that
/// cannot be bound (the port taken, no network interface) are an error in
/// the log and in the `smp_links` statistics group, and are tried again every
/// [`RETRY_MS`] while the other transports serve.
#[cfg(CONFIG_RUST_SMP_TRANSPORT_UDP)]
struct Udp {
    /// False when the application did not name UDP: never started.
    enabled: bool,
    up: Option<crate::udp::Udp>,
    /// Uptime (ms) of the next attempt while down.
    retry_at: i64,
    /// Failed attempts since the last success.
    failures: u32,
}

#[cfg(CONFIG_RUST_SMP_TRANSPORT_UDP)]
impl Udp {
    /// Binds the sockets if they are down and an attempt is due. Logs the
    /// first failure and the success after failures, not every retry (a
    /// port that stays taken must not fill a console that may be the SMP
    /// UART); `smp_links` counts them all.
    fn start(&mut self, device: &mut ZephyrDevice<'_>, now: i64) {
        const PORT: u16 = crate::config::CONFIG_RUST_SMP_TRANSPORT_UDP_PORT as u16;
        if !self.enabled || self.up.is_some() || now < self.retry_at {
            return;
        }
        let result = crate::udp::Udp::bind(PORT);
        record(
            device,
            Transport::Udp,
            result.as_ref().map(|_| ()).map_err(|e| *e),
        );
        match result {
            Ok(udp) => {
                self.up = Some(udp);
                crate::log_info!(
                    "UDP on port %ld (after %ld failed attempts)",
                    PORT,
                    self.failures
                );
                self.failures = 0;
            }
            Err(errno) => {
                if self.failures == 0 {
                    crate::log_error!(
                        "cannot bind UDP port %ld (errno %ld): no UDP; retrying every %ld ms",
                        PORT,
                        errno,
                        RETRY_MS
                    );
                }
                self.failures = self.failures.saturating_add(1);
                self.retry_at = now.saturating_add(RETRY_MS);
            }
        }
    }

    /// How long until the next start attempt, while down.
    fn retry_in(&self, now: i64) -> Option<i64> {
        (self.enabled && self.up.is_none()).then(|| self.retry_at - now)
    }
}

/// Records a transport's start attempt in the `smp_links` statistics group.
fn record(device: &mut ZephyrDevice<'_>, transport: Transport, result: Result<(), i32>) {
    let _ = (&device, transport, result);
    #[cfg(CONFIG_RUST_SMP_GRP_STAT_LINKS)]
    device.stats().record(transport, result);
}

/// The enabled transports. The UART and Bluetooth are started once: a UART
/// that is not ready at boot stays so (Zephyr initialises a device once), and
/// after a failed `bt_enable` Zephyr's host refuses another; their failure is
/// logged and counted.
struct Links {
    #[cfg(CONFIG_RUST_SMP_TRANSPORT_UDP)]
    udp: Udp,
    #[cfg(CONFIG_RUST_SMP_TRANSPORT_SERIAL)]
    uart: Option<SerialLink>,
    #[cfg(CONFIG_RUST_SMP_TRANSPORT_BT)]
    ble: Option<crate::ble::Ble>,
}

impl Links {
    /// Starts every enabled transport; one that fails leaves the others be.
    fn open(device: &mut ZephyrDevice, transports: Transports) -> Self {
        let _ = (&device, transports);
        #[cfg(CONFIG_RUST_SMP_TRANSPORT_UDP)]
        let mut udp = Udp {
            enabled: transports.udp,
            up: None,
            retry_at: 0,
            failures: 0,
        };
        #[cfg(CONFIG_RUST_SMP_TRANSPORT_UDP)]
        udp.start(device, zephyr::sys::uptime_get());
        #[cfg(CONFIG_RUST_SMP_TRANSPORT_SERIAL)]
        let uart = if !transports.serial {
            None
        } else {
            let uart = SerialLink::open();
            if uart.is_some() {
                #[cfg(CONFIG_RUST_SMP_TRANSPORT_UART)]
                crate::log_info!("serial on the zephyr,uart-mcumgr UART");
                #[cfg(CONFIG_RUST_SMP_TRANSPORT_SHELL)]
                crate::log_info!("serial on the zephyr,shell-uart UART, beside the shell");
                record(device, SERIAL_TRANSPORT, Ok(()));
            } else {
                crate::log_error!("the serial link's UART is not ready: no serial");
                record(
                    device,
                    SERIAL_TRANSPORT,
                    Err(crate::sys::raw::ENODEV as i32),
                );
            }
            uart
        };
        #[cfg(CONFIG_RUST_SMP_TRANSPORT_BT)]
        let ble = match transports.bluetooth.then(crate::ble::Ble::start) {
            None => None,
            Some(Ok(ble)) => {
                crate::log_info!("Bluetooth LE, advertising");
                record(device, Transport::Ble, Ok(()));
                Some(ble)
            }
            Some(Err(errno)) => {
                crate::log_error!("Bluetooth did not start (errno %ld): no Bluetooth", errno);
                record(device, Transport::Ble, Err(errno));
                None
            }
        };
        Links {
            #[cfg(CONFIG_RUST_SMP_TRANSPORT_UDP)]
            udp,
            #[cfg(CONFIG_RUST_SMP_TRANSPORT_SERIAL)]
            uart,
            #[cfg(CONFIG_RUST_SMP_TRANSPORT_BT)]
            ble,
        }
    }
}

fn serve(
    server: &mut Server<'_>,
    device: &mut ZephyrDevice<'_>,
    hooks: &mut dyn Hooks,
    transports: Transports,
    buffers: &mut Buffers,
) {
    let _ = (&hooks, transports);
    #[cfg(not(any(
        CONFIG_RUST_SMP_TRANSPORT_UDP,
        CONFIG_RUST_SMP_TRANSPORT_SERIAL,
        CONFIG_RUST_SMP_TRANSPORT_BT
    )))]
    {
        crate::log_error!("no transport enabled (CONFIG_RUST_SMP_TRANSPORT_*)");
        return;
    }
    let mut links = Links::open(device, transports);
    crate::log_info!(
        "ready, %ld groups, buffers %ld x %ld",
        server.groups().len(),
        NETBUF_COUNT,
        NETBUF_SIZE
    );
    #[cfg(CONFIG_RUST_SMP_TRANSPORT_SERIAL)]
    let mut serial = (
        SerialFraming::new(),
        smp_server::netbuf::NetBuf::new(&mut buffers.serial_rx),
    );
    loop {
        wait(&mut links);
        #[cfg(CONFIG_RUST_SMP_TRANSPORT_UDP)]
        links.udp.start(device, zephyr::sys::uptime_get());
        #[cfg(CONFIG_RUST_SMP_TRANSPORT_UDP)]
        if let Some(sockets) = &links.udp.up {
            while let Some((len, peer)) = sockets.recv(&mut buffers.rx) {
                use smp_server::codec::udp;
                const MTU: usize = crate::config::CONFIG_RUST_SMP_TRANSPORT_UDP_MTU as usize;
                if !udp::accept_datagram(len, NETBUF_SIZE) {
                    crate::log_debug!("udp: dropped a %ld-byte datagram", len);
                    continue;
                }
                // DTLS 1.2 record header (13 bytes), explicit nonce (8) and
                // tag (16) of an AEAD cipher suite.
                #[cfg(CONFIG_RUST_SMP_TRANSPORT_UDP_DTLS)]
                const MTU_LEFT: usize = MTU.saturating_sub(13 + 8 + 16);
                #[cfg(not(CONFIG_RUST_SMP_TRANSPORT_UDP_DTLS))]
                const MTU_LEFT: usize = MTU;
                let cap = udp::max_response(NETBUF_SIZE, MTU_LEFT);
                let after = server.process_with_hooks(
                    device,
                    hooks,
                    Transport::Udp,
                    &buffers.rx[..len],
                    &mut buffers.tx[..cap],
                    &mut |rsp| sockets.send(rsp, &peer),
                );
                if let Some(after) = after {
                    act(after);
                }
            }
        }
        #[cfg(CONFIG_RUST_SMP_TRANSPORT_SERIAL)]
        if let Some(uart) = &links.uart {
            while let Some(byte) = uart.read() {
                let (framing, packet) = &mut serial;
                if !framing.push(byte, packet) {
                    continue;
                }
                let after = server.process_with_hooks(
                    device,
                    hooks,
                    SERIAL_TRANSPORT,
                    packet.bytes(),
                    &mut buffers.tx,
                    &mut |rsp| SerialFraming::send(rsp, uart),
                );
                packet.clear();
                if let Some(after) = after {
                    act(after);
                }
            }
        }
        #[cfg(CONFIG_RUST_SMP_TRANSPORT_BT)]
        if let Some(ble) = &mut links.ble {
            while let Some(request) = ble.next() {
                let after = server.process_with_hooks(
                    device,
                    hooks,
                    Transport::Ble,
                    request.bytes(),
                    &mut buffers.tx,
                    &mut |rsp| request.notify(rsp),
                );
                // Frees the buffer and the connection before a reset.
                drop(request);
                if let Some(after) = after {
                    act(after);
                }
            }
        }
    }
}

/// The UART's framing: SMP console framing (base64 lines with a CRC), or raw
/// packets (RUST_SMP_TRANSPORT_RAW_UART, Zephyr 4.4's raw UART mode: the
/// header's length delimits each packet; a partial packet older than the
/// input timeout is dropped when the next byte arrives).
#[cfg(all(
    CONFIG_RUST_SMP_TRANSPORT_SERIAL,
    not(CONFIG_RUST_SMP_TRANSPORT_RAW_UART)
))]
struct SerialFraming(smp_server::codec::serial::SerialDecoder);

#[cfg(all(CONFIG_RUST_SMP_TRANSPORT_UART, CONFIG_RUST_SMP_TRANSPORT_RAW_UART))]
struct SerialFraming(smp_server::codec::raw_uart::RawDecoder);

/// How the server counts and names the serial link (`smp_serial`,
/// `smp_raw_uart` or `smp_shell` statistics, the access policy's transport).
#[cfg(CONFIG_RUST_SMP_TRANSPORT_SERIAL)]
pub const SERIAL_TRANSPORT: Transport = if cfg!(CONFIG_RUST_SMP_TRANSPORT_SHELL) {
    Transport::Shell
} else if cfg!(CONFIG_RUST_SMP_TRANSPORT_RAW_UART) {
    Transport::RawUart
} else {
    Transport::Serial
};

/// The serial link: a UART of its own, or the shell's.
#[cfg(CONFIG_RUST_SMP_TRANSPORT_UART)]
type SerialLink = crate::uart::Uart;
#[cfg(CONFIG_RUST_SMP_TRANSPORT_SHELL)]
type SerialLink = crate::smp_shell::ShellLink;

#[cfg(CONFIG_RUST_SMP_TRANSPORT_SERIAL)]
impl SerialFraming {
    fn new() -> Self {
        #[cfg(not(CONFIG_RUST_SMP_TRANSPORT_RAW_UART))]
        return SerialFraming(smp_server::codec::serial::SerialDecoder::new());
        #[cfg(CONFIG_RUST_SMP_TRANSPORT_RAW_UART)]
        return SerialFraming(smp_server::codec::raw_uart::RawDecoder::new(
            crate::config::CONFIG_RUST_SMP_TRANSPORT_RAW_UART_INPUT_TIMEOUT_TIME_MS as u64,
        ));
    }

    /// Feeds one received byte; true when `packet` holds a whole packet.
    fn push(&mut self, byte: u8, packet: &mut smp_server::netbuf::NetBuf<'_>) -> bool {
        #[cfg(not(CONFIG_RUST_SMP_TRANSPORT_RAW_UART))]
        return self.0.push(byte, packet);
        #[cfg(CONFIG_RUST_SMP_TRANSPORT_RAW_UART)]
        return self
            .0
            .push(byte, zephyr::sys::uptime_get().max(0) as u64, packet);
    }

    /// Sends one response packet, in one piece on the link.
    fn send(rsp: &[u8], uart: &SerialLink) {
        let _frame = uart.lock();
        #[cfg(not(CONFIG_RUST_SMP_TRANSPORT_RAW_UART))]
        smp_server::codec::serial::encode(rsp, &mut |line| uart.write(line));
        #[cfg(CONFIG_RUST_SMP_TRANSPORT_RAW_UART)]
        uart.write(rsp);
    }
}

/// Waits until a transport may have work: a datagram, a wake-up from the
/// UART interrupt or a Bluetooth callback, or the next timed duty (polling
/// the UART, restoring Bluetooth connection parameters, binding UDP again
/// after a failure).
fn wait(links: &mut Links) {
    let _ = &links;
    #[cfg(CONFIG_RUST_SMP_TRANSPORT_UDP)]
    let now = zephyr::sys::uptime_get();
    let due: &[Option<i64>] = &[
        // The polling UART API cannot wake the thread.
        #[cfg(CONFIG_RUST_SMP_TRANSPORT_UART_POLL)]
        links
            .uart
            .as_ref()
            .map(|_| crate::config::CONFIG_RUST_SMP_TRANSPORT_UART_POLL_MS),
        // Nor can WAKE interrupt zsock_poll.
        #[cfg(all(
            CONFIG_RUST_SMP_TRANSPORT_UDP,
            any(
                CONFIG_RUST_SMP_TRANSPORT_UART_INTERRUPT,
                CONFIG_RUST_SMP_TRANSPORT_UART_ASYNC,
                CONFIG_RUST_SMP_TRANSPORT_SHELL,
                CONFIG_RUST_SMP_TRANSPORT_BT
            )
        ))]
        links
            .udp
            .up
            .as_ref()
            .map(|_| crate::config::CONFIG_RUST_SMP_TRANSPORT_UDP_POLL_MS),
        #[cfg(CONFIG_RUST_SMP_TRANSPORT_BT)]
        links.ble.as_mut().and_then(|ble| ble.idle()),
        #[cfg(CONFIG_RUST_SMP_TRANSPORT_UDP)]
        links.udp.retry_in(now),
    ];
    let timeout_ms = due
        .iter()
        .flatten()
        .copied()
        .min()
        .map(|ms| ms.clamp(0, 1 << 30));
    #[cfg(CONFIG_RUST_SMP_TRANSPORT_UDP)]
    if let Some(sockets) = &links.udp.up {
        let mut fds = sockets.pollfds();
        let timeout = timeout_ms.map_or(-1, |ms| ms as i32);
        // SAFETY: `fds` is a valid array of pollfds of the length given,
        // alive for the call.
        unsafe { crate::sys::raw::zsock_poll(fds.as_mut_ptr(), fds.len() as _, timeout) };
        return;
    }
    // Without a socket to wait on: a timeout or a wake-up, both meaning "look
    // at the transports". Rounded up: at 100 ticks/s (qemu_cortex_m3) a plain
    // `millis(5)` is 0 ticks, a mere yield, and lower-priority threads
    // (logging, idle) never run.
    WAKE.take(timeout_ms);
}

/// Work that follows a response, which has been sent already.
fn act(after: AfterResponse) {
    match after {
        #[cfg(CONFIG_RUST_SMP_GRP_OS)]
        AfterResponse::Reset {
            boot_mode,
            delay_ms,
        } => {
            let wait = RESET_MS.saturating_add(delay_ms);
            crate::log_info!(
                "reset (boot mode %ld) in %ld ms",
                boot_mode.map_or(-1, i32::from),
                wait
            );
            WAKE.sleep(wait);
            #[cfg(CONFIG_RUST_SMP_GRP_OS_RESET_BOOT_MODE)]
            if let Some(mode) = boot_mode {
                match crate::sys::set_boot_mode(mode) {
                    Ok(()) => crate::log_info!("boot mode %ld retained", mode),
                    Err(rc) => {
                        crate::log_error!("boot mode %ld not retained: %ld", mode, rc)
                    }
                }
            }
            crate::sys::reboot();
        }
        #[cfg(not(CONFIG_RUST_SMP_GRP_OS))]
        AfterResponse::Reset { .. } => {}
    }
}
