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
