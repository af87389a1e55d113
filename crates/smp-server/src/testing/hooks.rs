//! Hooks that record every call and answer as the test set them up.

use crate::error::Error;
use crate::hooks::{
    DfuEvent, FsAccess, Hooks, ResetPlan, ResetRequest, SettingsAccess, UploadCheck, FS_PATH_LEN,
};
use crate::mcuboot::ImageVersion;
use crate::request::Access;

/// A test's fs hook: may rewrite the path or refuse.
pub type FsRule = fn(FsAccess, &mut heapless::String<FS_PATH_LEN>) -> Result<(), Error>;

/// Hooks for the bench: each call is recorded; the answers are the fields'.
pub struct RecordingHooks {
    /// The access policy; everything allowed when `None`.
    pub policy: Option<fn(&Access) -> bool>,
    /// Every command received, in order.
    pub asked: Vec<Access>,
    /// Every command done, with its outcome.
    pub done: Vec<(Access, Result<(), Error>)>,
    /// Every update step, as its `Debug` text.
    pub dfu: Vec<String>,
    /// What the upload check answers.
    pub upload_refusal: Option<Error>,
    /// Every upload check: image, slot, size and the image's version.
    pub upload_checks: Vec<(u8, u8, u32, ImageVersion)>,
    /// What the reset hook answers.
    pub reset_answer: Result<ResetPlan, Error>,
    /// Every reset asked.
    pub resets: Vec<ResetRequest>,
    /// The os info letters of the application, with their text.
    pub os_letters: Vec<(char, &'static str)>,
    /// Rewrites or refuses fs paths; `None` leaves them.
    pub fs_rule: Option<FsRule>,
    /// Every fs access, with the path as the group gave it.
    pub fs_seen: Vec<(FsAccess, String)>,
    /// Keys under this prefix are refused with this error.
    pub settings_refusal: Option<(&'static str, Error)>,
    /// Every settings access.
    pub settings_seen: Vec<(SettingsAccess, Option<String>)>,
}

impl Default for RecordingHooks {
    fn default() -> Self {
        RecordingHooks {
            policy: None,
            asked: Vec::new(),
            done: Vec::new(),
            dfu: Vec::new(),
            upload_refusal: None,
            upload_checks: Vec::new(),
            reset_answer: Ok(ResetPlan::NOW),
            resets: Vec::new(),
            os_letters: Vec::new(),
            fs_rule: None,
            fs_seen: Vec::new(),
            settings_refusal: None,
            settings_seen: Vec::new(),
        }
    }
}

impl Hooks for RecordingHooks {
    fn command_received(&mut self, access: &Access) -> Result<(), Error> {
        self.asked.push(*access);
        match self.policy {
            Some(allowed) if !allowed(access) => Err(crate::MgmtErr::AccessDenied.into()),
            _ => Ok(()),
        }
    }

    fn command_done(&mut self, access: &Access, result: Result<(), Error>) {
        self.done.push((*access, result));
    }

    fn dfu(&mut self, event: &DfuEvent<'_>) {
        self.dfu.push(format!("{event:?}"));
    }

    fn upload_check(&mut self, check: &UploadCheck<'_>) -> Result<(), Error> {
        self.upload_checks
            .push((check.image, check.slot, check.size, check.header.version));
        self.upload_refusal.map_or(Ok(()), Err)
    }

    fn reset(&mut self, request: &ResetRequest) -> Result<ResetPlan, Error> {
        self.resets.push(*request);
        self.reset_answer
    }

    fn os_info(&mut self, letter: char) -> Option<&str> {
        self.os_letters
            .iter()
            .find(|(l, _)| *l == letter)
            .map(|(_, text)| *text)
    }

    fn fs_access(
        &mut self,
        access: FsAccess,
        path: &mut heapless::String<FS_PATH_LEN>,
    ) -> Result<(), Error> {
        self.fs_seen.push((access, path.as_str().into()));
        self.fs_rule.map_or(Ok(()), |rule| rule(access, path))
    }

    fn settings_access(&mut self, access: SettingsAccess, key: Option<&str>) -> Result<(), Error> {
        self.settings_seen.push((access, key.map(Into::into)));
        match (self.settings_refusal, key) {
            (Some((prefix, error)), Some(key)) if key.starts_with(prefix) => Err(error),
            _ => Ok(()),
        }
    }
}
