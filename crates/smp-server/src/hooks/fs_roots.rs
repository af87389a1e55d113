//! File system roots: the fs group confined to a few directories, the use
//! Zephyr's documentation gives its `FS_MGMT_FILE_ACCESS` hook for.
//!
//! The roots are one string, comma-separated absolute paths
//! (`"/lfs/pub,/lfs/log"`, the form of the Zephyr option
//! `RUST_SMP_GRP_FS_ROOTS` and of `smp-sim --fs-roots`). A path is inside a
//! root when it is the root or continues it with `/`: `/lfs/pub` admits
//! `/lfs/pub/a` but not `/lfs/public`. The comparison is byte for byte, so
//! on a case-insensitive file system (FAT) the roots must be written as
//! clients will spell them. A list with no root in it confines nothing.
//!
//! The check sees the path after the application's own fs hook has
//! rewritten it. [`within_roots`] applies the core's path rules itself
//! ([`path_is_valid`]), so no `..` component leads out of a root; [`FsRoots`]
//! leaves a path those rules refuse to the fs group, which checks every
//! path after the hooks and answers it err {8, 2} as it would unconfined. A
//! path outside every root is refused with rc 11 (`EACCESSDENIED`), as
//! Zephyr's hook example answers.

use super::{
    DfuEvent, FsAccess, Hooks, ResetPlan, ResetRequest, SettingsAccess, UploadCheck, FS_PATH_LEN,
};
use crate::error::{Error, MgmtErr};
use crate::groups::fs::platform::path_is_valid;
use crate::request::Access;

/// Whether `path` lies inside one of the comma-separated `roots` (always,
/// when `roots` names none).
pub fn within_roots(roots: &str, path: &str) -> bool {
    let mut named = roots_of(roots).peekable();
    if named.peek().is_none() {
        return true;
    }
    path_is_valid(path) && named.any(|root| within(root, path))
}

/// The roots a list names: entries trimmed, empty ones skipped, a trailing
/// `/` dropped (so `/` itself becomes the empty prefix that admits all).
fn roots_of(roots: &str) -> impl Iterator<Item = &str> {
    roots
        .split(',')
        .map(str::trim)
        .filter(|root| !root.is_empty())
        .map(|root| root.trim_end_matches('/'))
}

fn within(root: &str, path: &str) -> bool {
    match path.strip_prefix(root) {
        Some(rest) => rest.is_empty() || rest.starts_with('/'),
        None => false,
    }
}

/// An application's hooks with the fs group confined to `roots`: every
/// event goes to `inner` unchanged, and a file access `inner` allowed is
/// then refused if its (possibly rewritten) path is outside the roots.
pub struct FsRoots<'a> {
    roots: &'a str,
    inner: &'a mut dyn Hooks,
}

impl<'a> FsRoots<'a> {
    /// `inner` confined to the comma-separated `roots`.
    pub fn new(roots: &'a str, inner: &'a mut dyn Hooks) -> Self {
        FsRoots { roots, inner }
    }
}

impl Hooks for FsRoots<'_> {
    fn command_received(&mut self, access: &Access) -> Result<(), Error> {
        self.inner.command_received(access)
    }

    fn command_done(&mut self, access: &Access, result: Result<(), Error>) {
        self.inner.command_done(access, result)
    }

    fn dfu(&mut self, event: &DfuEvent<'_>) {
        self.inner.dfu(event)
    }

    fn upload_check(&mut self, check: &UploadCheck<'_>) -> Result<(), Error> {
        self.inner.upload_check(check)
    }

    fn reset(&mut self, request: &ResetRequest) -> Result<ResetPlan, Error> {
        self.inner.reset(request)
    }

    fn os_info(&mut self, letter: char) -> Option<&str> {
        self.inner.os_info(letter)
    }

    fn fs_access(
        &mut self,
        access: FsAccess,
        path: &mut heapless::String<FS_PATH_LEN>,
    ) -> Result<(), Error> {
        self.inner.fs_access(access, path)?;
        if !path_is_valid(path) || within_roots(self.roots, path) {
            Ok(())
        } else {
            Err(MgmtErr::AccessDenied.into())
        }
    }

    fn settings_access(&mut self, access: SettingsAccess, key: Option<&str>) -> Result<(), Error> {
        self.inner.settings_access(access, key)
    }
}
