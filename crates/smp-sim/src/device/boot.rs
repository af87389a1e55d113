//! The bootloader's run at every boot of the virtual device, the emulated
//! MCUboot or the real one (`--bootloader`), and what it did, in the log.

use log::{info, warn};
use smp_server::flash::FlashError;

use crate::hw::bootloader::boot_key::BootKey;
use crate::hw::bootloader::{self, BootReport, Slots, Verdict};
use crate::hw::Bootloader;

/// Runs the bootloader on the slots; afterwards slot 0 holds the image that
/// runs. Fails when the flash does (or the real MCUboot finds no image).
pub fn run(
    which: Bootloader,
    slots: &mut Slots<'_>,
    key: Option<&BootKey>,
) -> Result<(), FlashError> {
    match which {
        Bootloader::Emulated => {
            let report = bootloader::boot(slots, key)?;
            log_emulated(&report);
            Ok(())
        }
        #[cfg(feature = "real-mcuboot")]
        Bootloader::Mcuboot => real_mcuboot(slots),
    }
}

#[cfg(feature = "real-mcuboot")]
fn real_mcuboot(slots: &mut Slots<'_>) -> Result<(), FlashError> {
    match crate::hw::mcuboot::boot(slots) {
        Ok(report) => {
            log_mcuboot(&report.choice, report.resumed);
            Ok(())
        }
        Err(crate::hw::mcuboot::BootFailed::Flash) => Err(FlashError::Device),
        Err(crate::hw::mcuboot::BootFailed::NoBootableImage) => {
            log::error!("mcuboot: no bootable image (a board would hang here)");
            Err(FlashError::Device)
        }
    }
}

/// What the real MCUboot booted, in the same words as the emulation's log
/// (which tests look for).
#[cfg(feature = "real-mcuboot")]
pub fn log_mcuboot(choice: &crate::hw::mcuboot::McubootChoice, resumed: bool) {
    let resumed = if resumed {
        ", resumed after a reset"
    } else {
        ""
    };
    info!(
        "mcuboot: booting slot {} version {} (swap type {:?}{resumed})",
        choice.slot, choice.version, choice.swap
    );
}

fn log_emulated(report: &BootReport) {
    match &report.installed_own_image {
        None => {}
        Some(Verdict::Absent) => {
            info!("bootloader: slot 0 empty (first start): wrote the virtual device's own image")
        }
        Some(verdict) => warn!(
            "bootloader: slot 0 held no valid image ({verdict:?}): wrote the virtual device's own image"
        ),
    }
    if let Some(why) = &report.refused {
        info!("bootloader: refused the image in slot 1: {why}; it was erased");
    }
    if let Some(swap) = report.swap {
        let resumed = if report.resumed {
            " (resumed after a reset)"
        } else {
            ""
        };
        info!("bootloader: {swap:?} swap done{resumed}");
    }
}
