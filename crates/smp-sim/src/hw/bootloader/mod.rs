//! The emulated bootloader: what MCUboot built for swap using move does at
//! every boot of the virtual device (process start and os reset), on the
//! same flash the image group reads and writes.
//!
//! 1. Read both trailers. A primary trailer with good magic and no copy_done,
//!    beside a secondary trailer without good magic, holds the journal of a
//!    swap (`swap_read_status`); if the journal records a step, the swap was
//!    interrupted: resume it and finish it.
//! 2. Otherwise decide the swap type from the trailers (TEST, PERM, REVERT or
//!    NONE). Before an upgrade, validate the secondary image; a bad one is
//!    erased (never booted) and the primary kept.
//! 3. Swap (see [`swap`]), then write image_ok (PERM, REVERT) and copy_done.
//! 4. Validate the primary image. Where it holds no valid image (a new flash,
//!    or a damaged one) the virtual device writes its own image there, as a
//!    freshly flashed board has.
//!
//! A kill -9 at any point is a power cut between two flash operations: the
//! next boot picks up from the journal. Slots whose sector counts MCUboot's
//! `boot_slots_compatible` refuses are never swapped, as by MCUboot (found by
//! running the real one on the old 0x77000/0x75000 layout: it refused every
//! upgrade the emulation performed).

pub mod boot_key;
pub mod factory;
mod slots;
mod status;
mod swap;
mod validate;

#[cfg(test)]
mod tests;

use log::{error, info, warn};
use smp_server::flash::{FlashArea, FlashError};
use smp_server::mcuboot::{
    self, Flag, ImageHeader, MagicState, SwapType, TrailerLayout, IMAGE_HEADER_SIZE,
};

use boot_key::BootKey;
pub use slots::{Slots, BOOT_CONFIG};
use status::{BootStatus, Source};
pub use validate::{Invalid, Verdict};

/// What a boot did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BootReport {
    /// The swap completed at this boot.
    pub swap: Option<SwapType>,
    /// That swap had been cut by a reset and was resumed.
    pub resumed: bool,
    /// The secondary image asked for was refused, and erased.
    pub refused: Option<Invalid>,
    /// The slots' sector counts are not ones swap using move accepts:
    /// nothing was swapped.
    pub incompatible_slots: bool,
    /// The primary slot held no valid image: the virtual device's own image
    /// was written there. Says what the slot held.
    pub installed_own_image: Option<Verdict>,
}

/// Boots: resumes or performs the swap the trailers ask for, and makes sure
/// the primary slot holds a valid image. Flash errors abort the boot; the
/// next boot takes over from what reached the flash.
pub fn boot(slots: &mut Slots<'_>, key: Option<&BootKey>) -> Result<BootReport, FlashError> {
    let mut report = BootReport::default();
    // boot_prepare_image_for_update: slots MCUboot cannot swap between are
    // left alone (no journal read, no swap); the primary boots as it is.
    if slots.compatible() {
        update(slots, key, &mut report)?;
    } else {
        warn!("cannot upgrade: the slots have no compatible amount of sectors");
        report.incompatible_slots = true;
    }

    // MCUBOOT_VALIDATE_PRIMARY_SLOT, and the fallback to the device's own image.
    let max = slots.max_image_size();
    let own_hash = factory::hash();
    match validate::validate(slots.primary, max, key, Some(&own_hash))? {
        Verdict::Valid(_) => {}
        verdict => {
            factory::install(slots.primary, &factory::image())?;
            report.installed_own_image = Some(verdict);
        }
    }
    Ok(report)
}

/// The swap part of a boot: resumes an interrupted swap, or performs the one
/// the trailers ask for.
fn update(
    slots: &mut Slots<'_>,
    key: Option<&BootKey>,
    report: &mut BootReport,
) -> Result<(), FlashError> {
    let pri_layout = slots.primary_layout();
    let sec_layout = slots.secondary_layout();
    let primary = mcuboot::read_trailer(slots.primary, &pri_layout)?;
    let secondary = mcuboot::read_trailer(slots.secondary, &sec_layout)?;
    let mut bs = read_journal(slots)?;

    if !bs.is_reset() {
        // boot_complete_partial_swap
        bs.swap_size = status::read_swap_size(slots.primary, &pri_layout)?;
        if swap::check_room(slots, bs.swap_size).is_ok() {
            info!("resuming an interrupted {:?} swap", bs.swap_type);
            swap::run(slots, &mut bs)?;
            finish_swap(slots, bs.swap_type)?;
            report.swap = Some(bs.swap_type);
            report.resumed = true;
        } else {
            // Only a damaged trailer gets here (MCUboot would hang): drop
            // the journal; slot 0 is checked below like any other boot.
            error!(
                "swap journal with an impossible swap size {:#x}: dropped",
                bs.swap_size
            );
            status::scramble_trailer(slots.primary, &pri_layout)?;
        }
    } else {
        let table = mcuboot::swap_type(&primary, &secondary);
        let swap_type = if bs.swap_type == SwapType::None {
            // boot_validated_swap_type
            if is_upgrade(table) && !secondary_valid(slots, table, key, report)? {
                SwapType::None
            } else {
                table
            }
        } else if secondary_valid(slots, bs.swap_type, key, report)? {
            // The journal was set up but no step recorded: start over.
            bs.swap_type
        } else {
            SwapType::Fail
        };
        match swap_type {
            SwapType::Test | SwapType::Perm | SwapType::Revert => {
                if perform_update(slots, &mut bs, swap_type)? {
                    report.swap = Some(swap_type);
                }
            }
            SwapType::Fail => {
                // Pretend the old image was just reverted to: never again.
                set_image_ok(slots.primary, &pri_layout)?;
            }
            SwapType::None | SwapType::Panic => {}
        }
    }

    Ok(())
}

