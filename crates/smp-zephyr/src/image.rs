//! The image slots of the devicetree (`slot0_partition`, `slot1_partition`).

use smp_server::flash::FlashArea;
use smp_server::groups::image::ImagePlatform;
use smp_server::mcuboot::BootConfig;

use crate::boot::BOOT_CONFIG;
use crate::flash::Partition;
use crate::sys::raw;

/// The primary and secondary slot of image 0.
pub struct Slots {
    slots: [Option<Partition>; 2],
    active: u8,
}

impl Slots {
    /// Opens the slots the devicetree has; a missing one answers as absent.
    pub fn open() -> Self {
        let open = |slot: u8| {
            // SAFETY: a pure lookup in constants of the devicetree.
            let id = unsafe { raw::rust_smp_slot_partition_id(slot) };
            u8::try_from(id).ok().and_then(Partition::open)
        };
        // SAFETY: a pure comparison of devicetree and Kconfig constants.
        let active = unsafe { raw::rust_smp_running_slot() };
        Slots {
            slots: [open(0), open(1)],
            active,
        }
    }
}

impl ImagePlatform for Slots {
    fn image_count(&self) -> u8 {
        1
    }

    fn direct_upload(&self) -> bool {
        cfg!(CONFIG_RUST_SMP_GRP_IMG_DIRECT_UPLOAD)
    }

    fn slot(&mut self, slot: u8) -> Option<&mut dyn FlashArea> {
        let partition = self.slots.get_mut(usize::from(slot))?.as_mut()?;
        Some(partition)
    }

    fn active_slot(&self, _image: u8) -> u8 {
        self.active
    }

    fn boot_config(&self) -> BootConfig {
        BOOT_CONFIG
    }
}
