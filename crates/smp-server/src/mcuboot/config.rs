//! The bootloader build options the image group depends on.

/// How MCUboot moves images between slots; it decides which trailer flags the
/// image group reports and writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BootMode {
    /// 0: one slot, nothing to swap; a new image replaces the running one
    /// from the bootloader.
    SingleSlot,
    /// 1: the slots are swapped sector by sector through a scratch area; a
    /// test image is reverted unless confirmed.
    SwapUsingScratch,
    /// 2: the secondary image is copied over the primary, with no way back.
    OverwriteOnly,
    /// 3: the slots are swapped by moving the primary image up one sector
    /// first; revertible, no scratch area.
    SwapUsingMove,
    /// 4: each slot runs in place; the newest valid image boots.
    DirectXip,
    /// 5: direct-XIP, with an unconfirmed image given up at the next boot.
    DirectXipWithRevert,
    /// 6: the newest valid image is copied to RAM and runs there.
    RamLoad,
    /// 7: one application slot, updated by a separate firmware loader image.
    FirmwareLoader,
    /// 8: one slot, copied to RAM to run.
    SingleSlotRamLoad,
    /// 9: the slots are swapped with the secondary image stored one sector
    /// in; revertible, no scratch area.
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
    /// How images reach the primary slot, which also decides the `mode`
    /// bootloader info reports.
    pub mode: BootMode,
    /// `BOOT_MAX_ALIGN`: trailer fields are written in chunks of this size.
    pub max_align: u32,
    /// MCUboot refuses images older than the running one.
    pub downgrade_prevention: bool,
}
