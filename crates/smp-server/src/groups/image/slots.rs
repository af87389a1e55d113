//! What the image commands know of slots: which runs, what each holds, what
//! boots next, which may be written.

use core::marker::PhantomData;

use super::build::ImageBuild;
use super::platform::{ImageMgmtError, ImagePlatform};
use crate::dispatch::Ctx;
use crate::error::{Error, MgmtErr};
use crate::flash::{FlashArea, FlashError, Window};
use crate::mcuboot::{
    read_image_info, read_trailer, swap_type_for, BootConfig, BootMode, ImageError, ImageInfo,
    NextBoot, NextBootType, SwapType, Trailer, TrailerLayout,
};

/// The platform's image slots, with the facts `B` fixes; rc 8 where the
/// platform has none.
pub(super) fn platform<'a, B: ImageBuild>(ctx: &'a mut Ctx<'_>) -> Result<Known<'a, B>, Error> {
    let p = ctx.platform.image().ok_or(Error::from(MgmtErr::NotSup))?;
    Ok(Known::new(p))
}

/// The platform as the image commands see it: the facts [`ImageBuild`]
/// fixes answered as constants, everything else asked of the platform. The
/// commands are generic over it, so that in a firmware with one build the
/// compiler sees those constants everywhere they are used.
pub(super) struct Known<'a, B> {
    p: &'a mut dyn ImagePlatform,
    build: PhantomData<B>,
}

impl<'a, B: ImageBuild> Known<'a, B> {
    pub(super) fn new(p: &'a mut dyn ImagePlatform) -> Self {
        Known {
            p,
            build: PhantomData,
        }
    }
}

impl<B: ImageBuild> ImagePlatform for Known<'_, B> {
    fn image_count(&self) -> u8 {
        match B::IMAGE_COUNT {
            Some(n) => n,
            None => self.p.image_count(),
        }
    }
    fn slot(&mut self, slot: u8) -> Option<&mut dyn FlashArea> {
        self.p.slot(slot)
    }
    fn active_slot(&self, image: u8) -> u8 {
        self.p.active_slot(image)
    }
    fn boot_config(&self) -> BootConfig {
        match B::BOOT_CONFIG {
            Some(config) => config,
            None => self.p.boot_config(),
        }
    }
    fn active_image(&self) -> u8 {
        match B::ACTIVE_IMAGE {
            Some(image) => image,
            None => self.p.active_image(),
        }
    }
    fn version_cmp_use_build(&self) -> bool {
        match B::VERSION_CMP_USE_BUILD {
            Some(use_build) => use_build,
            None => self.p.version_cmp_use_build(),
        }
    }
    fn direct_upload(&self) -> bool {
        match B::DIRECT_UPLOAD {
            Some(direct) => direct,
            None => self.p.direct_upload(),
        }
    }
}

/// The number of image pairs, capped so that every absolute slot fits a `u8`.
pub(super) fn image_count<P: ImagePlatform + ?Sized>(p: &P) -> u8 {
    p.image_count().min(127)
}

/// The other slot of the pair `slot` belongs to.
pub(super) fn opposite(slot: u8) -> u8 {
    slot ^ 1
}

/// The active slot of `image`, checked to be one of its two slots.
pub(super) fn active_slot<P: ImagePlatform + ?Sized>(
    p: &P,
    image: u8,
) -> Result<u8, ImageMgmtError> {
    let slot = p.active_slot(image);
    if slot / 2 == image {
        Ok(slot)
    } else {
        Err(ImageMgmtError::ActiveSlotNotKnown)
    }
}

/// The image in `slot`, if it holds a valid one (a missing slot holds none).
pub(super) fn slot_image<P: ImagePlatform + ?Sized>(
    p: &mut P,
    slot: u8,
) -> Result<ImageInfo, ImageError> {
    let base = image_offset(p, slot);
    match p.slot(slot) {
        // Without swap using offset the window is never needed (and, the
        // mode a constant of the build, not linked).
        Some(area) if base == 0 => read_image_info(area),
        Some(area) => read_image_info(&mut Window::new(area, base)),
        None => Err(ImageError::NoImage),
    }
}

/// Where the image of `slot` starts in it (Zephyr `boot_get_image_start_offset`).
///
/// 0, except with swap using offset in a secondary slot: an update waits
/// there one sector in (the sector the swap moves the primary's first one
/// into), and a revert finds the previous image at 0, where the swap left it.
pub(super) fn image_offset<P: ImagePlatform + ?Sized>(p: &mut P, slot: u8) -> u32 {
    let config = p.boot_config();
    if config.mode != BootMode::SwapUsingOffset || slot % 2 == 0 {
        return 0;
    }
    let image = slot / 2;
    let primary = slot_trailer(p, 2 * image, &config).unwrap_or(Trailer::ERASED);
    let secondary = slot_trailer(p, slot, &config).unwrap_or(Trailer::ERASED);
    if swap_type_for(config.mode, &primary, &secondary) == SwapType::Revert {
        return 0;
    }
    p.slot(slot).map_or(0, |area| area.erase_size())
}

/// The trailer of `slot`; a missing slot reads as erased (as MCUboot treats
/// an unreachable secondary slot).
pub(super) fn slot_trailer<P: ImagePlatform + ?Sized>(
    p: &mut P,
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
pub(super) fn next_boot<P: ImagePlatform + ?Sized>(p: &mut P, image: u8, active: u8) -> NextBoot {
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
pub(super) fn next_boot_slot<P: ImagePlatform + ?Sized>(
    p: &mut P,
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
pub(super) fn slot_in_use<P: ImagePlatform + ?Sized>(
    p: &mut P,
    slot: u8,
) -> Result<bool, ImageMgmtError> {
    let image = slot / 2;
    let active = active_slot(p, image)?;
    let (next, kind) = next_boot_slot(p, image, active);
    Ok(slot == active || (slot == next && kind == NextBootType::Revert))
}