/// `swap_read_status`: a primary trailer with good magic and no copy_done,
/// beside a secondary trailer without good magic, holds the journal of a
/// swap; otherwise the status is reset.
fn read_journal(slots: &mut Slots<'_>) -> Result<BootStatus, FlashError> {
    let pri_layout = slots.primary_layout();
    let sec_layout = slots.secondary_layout();
    let mut bs = BootStatus::reset();
    let primary = mcuboot::read_trailer(slots.primary, &pri_layout)?;
    let secondary = mcuboot::read_trailer(slots.secondary, &sec_layout)?;
    if primary.magic == MagicState::Good
        && primary.copy_done == Flag::Unset
        && secondary.magic != MagicState::Good
    {
        bs.source = Source::Primary;
        status::read_status(slots.primary, &pri_layout, &mut bs)?;
        bs.swap_type = primary.swap_type;
    }
    Ok(bs)
}

fn is_upgrade(swap_type: SwapType) -> bool {
    matches!(
        swap_type,
        SwapType::Test | SwapType::Perm | SwapType::Revert
    )
}

/// `boot_validate_slot` of the secondary slot, with its side effects: an
/// absent or non-bootable image loses its trailer (and a revert stuck on it
/// the primary trailer), an invalid one is erased whole.
fn secondary_valid(
    slots: &mut Slots<'_>,
    swap_type: SwapType,
    key: Option<&BootKey>,
    report: &mut BootReport,
) -> Result<bool, FlashError> {
    let max = slots.max_image_size();
    // The device's own image is trusted wherever it sits: after a test swap it
    // waits in slot 1 for the revert.
    let own_hash = factory::hash();
    match validate::validate(slots.secondary, max, key, Some(&own_hash))? {
        Verdict::Valid(_) => Ok(true),
        Verdict::Absent | Verdict::NotBootable => {
            let layout = slots.secondary_layout();
            status::scramble_trailer(slots.secondary, &layout)?;
            if swap_type == SwapType::Revert {
                info!("secondary slot empty: dropping the revert, the running image stays");
                let layout = slots.primary_layout();
                status::scramble_trailer(slots.primary, &layout)?;
            }
            Ok(false)
        }
        Verdict::Invalid(why) => {
            warn!("secondary slot refused: {why}; erasing it");
            let size = slots.secondary.size();
            slots.secondary.erase(0, size)?;
            report.refused = Some(why);
            Ok(false)
        }
    }
}

/// `boot_perform_update` / `boot_swap_image` for a swap not yet started.
/// `false`: no room to swap, nothing done.
fn perform_update(
    slots: &mut Slots<'_>,
    bs: &mut BootStatus,
    swap_type: SwapType,
) -> Result<bool, FlashError> {
    bs.swap_type = swap_type;
    let primary_size = image_size(slots.primary)?;
    let secondary_size = image_size(slots.secondary)?;
    bs.swap_size = primary_size.max(secondary_size);
    if let Err(no_room) = swap::check_room(slots, bs.swap_size) {
        warn!(
            "not enough room to swap: {} sectors needed, {} available",
            no_room.needed_sectors, no_room.available_sectors
        );
        return Ok(false);
    }
    info!("{swap_type:?} swap of {} bytes", bs.swap_size);
    swap::run(slots, bs)?;
    finish_swap(slots, swap_type)?;
    Ok(true)
}

/// The end of a swap: image_ok for PERM and REVERT (the image now in the
/// primary slot stays), then copy_done, which closes the journal.
fn finish_swap(slots: &mut Slots<'_>, swap_type: SwapType) -> Result<(), FlashError> {
    let layout = slots.primary_layout();
    if matches!(swap_type, SwapType::Perm | SwapType::Revert) {
        set_image_ok(slots.primary, &layout)?;
    }
    if is_upgrade(swap_type) {
        mcuboot::write_copy_done(slots.primary, &layout)?;
    }
    Ok(())
}

/// `swap_set_image_ok`: image_ok, unless already set.
fn set_image_ok(area: &mut dyn FlashArea, layout: &TrailerLayout) -> Result<(), FlashError> {
    if mcuboot::read_trailer(area, layout)?.image_ok == Flag::Unset {
        mcuboot::write_image_ok(area, layout)?;
    }
    Ok(())
}

/// `boot_read_image_size`: the end of the TLVs, 0 without a readable image.
fn image_size(area: &mut dyn FlashArea) -> Result<u32, FlashError> {
    let mut raw = [0u8; IMAGE_HEADER_SIZE];
    area.read(0, &mut raw)?;
    if ImageHeader::parse(&raw).is_err() {
        return Ok(0);
    }
    match mcuboot::read_image_info(area) {
        Ok(info) => Ok(info.total_len),
        Err(mcuboot::ImageError::Flash(FlashError::Device)) => Err(FlashError::Device),
        Err(_) => Ok(0),
    }
}
