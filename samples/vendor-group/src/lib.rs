//! The vendor-group sample: the SMP server with the groups Kconfig enables
//! and one of the application's own, group 64 `counter` (the `counter-group`
//! crate beside this one, which the virtual device serves too).
#![no_std]

use counter_group::Counter;

/// Called by zephyr-lang-rust's `main()`.
#[no_mangle]
extern "C" fn rust_main() {
    // The group's state lives here, for as long as the server runs; its
    // handlers reach it through `Ctx::app::<Counter>()`.
    let mut counter = Counter::default();
    smp_zephyr::Builder::new()
        .groups(&[&counter_group::GROUP])
        .app_state(&mut counter)
        .run();
}
