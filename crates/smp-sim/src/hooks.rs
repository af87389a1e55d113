//! The virtual device's hooks (the application side of the core's hook API):
//! the access policy of `--read-only`, and with `--example-hooks` one use of
//! every other hook, so that tests reach each of them through real clients.
//!
//! With `--example-hooks`:
//! - every command done and every update step is logged (`hook: ...`);
//! - an upload of an image whose major version is 99 is refused (err {1, 22}:
//!   "not an image for this device");
//! - a reset without `force` while an upload is unfinished is refused with
//!   rc 6 (`EBADSTATE`), so that a flash write is never cut; every other
//!   reset waits 100 ms longer;
//! - os info answers the letter `x` with `example-hooks`;
//! - fs refuses everything under `/lfs/private/` (rc 11) and serves
//!   `/alias/NAME` from `/lfs/NAME`;
//! - settings refuses every key under `secret/` (rc 11).

use log::info;
use smp_server::groups::image::ImageMgmtError;
use smp_server::hooks::{
    DfuEvent, FsAccess, ResetPlan, ResetRequest, SettingsAccess, UploadCheck, FS_PATH_LEN,
};
use smp_server::platform::Access;
use smp_server::{Error, GroupId, Hooks, MgmtErr, Op};

/// The major version `--example-hooks` refuses to upload.
pub const REFUSED_MAJOR: u8 = 99;
/// What `--example-hooks` adds to every reset's delay.
pub const EXTRA_RESET_DELAY_MS: u32 = 100;

/// The hooks the smp thread hands to the server.
pub struct SimHooks {
    /// Refuse every write request except os echo (rc 11).
    pub read_only: bool,
    /// The example use of every hook (see the module's doc).
    pub example: bool,
    /// An upload started and neither completed nor stopped (as the update
    /// steps told).
    pub uploading: bool,
}

impl SimHooks {
    /// Hooks for a device started with these options.
    pub fn new(read_only: bool, example: bool) -> Self {
        SimHooks {
            read_only,
            example,
            uploading: false,
        }
    }
}

impl Hooks for SimHooks {
    fn command_received(&mut self, access: &Access) -> Result<(), Error> {
        let echo = access.group == GroupId::OS && access.id == 0;
        if self.read_only && access.op == Op::Write && !echo {
            return Err(MgmtErr::AccessDenied.into());
        }
        Ok(())
    }

    fn command_done(&mut self, access: &Access, result: Result<(), Error>) {
        if self.example {
            info!(
                "hook: command done: group {} id {} {:?} over {:?}: {}",
                access.group.0,
                access.id,
                access.op,
                access.transport,
                if result.is_ok() { "ok" } else { "error" }
            );
        }
    }

    fn dfu(&mut self, event: &DfuEvent<'_>) {
        match event {
            DfuEvent::Started { .. } => self.uploading = true,
            DfuEvent::Pending { .. } | DfuEvent::Stopped { .. } => self.uploading = false,
            DfuEvent::Chunk { .. } | DfuEvent::Confirmed { .. } => {}
        }
        if self.example {
            match event {
                DfuEvent::Started {
                    image, slot, size, ..
                } => info!("hook: dfu started: image {image} slot {slot} size {size}"),
                DfuEvent::Chunk {
                    slot, offset, len, ..
                } => info!("hook: dfu chunk: slot {slot} offset {offset} len {len}"),
                DfuEvent::Pending { image, slot } => {
                    info!("hook: dfu pending: image {image} slot {slot}")
                }
                DfuEvent::Confirmed { image, slot } => {
                    info!("hook: dfu confirmed: image {image} slot {slot}")
                }
                DfuEvent::Stopped { image, slot } => {
                    info!("hook: dfu stopped: image {image} slot {slot}")
                }
            }
        }
    }

    fn upload_check(&mut self, check: &UploadCheck<'_>) -> Result<(), Error> {
        if self.example && check.header.version.major == REFUSED_MAJOR {
            info!(
                "hook: upload of version {} refused",
                check.header.version.major
            );
            return Err(ImageMgmtError::InvalidImageHeader.into());
        }
        Ok(())
    }

    fn reset(&mut self, request: &ResetRequest) -> Result<ResetPlan, Error> {
        if !self.example {
            return Ok(ResetPlan::NOW);
        }
        if self.uploading && !request.force {
            info!("hook: reset refused: an upload is unfinished");
            return Err(MgmtErr::BadState.into());
        }
        info!("hook: reset delayed by {EXTRA_RESET_DELAY_MS} ms");
        Ok(ResetPlan {
            delay_ms: EXTRA_RESET_DELAY_MS,
        })
    }

    fn os_info(&mut self, letter: char) -> Option<&str> {
        (self.example && letter == 'x').then_some("example-hooks")
    }

    fn fs_access(
        &mut self,
        access: FsAccess,
        path: &mut heapless::String<FS_PATH_LEN>,
    ) -> Result<(), Error> {
        if !self.example {
            return Ok(());
        }
        if path.starts_with("/lfs/private/") {
            info!("hook: fs {access:?} of {path} refused");
            return Err(MgmtErr::AccessDenied.into());
        }
        if let Some(rest) = path.strip_prefix("/alias/") {
            let mut real = heapless::String::new();
            real.push_str("/lfs/")
                .and_then(|()| real.push_str(rest))
                .map_err(|_| MgmtErr::Inval)?;
            *path = real;
        }
        Ok(())
    }

    fn settings_access(&mut self, access: SettingsAccess, key: Option<&str>) -> Result<(), Error> {
        match key {
            Some(key) if self.example && key.starts_with("secret/") => {
                info!("hook: settings {access:?} of {key} refused");
                Err(MgmtErr::AccessDenied.into())
            }
            _ => Ok(()),
        }
    }
}
