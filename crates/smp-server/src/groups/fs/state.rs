//! The transfer in progress, which the file system group keeps between requests.

use super::platform::{FsPlatform, IDLE_CLOSE_MS, PATH_LEN};
use crate::error::{Error, MgmtErr};
use crate::event::Event;
use crate::request::Transport;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Direction {
    Upload,
    Download,
}

#[derive(Debug)]
pub(super) struct Transfer {
    pub(super) transport: Transport,
    pub(super) path: heapless::String<PATH_LEN>,
    pub(super) direction: Direction,
    /// Next offset: bytes written (upload) or read up to (download).
    pub(super) off: u64,
    /// The file size (download) or the size announced at offset 0 (upload).
    pub(super) len: Option<u64>,
    pub(super) last_ms: u64,
}

/// The transfer in progress; part of the server's [`State`](crate::groups::State).
#[derive(Debug, Default)]
pub struct FsState {
    pub(super) open: Option<Transfer>,
}

impl FsState {
    /// Follows the server's events: storage erase takes the transfer file
    /// away, so the transfer closes first.
    pub fn on_event(&mut self, fs: Option<&mut dyn FsPlatform>, event: Event) {
        if let (Event::StorageErasing, Some(fs)) = (event, fs) {
            self.close(fs);
        }
    }

    /// Whether a transfer is open.
    pub fn is_open(&self) -> bool {
        self.open.is_some()
    }

    /// Closes the transfer, if any, and the platform's transfer file.
    pub fn close(&mut self, fs: &mut dyn FsPlatform) {
        if self.open.take().is_some() {
            fs.close();
        }
    }

    /// Closes an idle transfer, then refuses a transfer request from another
    /// transport or for another path while one is open (rc 10).
    pub(super) fn claim(
        &mut self,
        fs: &mut dyn FsPlatform,
        transport: Transport,
        path: &str,
        now: u64,
    ) -> Result<(), Error> {
        if let Some(t) = &self.open {
            if now.saturating_sub(t.last_ms) >= IDLE_CLOSE_MS {
                self.close(fs);
            }
        }
        match &self.open {
            Some(t) if t.transport != transport || t.path != path => Err(MgmtErr::Busy.into()),
            _ => Ok(()),
        }
    }

    /// The transfer of the caller in `direction`: the open one, or a new one
    /// opened by `open` (a transfer in the other direction is closed first).
    /// `true` when it was just opened.
    pub(super) fn begin(
        &mut self,
        fs: &mut dyn FsPlatform,
        transport: Transport,
        path: &str,
        direction: Direction,
        now: u64,
        open: impl FnOnce(&mut dyn FsPlatform) -> Result<Option<u64>, Error>,
    ) -> Result<(&mut Transfer, bool), Error> {
        if self.open.as_ref().is_some_and(|t| t.direction != direction) {
            self.close(fs);
        }
        let fresh = self.open.is_none();
        if fresh {
            let len = open(fs)?;
            let mut owned = heapless::String::new();
            // Cannot fail: the name was checked to be at most PATH_LEN bytes.
            owned.push_str(path).map_err(|_| MgmtErr::Inval)?;
            self.open = Some(Transfer {
                transport,
                path: owned,
                direction,
                off: 0,
                len,
                last_ms: now,
            });
        }
        match self.open.as_mut() {
            Some(t) => {
                t.last_ms = now;
                Ok((t, fresh))
            }
            None => Err(MgmtErr::Unknown.into()),
        }
    }

    /// Closes the transfer once all of it has moved.
    pub(super) fn finish_check(&mut self, fs: &mut dyn FsPlatform) {
        if self
            .open
            .as_ref()
            .is_some_and(|t| t.len.is_some_and(|len| t.off >= len))
        {
            self.close(fs);
        }
    }
}
