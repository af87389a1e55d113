//! Image management (group 1): the two slots of the one image, partitions of
//! the flash the emulated MCUboot boots from. Slot 0 runs; uploads go to
//! slot 1.

use smp_server::flash::{FlashArea, NorFlashArea};
use smp_server::groups::image::ImagePlatform;
use smp_server::mcuboot::BootConfig;

use crate::hw::bootloader::Slots;
use crate::hw::flash::{Flash, FlashPartition, SLOT0_PARTITION, SLOT1_PARTITION};

pub struct Image {
    /// `slot0_partition` (primary) and `slot1_partition` (secondary).
    slots: [NorFlashArea<FlashPartition>; 2],
    /// `--direct-upload`: an upload's `image` N > 0 names slot N − 1.
    direct_upload: bool,
    /// The bootloader's build: its mode decides trailers and image places.
    config: BootConfig,
}

impl Image {
    pub fn open(flash: &Flash, direct_upload: bool, config: BootConfig) -> Self {
        Image {
            slots: [
                NorFlashArea(flash.partition(SLOT0_PARTITION)),
                NorFlashArea(flash.partition(SLOT1_PARTITION)),
            ],
            direct_upload,
            config,
        }
    }

    /// The slots as the bootloader boots them.
    pub fn bootloader_slots(&mut self) -> Slots<'_> {
        let [primary, secondary] = &mut self.slots;
        Slots { primary, secondary }
    }
}

impl ImagePlatform for Image {
    fn image_count(&self) -> u8 {
        1
    }

    fn direct_upload(&self) -> bool {
        self.direct_upload
    }

    fn slot(&mut self, slot: u8) -> Option<&mut dyn FlashArea> {
        self.slots
            .get_mut(usize::from(slot))
            .map(|area| area as &mut dyn FlashArea)
    }

    fn active_slot(&self, _image: u8) -> u8 {
        0
    }

    fn boot_config(&self) -> BootConfig {
        self.config
    }
}
