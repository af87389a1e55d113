//! Hooks: how an application follows and steers what the server does, the
//! counterpart of Zephyr's MCUmgr callbacks (`mgmt_callback_register`).
//!
//! An application implements [`Hooks`] (every method has a default that
//! changes nothing) and hands it to
//! [`Server::process_with_hooks`](crate::Server::process_with_hooks); without
//! one ([`NoHooks`]) the server behaves as if no hook were registered.
//!
//! | method | Zephyr event | may |
//! |---|---|---|
//! | [`command_received`](Hooks::command_received) | `MGMT_EVT_OP_CMD_RECV` | refuse the command with any error (the access policy: rc 11) |
//! | [`command_done`](Hooks::command_done) | `MGMT_EVT_OP_CMD_DONE` | see its outcome |
//! | [`dfu`](Hooks::dfu) | `IMG_MGMT_DFU_STARTED/CHUNK/PENDING/CONFIRMED/STOPPED` | follow an update |
//! | [`upload_check`](Hooks::upload_check) | `IMG_MGMT_UPLOAD_CHECK` | refuse an image, seeing its header |
//! | [`reset`](Hooks::reset) | `OS_MGMT_RESET` | veto or delay a reset |
//! | [`os_info`](Hooks::os_info) | `OS_MGMT_INFO_CHECK/APPEND` | answer os info letters of its own |
//! | [`fs_access`](Hooks::fs_access) | `FS_MGMT_FILE_ACCESS` | refuse a file, or rewrite its path |
//! | [`settings_access`](Hooks::settings_access) | `SETTINGS_MGMT_ACCESS` | refuse a key |
//!
//! [`fs_roots::FsRoots`] wraps an application's hooks to confine the fs group to a
//! few directories.

use crate::error::Error;
use crate::mcuboot::ImageHeader;
use crate::request::Access;

pub mod fs_roots;

/// The longest path an fs hook may rewrite a file name to: the group's own
/// limit.
pub use crate::groups::fs::platform::PATH_LEN as FS_PATH_LEN;

/// What the server tells an application, and asks it.
pub trait Hooks {
    /// A command that exists is about to run; an error answers the request
    /// instead (refusing access is [`MgmtErr::AccessDenied`](crate::MgmtErr::AccessDenied), rc 11).
    fn command_received(&mut self, access: &Access) -> Result<(), Error> {
        let _ = access;
        Ok(())
    }

    /// A command ran (or was refused by [`command_received`](Hooks::command_received)):
    /// `result` is what its response reports.
    fn command_done(&mut self, access: &Access, result: Result<(), Error>) {
        let _ = (access, result);
    }

    /// An image update moved on.
    fn dfu(&mut self, event: &DfuEvent<'_>) {
        let _ = event;
    }

    /// The first chunk of an upload passed the image group's own checks and
    /// the slot is about to be prepared; an error refuses the upload (a group
    /// error reaches the client as `err`, translated for v1).
    fn upload_check(&mut self, check: &UploadCheck<'_>) -> Result<(), Error> {
        let _ = check;
        Ok(())
    }

    /// A reset was asked and the platform agreed; an error refuses it, a
    /// plan delays it.
    fn reset(&mut self, request: &ResetRequest) -> Result<ResetPlan, Error> {
        let _ = request;
        Ok(ResetPlan::NOW)
    }

    /// os info asked for `letter` (an ASCII character), which the os group
    /// does not know: `Some` accepts it and appends the text after the
    /// group's own fields, `None` leaves it unknown (err {0, 2}).
    fn os_info(&mut self, letter: char) -> Option<&str> {
        let _ = letter;
        None
    }

    /// A file is about to be read, written, sized or hashed under `path`;
    /// the hook may rewrite `path` (the group checks the result again) or
    /// refuse with an error.
    fn fs_access(
        &mut self,
        access: FsAccess,
        path: &mut heapless::String<FS_PATH_LEN>,
    ) -> Result<(), Error> {
        let _ = (access, path);
        Ok(())
    }

    /// A settings command is about to act on `key` (`None`: every key, for
    /// commit, load and save without a name); an error refuses it.
    fn settings_access(&mut self, access: SettingsAccess, key: Option<&str>) -> Result<(), Error> {
        let _ = (access, key);
        Ok(())
    }
}

/// The hooks of a server without any: every default.
pub struct NoHooks;

impl Hooks for NoHooks {}

/// A step of an image update.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DfuEvent<'a> {
    /// An upload began: its first chunk was accepted.
    Started {
        /// The image number (0 for the application).
        image: u8,
        /// The absolute slot written.
        slot: u8,
        /// The whole image's length, in bytes.
        size: u32,
        /// The SHA-256 the client announced (empty when it sent none).
        hash: &'a [u8],
    },
    /// A chunk was written.
    Chunk {
        /// The image number.
        image: u8,
        /// The absolute slot written.
        slot: u8,
        /// Where the chunk starts in the image.
        offset: u32,
        /// Its length, in bytes.
        len: u32,
    },
    /// The image is complete in its slot, or was marked to be tested at the
    /// next boot: it is pending.
    Pending {
        /// The image number.
        image: u8,
        /// The absolute slot holding it.
        slot: u8,
    },
    /// An image was confirmed: it stays after the next boot.
    Confirmed {
        /// The image number.
        image: u8,
        /// The absolute slot holding it.
        slot: u8,
    },
    /// An upload in progress ended without completing (an error, or the
    /// slot erased).
    Stopped {
        /// The image number.
        image: u8,
        /// The absolute slot it was written to.
        slot: u8,
    },
}

/// What the upload check sees of a new upload.
#[derive(Clone, Copy, Debug)]
pub struct UploadCheck<'a> {
    /// The image number.
    pub image: u8,
    /// The absolute slot it goes to.
    pub slot: u8,
    /// The whole image's length, in bytes.
    pub size: u32,
    /// The MCUboot header at the start of the first chunk (its `version`
    /// says which version the image is).
    pub header: &'a ImageHeader,
    /// The first chunk's data.
    pub data: &'a [u8],
}

/// A reset request, as the os group received it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResetRequest {
    /// The client asked to reset even if the device would rather not.
    pub force: bool,
    /// The boot mode asked for (Zephyr's retention boot mode), if any.
    pub boot_mode: Option<u8>,
}

/// When the reset happens, once the response has gone out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResetPlan {
    /// Milliseconds to wait beyond the platform's own delay.
    pub delay_ms: u32,
}

impl ResetPlan {
    /// No extra delay.
    pub const NOW: ResetPlan = ResetPlan { delay_ms: 0 };
}

/// What the fs group is about to do with a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FsAccess {
    /// Download (read) a file.
    Read,
    /// Upload (write) a file.
    Write,
    /// Ask a file's size.
    Status,
    /// Hash or checksum a file.
    Hash,
}

/// What the settings group is about to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SettingsAccess {
    /// Read a running value.
    Read,
    /// Write a running value.
    Write,
    /// Delete a stored value.
    Delete,
    /// Apply the running values.
    Commit,
    /// Load storage into the running values.
    Load,
    /// Save running values to storage.
    Save,
}

#[cfg(test)]
mod tests;
