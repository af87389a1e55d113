//! The Zephyr application: the platform layer that runs `smp-server` on Zephyr.
//!
//! Built only by a Zephyr build (zephyr-lang-rust compiles the `rustapp` crate
//! in `rustapp/`, whose library is this file); the host workspace never
//! compiles it. `unsafe` lives only here, each block with its `SAFETY` line.
//!
//! - [`sys`]: the bindings `rustapp/build.rs` generates (sockets, reboot,
//!   errno) and the few safe wrappers over them;
//! - [`device`]: [`device::ZephyrDevice`], the platform traits over Zephyr;
//! - `flash`, `image`: the image slots through the flash map (image group);
//! - `stat`, `memfault`: the statistics and Memfault groups' device parts;
//! - `udp`: the UDP transport over Zephyr sockets;
//! - `uart`: the serial transport (console or raw framing), interrupt-driven,
//!   async (DMA) or polled;
//! - `wake`: the semaphore that wakes the SMP thread (with `wake.c`);
//! - `ble`: the Bluetooth LE transport (with the C shim `ble_gatt.c`);
//! - `log`: log lines through printk (no heap, no `core::fmt`);
//! - `ring`: the lock-free ring that hands bytes and buffers to the SMP thread;
//! - `fs`, `settings`, `shell`, `storage`: the platform parts of the file
//!   system, settings, shell and Zephyr basic (storage erase) groups;
//! - [`smp`]: the SMP server loop, on the main thread: owns the server and
//!   serves every transport.
#![no_std]
// Kconfig booleans arrive as cfg flags (zephyr-build); cargo cannot know them.
#![allow(unexpected_cfgs)]

/// The application's integer Kconfig options (`CONFIG_RUST_SMP_*`), from
/// `rustapp/build.rs`.
#[allow(dead_code)]
mod config {
    include!(concat!(env!("OUT_DIR"), "/config.rs"));
}
#[cfg(CONFIG_RUST_SMP_TRANSPORT_BT)]
mod ble;
#[cfg(any(CONFIG_RUST_SMP_GRP_IMG, CONFIG_BOOTLOADER_MCUBOOT))]
mod boot;
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
mod hooks;
#[cfg(CONFIG_RUST_SMP_GRP_IMG)]
mod image;
mod log;
#[cfg(CONFIG_RUST_SMP_GRP_MEMFAULT)]
mod memfault;
#[cfg(any(
    CONFIG_RUST_SMP_TRANSPORT_UART_INTERRUPT,
    CONFIG_RUST_SMP_TRANSPORT_UART_ASYNC,
    CONFIG_RUST_SMP_TRANSPORT_BT
))]
mod ring;
#[cfg(CONFIG_RUST_SMP_GRP_SETTINGS)]
mod settings;
#[cfg(CONFIG_RUST_SMP_GRP_SHELL)]
mod shell;
mod smp;
#[cfg(CONFIG_RUST_SMP_GRP_STAT)]
mod stat;
mod sys;
#[cfg(CONFIG_RUST_SMP_TRANSPORT_UART)]
mod uart;
#[cfg(CONFIG_RUST_SMP_TRANSPORT_UDP)]
mod udp;
mod wake;
#[cfg(CONFIG_RUST_SMP_GRP_ZBASIC)]
mod zephyr_basic;

/// Called by zephyr-lang-rust's `main()`.
#[no_mangle]
extern "C" fn rust_main() {
    smp::run();
}
