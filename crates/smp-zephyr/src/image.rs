//! The image slots of the devicetree: `slot0_partition` and `slot1_partition`
//! (image 0), and `slot2_partition` and `slot3_partition` (image 1) when
//! `CONFIG_UPDATEABLE_IMAGE_NUMBER` is 2 or more.

use smp_server::flash::FlashArea;
use smp_server::groups::image::{ImageBuild, ImagePlatform};
use smp_server::mcuboot::BootConfig;

use crate::boot::BOOT_CONFIG;
use crate::flash::Partition;
use crate::sys::raw;

/// What the image group is built with here (smp.rs's command table).
pub struct Build;

impl ImageBuild for Build {
    const SLOT_INFO: bool = cfg!(CONFIG_RUST_SMP_GRP_IMG_SLOT_INFO);
    const IMAGE_CHECK: bool = cfg!(CONFIG_RUST_SMP_GRP_IMG_IMAGE_CHECK);
    // With two images configured, whether the devicetree has their slots is
    // known only to C (rust_smp_image_count): asked at run time then.
    const IMAGE_COUNT: Option<u8> = if crate::config::CONFIG_UPDATEABLE_IMAGE_NUMBER <= 1 {
        Some(1)
    } else {
        None
    };
    const BOOT_CONFIG: Option<BootConfig> = Some(BOOT_CONFIG);
    const DIRECT_UPLOAD: Option<bool> = Some(cfg!(CONFIG_RUST_SMP_GRP_IMG_DIRECT_UPLOAD));
    // Slots' own answers (the trait's defaults): the application is image 0,
    // versions compare without the build number.
    const ACTIVE_IMAGE: Option<u8> = Some(0);
    const VERSION_CMP_USE_BUILD: Option<bool> = Some(false);
    const STATUS_HOOKS: bool = cfg!(CONFIG_RUST_SMP_GRP_IMG_STATUS_HOOKS);
    const UPLOAD_CHECK_HOOK: bool = cfg!(CONFIG_RUST_SMP_GRP_IMG_UPLOAD_CHECK_HOOK);
}

/// The primary and secondary slots of each image, by absolute slot number.
pub struct Slots {
    slots: [Option<Partition>; 4],
    images: u8,
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
        // SAFETY: pure comparisons of devicetree and Kconfig constants.
        let (active, images) =
            unsafe { (raw::rust_smp_running_slot(), raw::rust_smp_image_count()) };
        let slots = if images > 1 {
            [open(0), open(1), open(2), open(3)]
        } else {
            [open(0), open(1), None, None]
        };
        Slots {
            slots,
            images,
            active,
        }
    }
}

impl ImagePlatform for Slots {
    fn image_count(&self) -> u8 {
        self.images
    }

    fn direct_upload(&self) -> bool {
        cfg!(CONFIG_RUST_SMP_GRP_IMG_DIRECT_UPLOAD)
    }

    fn slot(&mut self, slot: u8) -> Option<&mut dyn FlashArea> {
        let partition = self.slots.get_mut(usize::from(slot))?.as_mut()?;
        Some(partition)
    }

    /// Image 0 runs from its primary slot, or from slot 1 in a direct-XIP
    /// build linked for it; image 1 (another core's, or a second
    /// application's) always from its primary, slot 2.
    fn active_slot(&self, image: u8) -> u8 {
        if image == 0 {
            self.active
        } else {
            2
        }
    }

    fn boot_config(&self) -> BootConfig {
        BOOT_CONFIG
    }
}
