//! The upload in progress, which the image group keeps between requests.

use crate::mcuboot::HASH_LEN;

/// The largest flash write granularity an upload can stream to.
pub const TAIL_MAX: usize = 128;

/// The upload in progress, kept between requests (reset on completion, on
/// any error and by image erase).
#[derive(Default)]
pub struct UploadState {
    pub(super) current: Option<Upload>,
}

impl UploadState {
    /// Forgets the upload in progress.
    pub fn reset(&mut self) {
        self.current = None;
    }

    /// `(absolute slot, bytes accepted, image length)` of the upload in progress.
    pub fn progress(&self) -> Option<(u8, u32, u32)> {
        self.current.as_ref().map(|u| (u.slot, u.off, u.len))
    }
}

pub(super) struct Upload {
    pub(super) slot: u8,
    /// Where the image starts in the slot: `off` and `tail` count from
    /// there, `erased_to` from the slot's start.
    pub(super) base: u32,
    /// Total image length (`len` of the first chunk).
    pub(super) len: u32,
    /// Bytes accepted: the next expected `off`.
    pub(super) off: u32,
    /// The client's `sha` (up to 32 bytes), for resume and `match`.
    pub(super) sha: heapless::Vec<u8, HASH_LEN>,
    /// Accepted bytes not yet written: `[off - tail.len(), off)`.
    pub(super) tail: heapless::Vec<u8, TAIL_MAX>,
    /// Sectors below this offset are erased or written by this upload.
    pub(super) erased_to: u32,
}
