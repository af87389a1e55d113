//! The virtual device's hardware: the board's flash chip and the bootloader
//! programmed in its `boot_partition`. Both outlive a reset of the device.

pub mod bootloader;
pub mod flash;
#[cfg(feature = "real-mcuboot")]
pub mod mcuboot;

/// Which bootloader runs at every boot (`--bootloader`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Bootloader {
    /// This project's emulation of MCUboot (`hw::bootloader`).
    #[default]
    Emulated,
    /// MCUboot's own bootutil, built from `MCUBOOT_DIR` (`hw::mcuboot`).
    #[cfg(feature = "real-mcuboot")]
    Mcuboot,
}

impl Bootloader {
    /// The MCUboot build the image group writes for: the emulation's, or
    /// the real build's (its mode chosen when it was built).
    pub fn boot_config(self) -> smp_server::mcuboot::BootConfig {
        match self {
            Bootloader::Emulated => bootloader::BOOT_CONFIG,
            #[cfg(feature = "real-mcuboot")]
            Bootloader::Mcuboot => mcuboot::BOOT_CONFIG,
        }
    }
}
