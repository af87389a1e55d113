//! The Zephyr platform of the SMP server: everything that runs `smp-server`
//! on Zephyr, as a library a Rust Zephyr application (zephyr-lang-rust)
//! depends on. The application names what it serves with a [`Builder`] and
//! starts the server:
//!
//! ```ignore
//! #[no_mangle]
//! extern "C" fn rust_main() {
//!     let mut counter = counter_group::Counter::default();
//!     smp_zephyr::Builder::new()
//!         .groups(&[&counter_group::GROUP]) // after the Kconfig ones
//!         .app_state(&mut counter)          // what Ctx::app hands its handlers
//!         .run();
//! }
//! ```
//!
//! Built only by a Zephyr build: the application's CMakeLists.txt includes
//! `smp-zephyr.cmake` and calls `smp_zephyr_application()` (see
//! `docs/zephyr.md`); the host workspace never compiles it. The built-in
//! groups, transports and buffers are chosen by Kconfig
//! (`crates/smp-zephyr/Kconfig`, sourced by the application's Kconfig).
//! `unsafe` lives only here, each block with its `SAFETY` line.
//!
//! - [`builder`]: [`Builder`], what an application names, and [`Transports`];
//! - `smp`: the SMP server loop, on the calling (main) thread: owns the
//!   server and serves every transport;
//! - `device`: `ZephyrDevice`, the platform traits over Zephyr;
//! - `clock`: the date-time command's clock, the `rtc` alias's RTC or RAM;
//! - `flash`, `image`: the image slots through the flash map (image group);
//! - `stat`, `memfault`: the statistics and Memfault groups' device parts;
//! - `udp`: the UDP transport over Zephyr sockets;
//! - `uart`: the serial transport (console or raw framing), interrupt-driven,
//!   async (DMA) or polled;
//! - `smp_shell`: the serial transport beside the shell, on the shell's UART
//!   (with `c/smp_shell.c`); `serial_rx`: the ring both hand bytes over in;
//! - `wake`: the semaphore that wakes the SMP thread (with `c/wake.c`);
//! - `ble`: the Bluetooth LE transport (with the C shim `c/ble_gatt.c`);
//! - [`log`]: log lines through printk (no heap, no `core::fmt`), for the
//!   application too ([`log_info!`] and its siblings);
//! - `ring`: the lock-free ring that hands bytes and buffers to the SMP thread;
//! - `fs`, `settings`, `shell`, `zephyr_basic`: the platform parts of the
//!   file system, settings, shell and Zephyr basic (storage erase) groups;
//!   `shell_cmd`: the `echo` shell command;
//! - [`sys`]: the bindings `build.rs` generates (sockets, reboot, errno) and
//!   the few safe wrappers over them.
#![no_std]
// Kconfig booleans arrive as cfg flags (zephyr-build); cargo cannot know them.
#![allow(unexpected_cfgs)]

/// The application's integer Kconfig options (`CONFIG_RUST_SMP_*`), from
/// `build.rs`.
#[allow(dead_code)]
mod config {
    include!(concat!(env!("OUT_DIR"), "/config.rs"));
}
#[cfg(CONFIG_RUST_SMP_TRANSPORT_BT)]
mod ble;
#[cfg(any(CONFIG_RUST_SMP_GRP_IMG, CONFIG_BOOTLOADER_MCUBOOT))]
mod boot;
#[cfg(CONFIG_RUST_SMP_GRP_OS_DATETIME)]
mod clock;
#[cfg(any(
    CONFIG_RUST_SMP_GRP_FS,
    CONFIG_RUST_SMP_GRP_SETTINGS,
    CONFIG_RUST_SMP_GRP_SHELL
))]
mod cstr;
mod device;
#[cfg(CONFIG_RUST_SMP_GRP_IMG)]
mod flash;
#[cfg(CONFIG_RUST_SMP_GRP_FS)]
mod fs;
#[cfg(CONFIG_RUST_SMP_GRP_IMG)]
mod image;
pub mod log;
#[cfg(CONFIG_RUST_SMP_GRP_MEMFAULT)]
mod memfault;
#[cfg(any(
    CONFIG_RUST_SMP_TRANSPORT_UART_INTERRUPT,
    CONFIG_RUST_SMP_TRANSPORT_UART_ASYNC,
    CONFIG_RUST_SMP_TRANSPORT_SHELL,
    CONFIG_RUST_SMP_TRANSPORT_BT
))]
mod ring;
#[cfg(any(
    CONFIG_RUST_SMP_TRANSPORT_UART_INTERRUPT,
    CONFIG_RUST_SMP_TRANSPORT_UART_ASYNC,
    CONFIG_RUST_SMP_TRANSPORT_SHELL
))]
mod serial_rx;
#[cfg(CONFIG_RUST_SMP_GRP_SETTINGS)]
mod settings;
#[cfg(CONFIG_RUST_SMP_GRP_SHELL)]
mod shell;
#[cfg(any(CONFIG_RUST_SMP_GRP_SHELL, CONFIG_RUST_SMP_TRANSPORT_SHELL))]
mod shell_cmd;
mod smp;
#[cfg(CONFIG_RUST_SMP_TRANSPORT_SHELL)]
mod smp_shell;
#[cfg(CONFIG_RUST_SMP_GRP_STAT)]
mod stat;
#[doc(hidden)]
pub mod sys;
#[cfg(CONFIG_RUST_SMP_TRANSPORT_UART)]
mod uart;
#[cfg(CONFIG_RUST_SMP_TRANSPORT_UDP)]
mod udp;
mod wake;
#[cfg(CONFIG_RUST_SMP_GRP_ZBASIC)]
mod zephyr_basic;

pub mod builder;

pub use builder::{Builder, Transports};
/// The core, as the application's groups and hooks name it.
pub use smp_server;
