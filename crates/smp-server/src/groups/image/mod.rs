//! Group 1, image management (protocol.md §2.1): image state read and write,
//! upload, erase and slot info, over MCUboot slots ([`crate::mcuboot`]).

mod erase;
pub mod platform;
mod slot_state;
mod slots;
pub mod state;
mod upload;

pub use platform::{ImageMgmtError, ImagePlatform};

use crate::hooks::{DfuEvent, Hooks};
use crate::mcuboot::BootConfig;
pub use state::{UploadState, TAIL_MAX};

use crate::dispatch::{keyed, Command, Group};
use crate::header::GroupId;

/// The group's command ids.
pub mod cmd {
    /// Reads (read) or sets (write) the state of the image slots.
    pub const STATE: u8 = 0;
    /// Uploads an image, chunk by chunk.
    pub const UPLOAD: u8 = 1;
    /// File: not served (rc 8), as in Zephyr.
    pub const FILE: u8 = 2;
    /// Core list: not served (rc 8), as in Zephyr.
    pub const CORELIST: u8 = 3;
    /// Core load: not served (rc 8), as in Zephyr.
    pub const CORELOAD: u8 = 4;
    /// Erases a slot.
    pub const ERASE: u8 = 5;
    /// The slots' sizes and upload limits.
    pub const SLOT_INFO: u8 = 6;
}

/// The length of the group's command table: the highest id plus one.
pub const TABLE_LEN: usize = cmd::SLOT_INFO as usize + 1;

/// The group with every command.
pub static GROUP: Group = group(&COMMANDS_ALL);

static COMMANDS_ALL: [Command; TABLE_LEN] = commands::<AllCommands>();

/// What a server's image group is built with: which optional commands and
/// checks it offers (a command left out answers rc 8, and the code of
/// whatever is left out is not in the image), and the facts about the device
/// that are fixed when its firmware is built.
///
/// A fact left `None` is asked of the [`ImagePlatform`] at each request; one
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
    /// [`ImagePlatform::image_count`], when fixed.
    const IMAGE_COUNT: Option<u8> = None;
    /// [`ImagePlatform::boot_config`], when fixed.
    const BOOT_CONFIG: Option<BootConfig> = None;
    /// [`ImagePlatform::direct_upload`], when fixed.
    const DIRECT_UPLOAD: Option<bool> = None;
    /// [`ImagePlatform::active_image`], when fixed.
    const ACTIVE_IMAGE: Option<u8> = None;
    /// [`ImagePlatform::version_cmp_use_build`], when fixed.
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
fn dfu<B: ImageBuild>(hooks: &mut dyn Hooks, event: &DfuEvent<'_>) {
    if B::STATUS_HOOKS {
        hooks.dfu(event);
    }
}

/// Every command and check, every fact asked of the platform: [`GROUP`].
pub struct AllCommands;

impl ImageBuild for AllCommands {}

/// The command table (by id) that `B` describes (see
/// [`crate::groups::os::commands`] for how a server builds its group).
pub const fn commands<B: ImageBuild>() -> [Command; TABLE_LEN] {
    let slot_info = if B::SLOT_INFO {
        Command::read(erase::slot_info::<B>)
    } else {
        Command::NONE
    };
    keyed(&[
        (
            cmd::STATE,
            Command::read_write(slot_state::read::<B>, slot_state::write::<B>),
        ),
        (cmd::UPLOAD, Command::write(upload::upload::<B>)),
        (cmd::ERASE, Command::write(erase::erase::<B>)),
        (cmd::SLOT_INFO, slot_info),
    ])
}

/// The group over a command table made by [`commands`].
pub const fn group(commands: &'static [Command; TABLE_LEN]) -> Group {
    Group {
        id: GroupId::IMAGE,
        name: "img mgmt",
        commands,
    }
}

#[cfg(test)]
mod tests;
