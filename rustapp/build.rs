//! The reference application's Kconfig booleans as `cfg(CONFIG_...)` flags:
//! its hooks pick the access policy and the DFU log by them.

fn main() {
    zephyr_build::export_kconfig_bool_options();
    // zephyr-build's own rerun line is misspelt (`cargo-rerun-if-changed`),
    // so without this a changed .config would not reach the cfg flags.
    if let Ok(dotconfig) = std::env::var("DOTCONFIG") {
        println!("cargo:rerun-if-changed={dotconfig}");
    }
}
