//! Group 1, image management (protocol.md §2.1): image state read and write,
//! upload, erase and slot info, over MCUboot slots ([`crate::mcuboot`]).

mod erase;
pub mod platform;
mod slot_state;
mod slots;
pub mod state;
mod upload;

pub use platform::{ImageMgmtError, ImagePlatform};
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

static COMMANDS_ALL: [Command; TABLE_LEN] = commands(ImageCommands::ALL);

/// Which optional commands and checks a server offers; a command left out
/// answers rc 8, and the code of whatever is left out is not in the image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImageCommands {
    /// Command 6, the slots' sizes and upload limits (as Zephyr's
    /// `MCUMGR_GRP_IMG_SLOT_INFO`).
    pub slot_info: bool,
    /// Uploads with a full 32-byte `sha` are checked against it (as Zephyr's
    /// `IMG_ENABLE_IMAGE_CHECK`): a first chunk for a file the slot already
    /// holds completes at once, and the last chunk's response says whether
    /// the slot hashes to `sha` (`match`). Without it `sha` only tells a
    /// resumed upload from a new one.
    pub image_check: bool,
}

impl ImageCommands {
    /// Every command and check, as in [`GROUP`].
    pub const ALL: ImageCommands = ImageCommands {
        slot_info: true,
        image_check: true,
    };
}

/// The command table (by id) with the commands of `which` (see
/// [`crate::groups::os::commands`] for how a server builds its group).
pub const fn commands(which: ImageCommands) -> [Command; TABLE_LEN] {
    let slot_info = if which.slot_info {
        Command::read(erase::slot_info)
    } else {
        Command::NONE
    };
    let upload = if which.image_check {
        Command::write(upload::upload::<true>)
    } else {
        Command::write(upload::upload::<false>)
    };
    keyed(&[
        (
            cmd::STATE,
            Command::read_write(slot_state::read, slot_state::write),
        ),
        (cmd::UPLOAD, upload),
        (cmd::ERASE, Command::write(erase::erase)),
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
