//! The MCUboot configuration this application was built for.

use smp_server::mcuboot::{BootConfig, BootMode};

/// The MCUboot mode this image was built for (sysbuild passes MCUboot's
/// choice to the application as CONFIG_MCUBOOT_BOOTLOADER_MODE_*). Without
/// MCUboot (native_sim) nothing ever swaps; the slots still take uploads in
/// the layout of Zephyr's default mode, swap using move.
const MODE: BootMode = if cfg!(CONFIG_MCUBOOT_BOOTLOADER_MODE_SWAP_SCRATCH) {
    BootMode::SwapUsingScratch
} else if cfg!(CONFIG_MCUBOOT_BOOTLOADER_MODE_OVERWRITE_ONLY) {
    BootMode::OverwriteOnly
} else if cfg!(CONFIG_MCUBOOT_BOOTLOADER_MODE_SWAP_USING_OFFSET) {
    BootMode::SwapUsingOffset
} else if cfg!(CONFIG_MCUBOOT_BOOTLOADER_MODE_DIRECT_XIP_WITH_REVERT) {
    BootMode::DirectXipWithRevert
} else if cfg!(CONFIG_MCUBOOT_BOOTLOADER_MODE_DIRECT_XIP) {
    BootMode::DirectXip
} else if cfg!(CONFIG_MCUBOOT_BOOTLOADER_MODE_RAM_LOAD) {
    BootMode::RamLoad
} else if cfg!(CONFIG_MCUBOOT_BOOTLOADER_MODE_SINGLE_APP) {
    BootMode::SingleSlot
} else if cfg!(CONFIG_MCUBOOT_BOOTLOADER_MODE_FIRMWARE_UPDATER) {
    BootMode::FirmwareLoader
} else {
    BootMode::SwapUsingMove
};

/// MCUboot's BOOT_MAX_ALIGN as an application sees it (bootutil_public.h:
/// 8 unless MCUboot itself was built with a larger one).
const MAX_ALIGN: u32 = 8;

pub const BOOT_CONFIG: BootConfig = BootConfig {
    mode: MODE,
    max_align: MAX_ALIGN,
    downgrade_prevention: cfg!(CONFIG_MCUBOOT_BOOTLOADER_NO_DOWNGRADE),
};
