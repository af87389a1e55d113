//! The virtual device's hardware: the board's flash chip and the bootloader
//! programmed in its `boot_partition`. Both outlive a reset of the device.

pub mod bootloader;
pub mod flash;
