//! Image slots in memory, programmed with the imgtool-signed fixtures.

use crate::flash::FlashArea;
use crate::groups::image::ImagePlatform;
use crate::mcuboot::fixtures::{APP_1_2_3, APP_1_3_0};
use crate::mcuboot::mem_flash::MemFlash;
use crate::mcuboot::{
    write_copy_done, write_image_ok, write_magic, BootConfig, BootMode, TrailerLayout,
};

pub const SLOT_SIZE: u32 = 0x10000;
pub const SECTOR: u32 = 0x1000;
/// Swap using move, 16 sectors of 4 KiB: one sector of trailer, one for moving.
pub const MAX_IMAGE: u32 = SLOT_SIZE - 2 * SECTOR;

/// One or two image pairs in memory.
pub struct FakeImage {
    /// Indexed by absolute slot; `None` for a slot that does not exist.
    pub slots: Vec<Option<MemFlash>>,
    pub image_count: u8,
    pub active: [u8; 2],
    pub active_image: u8,
    pub config: BootConfig,
    pub use_build: bool,
    /// Direct upload: `image` N > 0 names slot N − 1.
    pub direct_upload: bool,
}

impl FakeImage {
    /// One image, running 1.2.3 from slot 0, slot 1 erased; swap using move.
    pub fn single() -> Self {
        let mut d = FakeImage {
            slots: vec![
                Some(MemFlash::new(SLOT_SIZE, SECTOR, 8)),
                Some(MemFlash::new(SLOT_SIZE, SECTOR, 8)),
            ],
            image_count: 1,
            active: [0, 2],
            active_image: 0,
            config: BootConfig {
                mode: BootMode::SwapUsingMove,
                max_align: 8,
                downgrade_prevention: false,
            },
            use_build: false,
            direct_upload: false,
        };
        d.flash(0).program(0, APP_1_2_3);
        d
    }

    /// Two images: image 0 runs 1.2.3 from slot 0, image 1 runs 1.3.0 from slot 2.
    pub fn dual() -> Self {
        let mut d = FakeImage::single();
        d.image_count = 2;
        d.slots.push(Some(MemFlash::new(SLOT_SIZE, SECTOR, 8)));
        d.slots.push(Some(MemFlash::new(SLOT_SIZE, SECTOR, 8)));
        d.flash(2).program(0, APP_1_3_0);
        d
    }

    pub fn flash(&mut self, slot: usize) -> &mut MemFlash {
        self.slots[slot].as_mut().expect("slot exists")
    }

    /// Puts `image` in `slot` as a programmer would.
    pub fn with_image(mut self, slot: usize, image: &[u8]) -> Self {
        self.flash(slot).program(0, image);
        self
    }

    pub fn layout(&self) -> TrailerLayout {
        TrailerLayout::new(SLOT_SIZE, 8)
    }

    /// The trailer state after "test" of `slot` (as `boot_set_next` leaves it).
    pub fn mark_test(mut self, slot: usize) -> Self {
        let l = self.layout();
        let image = (slot / 2) as u8;
        crate::mcuboot::set_next(self.flash(slot), &l, false, false, image).unwrap();
        self
    }

    /// The trailer state after "confirm" (permanent) of `slot`.
    pub fn mark_permanent(mut self, slot: usize) -> Self {
        let l = self.layout();
        let image = (slot / 2) as u8;
        crate::mcuboot::set_next(self.flash(slot), &l, false, true, image).unwrap();
        self
    }

    /// The trailer state after MCUboot swapped a test image into `slot` (its
    /// primary): magic and copy_done set, image_ok not.
    pub fn mark_swapped_for_test(mut self, slot: usize) -> Self {
        let l = self.layout();
        write_magic(self.flash(slot), &l).unwrap();
        write_copy_done(self.flash(slot), &l).unwrap();
        self
    }

    /// Confirmed after a swap: magic, copy_done and image_ok set.
    pub fn mark_confirmed(mut self, slot: usize) -> Self {
        let l = self.layout();
        self = self.mark_swapped_for_test(slot);
        write_image_ok(self.flash(slot), &l).unwrap();
        self
    }

    pub fn clear_logs(&mut self) {
        for f in self.slots.iter_mut().flatten() {
            f.clear_log();
        }
    }
}

impl ImagePlatform for FakeImage {
    fn image_count(&self) -> u8 {
        self.image_count
    }

    fn slot(&mut self, slot: u8) -> Option<&mut dyn FlashArea> {
        self.slots
            .get_mut(usize::from(slot))?
            .as_mut()
            .map(|f| f as &mut dyn FlashArea)
    }

    fn active_slot(&self, image: u8) -> u8 {
        self.active[usize::from(image)]
    }

    fn boot_config(&self) -> BootConfig {
        self.config
    }

    fn active_image(&self) -> u8 {
        self.active_image
    }

    fn version_cmp_use_build(&self) -> bool {
        self.use_build
    }

    fn direct_upload(&self) -> bool {
        self.direct_upload
    }
}

impl Default for FakeImage {
    fn default() -> Self {
        FakeImage::single()
    }
}
