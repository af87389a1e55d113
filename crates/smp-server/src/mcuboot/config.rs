//! The bootloader build options the image group depends on.

/// How MCUboot moves images between slots; it decides which trailer flags the
/// image group reports and writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BootMode {
    SingleSlot,
    SwapUsingScratch,
    OverwriteOnly,
    SwapUsingMove,
    DirectXip,
    DirectXipWithRevert,
    RamLoad,
    FirmwareLoader,
    SingleSlotRamLoad,
    SwapUsingOffset,
}

impl BootMode {
    /// The number bootloader info reports as `mode`.
    pub fn wire_value(self) -> i8 {
        match self {
            BootMode::SingleSlot => 0,
            BootMode::SwapUsingScratch => 1,
            BootMode::OverwriteOnly => 2,
            BootMode::SwapUsingMove => 3,
            BootMode::DirectXip => 4,
            BootMode::DirectXipWithRevert => 5,
            BootMode::RamLoad => 6,
            BootMode::FirmwareLoader => 7,
            BootMode::SingleSlotRamLoad => 8,
            BootMode::SwapUsingOffset => 9,
        }
    }
}

/// The bootloader build options trailers and flags depend on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BootConfig {
    pub mode: BootMode,
    /// `BOOT_MAX_ALIGN`: trailer fields are written in chunks of this size.
    pub max_align: u32,
    /// MCUboot refuses images older than the running one.
    pub downgrade_prevention: bool,
}
