//! The real MCUboot as the virtual device's bootloader (`--bootloader
//! mcuboot`, cargo feature `real-mcuboot`): MCUboot's own bootutil, built
//! from `MCUBOOT_DIR` by build.rs, runs `boot_go()` on the same slots the
//! image group writes. What it swaps, reverts, erases or refuses is what a
//! board with that MCUboot build would do with the same flash.
//!
//! The build: one image, primary slot validated, SHA-256 with tinycrypt, no
//! signature check (images are checked by their hash TLV); the upgrade mode
//! (swap using move, swap using offset or overwrite-only) is chosen when it
//! is built (`SMP_SIM_MCUBOOT_MODE`, see build.rs), and is [`BOOT_CONFIG`].

mod ffi;
pub mod flash_file;
#[cfg(test)]
mod tests;

use std::sync::Mutex;

use log::info;
use smp_server::flash::FlashArea;
use smp_server::mcuboot::{BootConfig, BootMode, ImageVersion, SwapType};

use crate::hw::bootloader::{factory, Slots};
use crate::hw::flash::{SLOT0_PARTITION, SLOT1_PARTITION};

/// The MCUboot build the glue compiles (`mcuboot-glue/mcuboot_config`):
/// 8-byte trailer alignment, no downgrade prevention, and the mode build.rs
/// was asked for.
pub const BOOT_CONFIG: BootConfig = BootConfig {
    mode: MODE,
    max_align: 8,
    downgrade_prevention: false,
};

const MODE: BootMode = match env!("SMP_SIM_MCUBOOT_MODE").as_bytes() {
    b"swap-offset" => BootMode::SwapUsingOffset,
    b"overwrite-only" => BootMode::OverwriteOnly,
    _ => BootMode::SwapUsingMove,
};

/// What MCUboot chose at one boot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct McubootChoice {
    /// The slot it jumps to (always 0 with swap using move).
    pub slot: u8,
    pub version: ImageVersion,
    /// The swap type of this boot (`BOOT_SWAP_TYPE_*`).
    pub swap: SwapType,
}

/// What a boot with the real MCUboot did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct McubootReport {
    pub choice: McubootChoice,
    /// The flash held the journal of a swap cut by a reset (MCUboot
    /// resumed it).
    pub resumed: bool,
    /// MCUboot found no bootable image (it would hang): the virtual
    /// device's own image was written to slot 0, and MCUboot run again.
    pub installed_own_image: bool,
}

/// Why a boot with the real MCUboot did not reach an image.
#[derive(Debug, PartialEq, Eq)]
pub enum BootFailed {
    /// A flash operation failed (the power was cut): the boot stopped there.
    Flash,
    /// No bootable image, even after writing the virtual device's own.
    NoBootableImage,
}

/// The glue's state is static, as on a device: one boot at a time in the
/// process (tests boot many devices in parallel threads).
static ONE_BOOT: Mutex<()> = Mutex::new(());

/// Boots with the real MCUboot.
pub fn boot(slots: &mut Slots<'_>) -> Result<McubootReport, BootFailed> {
    let offsets = [SLOT0_PARTITION.offset, SLOT1_PARTITION.offset];
    if let Some((choice, resumed)) = boot_go(slots, offsets)? {
        return Ok(McubootReport {
            choice,
            resumed,
            installed_own_image: false,
        });
    }
    info!("mcuboot: no bootable image: writing the virtual device's own image to slot 0");
    factory::install(slots.primary, &factory::image()).map_err(|_| BootFailed::Flash)?;
    let (choice, resumed) = boot_go(slots, offsets)?.ok_or(BootFailed::NoBootableImage)?;
    Ok(McubootReport {
        choice,
        resumed,
        installed_own_image: true,
    })
}

/// One `boot_go`: what MCUboot chose, and whether it resumed a swap a reset
/// had cut (as MCUboot's own `swap_read_status` found); `None` when it finds
/// no bootable image.
/// `offsets`: where the slots are in their flash device.
fn boot_go(
    slots: &mut Slots<'_>,
    offsets: [u32; 2],
) -> Result<Option<(McubootChoice, bool)>, BootFailed> {
    let desc = [
        slot_desc(&*slots.primary, offsets[0]),
        slot_desc(&*slots.secondary, offsets[1]),
    ];
    let raw = {
        let _only_boot = ONE_BOOT
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        ffi::boot_go(slots, &desc)
    };
    match raw.rc {
        0 => {}
        -2 => return Err(BootFailed::Flash),
        _ => return Ok(None),
    }
    let slot = if raw.image_offset >= offsets[1] { 1 } else { 0 };
    let choice = McubootChoice {
        slot,
        version: ImageVersion::new(
            raw.version.major,
            raw.version.minor,
            raw.version.revision,
            raw.version.build_num,
        ),
        swap: swap_type(raw.swap_type),
    };
    Ok(Some((choice, raw.resumed != 0)))
}

fn slot_desc(area: &dyn FlashArea, device_offset: u32) -> ffi::SlotDesc {
    ffi::SlotDesc {
        device_offset,
        size: area.size(),
        sector_size: area.erase_size(),
        write_size: area.write_size(),
        erased_value: area.erased_value(),
    }
}

/// `BOOT_SWAP_TYPE_*` (bootutil.h).
fn swap_type(raw: u8) -> SwapType {
    match raw {
        2 => SwapType::Test,
        3 => SwapType::Perm,
        4 => SwapType::Revert,
        5 => SwapType::Fail,
        0xff => SwapType::Panic,
        _ => SwapType::None,
    }
}
