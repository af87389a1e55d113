//! The reference application: the SMP server with the groups and transports
//! Kconfig enables (`prj.conf`, `overlays/`), the access policy Kconfig
//! chooses and a log line for every step of an image update ([`hooks`]).
//! What Zephyr's smp_svr sample is to its MCUmgr: everything else is the
//! platform library, `smp-zephyr` (crates/smp-zephyr).
#![no_std]
// Kconfig booleans arrive as cfg flags (rustapp/build.rs); cargo cannot know them.
#![allow(unexpected_cfgs)]

mod hooks;

/// Called by zephyr-lang-rust's `main()`.
#[no_mangle]
extern "C" fn rust_main() {
    let mut hooks = hooks::ReferenceHooks;
    smp_zephyr::Builder::new().hooks(&mut hooks).run();
}
