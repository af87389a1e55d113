//! Group 1, image management (protocol.md §2.1): image state read and write,
//! upload, erase and slot info, over MCUboot slots ([`crate::mcuboot`]).

mod build;
mod erase;
pub mod platform;
mod slot_state;
mod slots;
pub mod state;
mod upload;

pub use build::{AllCommands, ImageBuild};
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

static COMMANDS_ALL: [Command; TABLE_LEN] = commands::<AllCommands>();

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
