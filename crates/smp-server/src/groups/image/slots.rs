//! What the image commands know of slots: which runs, what each holds, what
//! boots next, which may be written.

use super::platform::{ImageMgmtError, ImagePlatform};
use crate::dispatch::Ctx;
use crate::error::{Error, MgmtErr};
use crate::flash::FlashError;
use crate::mcuboot::{
    read_image_info, read_trailer, swap_type_for, BootConfig, BootMode, ImageError, ImageInfo,
    NextBoot, NextBootType, SwapType, Trailer, TrailerLayout,
};

/// The platform's image slots, or rc 8 where it has none.
pub(super) fn platform<'a>(ctx: &'a mut Ctx<'_>) -> Result<&'a mut dyn ImagePlatform, Error> {
    ctx.platform.image().ok_or(MgmtErr::NotSup.into())
}

/// The number of image pairs, capped so that every absolute slot fits a `u8`.
pub(super) fn image_count(p: &dyn ImagePlatform) -> u8 {
    p.image_count().min(127)
}

/// The other slot of the pair `slot` belongs to.
pub(super) fn opposite(slot: u8) -> u8 {
    slot ^ 1
}

/// The active slot of `image`, checked to be one of its two slots.
pub(super) fn active_slot(p: &dyn ImagePlatform, image: u8) -> Result<u8, ImageMgmtError> {
    let slot = p.active_slot(image);
    if slot / 2 == image {
        Ok(slot)
    } else {
        Err(ImageMgmtError::ActiveSlotNotKnown)
    }
}

/// The image in `slot`, if it holds a valid one (a missing slot holds none).
pub(super) fn slot_image(p: &mut dyn ImagePlatform, slot: u8) -> Result<ImageInfo, ImageError> {
    match p.slot(slot) {
        Some(area) => read_image_info(area),
        None => Err(ImageError::NoImage),
    }
}

/// The trailer of `slot`; a missing slot reads as erased (as MCUboot treats
/// an unreachable secondary slot).
pub(super) fn slot_trailer(
    p: &mut dyn ImagePlatform,
    slot: u8,
    config: &BootConfig,
) -> Result<Trailer, FlashError> {
    match p.slot(slot) {
        Some(area) => {
            let layout = TrailerLayout::new(area.size(), config.max_align);
            read_trailer(area, &layout)
        }
        None => Ok(Trailer::ERASED),
    }
}

/// Whether `mode` has no trailer-driven swap: the bootloader picks the slot
/// with the higher version.
pub(super) fn version_based(mode: BootMode) -> bool {
    matches!(
        mode,
        BootMode::DirectXip | BootMode::DirectXipWithRevert | BootMode::RamLoad
    )
}

/// What boots next for `image` whose active slot is `active`.
///
/// Swap and overwrite modes: the swap type of the pair's trailers (a primary
/// trailer that cannot be read is PANIC, a secondary one erased, as MCUboot
/// does). Direct-XIP and RAM-load: the other slot when its image is newer.
pub(super) fn next_boot(p: &mut dyn ImagePlatform, image: u8, active: u8) -> NextBoot {
    let config = p.boot_config();
    if version_based(config.mode) {
        let use_build = p.version_cmp_use_build();
        let newer = match (slot_image(p, active), slot_image(p, opposite(active))) {
            (Ok(a), Ok(o)) => a
                .header
                .version
                .compare(&o.header.version, use_build)
                .is_lt(),
            _ => false,
        };
        return NextBoot {
            other_slot: newer,
            kind: NextBootType::Normal,
        };
    }
    let swap = match slot_trailer(p, 2 * image, &config) {
        Err(_) => SwapType::Panic,
        Ok(primary) => {
            let secondary = slot_trailer(p, 2 * image + 1, &config).unwrap_or(Trailer::ERASED);
            swap_type_for(config.mode, &primary, &secondary)
        }
    };
    NextBoot::from_swap_type(swap)
}

/// The slot that boots next and how (`img_mgmt_get_next_boot_slot`).
pub(super) fn next_boot_slot(
    p: &mut dyn ImagePlatform,
    image: u8,
    active: u8,
) -> (u8, NextBootType) {
    let next = next_boot(p, image, active);
    let slot = if next.other_slot {
        opposite(active)
    } else {
        active
    };
    (slot, next.kind)
}

/// `img_mgmt_slot_in_use` with `ALLOW_ERASE_PENDING`: the active slot, and
/// the slot a revert will bring back. A pending slot may be replaced.
pub(super) fn slot_in_use(p: &mut dyn ImagePlatform, slot: u8) -> Result<bool, ImageMgmtError> {
    let image = slot / 2;
    let active = active_slot(p, image)?;
    let (next, kind) = next_boot_slot(p, image, active);
    Ok(slot == active || (slot == next && kind == NextBootType::Revert))
}
