//! The emulated MCUboot build and the two slots of the one image it boots.

use smp_server::flash::FlashArea;
use smp_server::mcuboot::{BootConfig, BootMode, TrailerLayout};

use super::status::trailer_size;

/// The MCUboot build the virtual device emulates.
pub const BOOT_CONFIG: BootConfig = BootConfig {
    mode: BootMode::SwapUsingMove,
    max_align: 8,
    downgrade_prevention: false,
};

/// `MCUBOOT_MAX_IMG_SECTORS` of the build (as `mcuboot-glue/` builds it).
pub const MAX_IMG_SECTORS: u32 = 128;

/// The two slots of the one image.
pub struct Slots<'a> {
    pub primary: &'a mut dyn FlashArea,
    pub secondary: &'a mut dyn FlashArea,
}

impl Slots<'_> {
    pub fn primary_layout(&self) -> TrailerLayout {
        TrailerLayout::new(self.primary.size(), BOOT_CONFIG.max_align)
    }

    pub fn secondary_layout(&self) -> TrailerLayout {
        TrailerLayout::new(self.secondary.size(), BOOT_CONFIG.max_align)
    }

    /// `boot_slots_compatible` (swap_move.c): same sector size, and the
    /// primary has as many sectors as the secondary, or one more, or one
    /// more usable than the secondary has (trailer and move sector aside);
    /// at most `BOOT_MAX_IMG_SECTORS`.
    pub fn compatible(&self) -> bool {
        let sector = self.primary.erase_size();
        if sector != self.secondary.erase_size() {
            return false;
        }
        let primary = self.primary.size() / sector;
        let secondary = self.secondary.size() / sector;
        let trailer_sectors =
            trailer_size(self.primary.write_size(), &self.primary_layout()).div_ceil(sector);
        // app_max_sectors: one sector to move into, the trailer's.
        let usable_primary = primary.saturating_sub(1 + trailer_sectors);
        (primary == secondary || primary == secondary + 1 || usable_primary == secondary + 1)
            && primary <= MAX_IMG_SECTORS
    }

    /// `app_max_size`: the largest image (header, body, TLVs) a swap can move:
    /// the primary keeps its trailer sectors and one sector to move up into,
    /// the secondary its trailer sectors.
    pub fn max_image_size(&self) -> u32 {
        let usable = |area: &dyn FlashArea, layout: &TrailerLayout| {
            let sector = area.erase_size();
            let trailer = trailer_size(area.write_size(), layout).div_ceil(sector) * sector;
            (area.size() / sector * sector).saturating_sub(trailer)
        };
        let primary = usable(&*self.primary, &self.primary_layout())
            .saturating_sub(self.primary.erase_size());
        let secondary = usable(&*self.secondary, &self.secondary_layout());
        primary.min(secondary)
    }
}
