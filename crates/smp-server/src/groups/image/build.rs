//! What a server's image group is built with ([`ImageBuild`]), apart from
//! the group's table (mod.rs), so that every command module can use it.

use crate::hooks::{DfuEvent, Hooks};
use crate::mcuboot::BootConfig;

/// What a server's image group is built with: which optional commands and
/// checks it offers (a command left out answers rc 8, and the code of
/// whatever is left out is not in the image), and the facts about the device
/// that are fixed when its firmware is built.
///
/// A fact left `None` is asked of the [`ImagePlatform`](super::ImagePlatform) at each request; one
/// given here must be what the platform would answer, and lets the compiler
/// drop the code of every other case (other MCUboot modes, a second image,
/// direct upload).
pub trait ImageBuild: 'static {
    /// Command 6, the slots' sizes and upload limits (as Zephyr's
    /// `MCUMGR_GRP_IMG_SLOT_INFO`).
    const SLOT_INFO: bool = true;
    /// Uploads with a full 32-byte `sha` are checked against it (as Zephyr's
    /// `IMG_ENABLE_IMAGE_CHECK`): a first chunk for a file the slot already
    /// holds completes at once, and the last chunk's response says whether
    /// the slot hashes to `sha` (`match`). Without it `sha` only tells a
    /// resumed upload from a new one.
    const IMAGE_CHECK: bool = true;
    /// [`ImagePlatform::image_count`](super::ImagePlatform::image_count), when fixed.
    const IMAGE_COUNT: Option<u8> = None;
    /// [`ImagePlatform::boot_config`](super::ImagePlatform::boot_config), when fixed.
    const BOOT_CONFIG: Option<BootConfig> = None;
    /// [`ImagePlatform::direct_upload`](super::ImagePlatform::direct_upload), when fixed.
    const DIRECT_UPLOAD: Option<bool> = None;
    /// [`ImagePlatform::active_image`](super::ImagePlatform::active_image), when fixed.
    const ACTIVE_IMAGE: Option<u8> = None;
    /// [`ImagePlatform::version_cmp_use_build`](super::ImagePlatform::version_cmp_use_build), when fixed.
    const VERSION_CMP_USE_BUILD: Option<bool> = None;
    /// The application's hooks hear of each update step ([`Hooks::dfu`]: as
    /// Zephyr's `MCUMGR_GRP_IMG_STATUS_HOOKS`). Without it they are not
    /// called, and the events are not even built.
    const STATUS_HOOKS: bool = true;
    /// The application's hooks may refuse an upload ([`Hooks::upload_check`]:
    /// as Zephyr's `MCUMGR_GRP_IMG_UPLOAD_CHECK_HOOK`). Without it every
    /// upload the image group itself accepts goes ahead.
    const UPLOAD_CHECK_HOOK: bool = true;
}

/// Tells the hooks of an update step, if `B` has them listen.
pub(super) fn dfu<B: ImageBuild>(hooks: &mut dyn Hooks, event: &DfuEvent<'_>) {
    if B::STATUS_HOOKS {
        hooks.dfu(event);
    }
}

/// Every command and check, every fact asked of the platform: [`GROUP`](super::GROUP).
pub struct AllCommands;

impl ImageBuild for AllCommands {}
