//! The management groups, one folder each, and the state the server keeps for
//! them.
//!
//! A group is `groups/<name>/`: `mod.rs` holds its command ids, its table
//! (`GROUP`) and its handlers; `platform.rs` what it asks of the device (its
//! platform trait, the types that trait exchanges, the group's errors);
//! `state.rs`, for the groups that keep something between requests, that
//! state; `tests.rs` its unit tests. Neither `platform.rs` nor `state.rs`
//! imports the dispatcher, so the server can compose them here and in
//! [`crate::platform`] without an import circle.

pub mod enumeration;
pub mod fs;
pub mod image;
pub mod memfault;
pub mod os;
pub mod settings;
pub mod shell;
pub mod stat;
pub mod zephyr_basic;

use crate::event::Event;
use crate::platform::Platform;

/// What the groups keep between requests (an upload in progress, an open
/// file, the counters). One processing context owns it, so it needs no locks.
#[derive(Default)]
pub struct State {
    /// The image upload in progress, if any.
    pub image: image::state::UploadState,
    /// The server's own counters, published by the statistics group.
    pub stat: stat::state::ServerStats,
    /// The file transfer in progress, if any.
    pub fs: fs::state::FsState,
}

impl State {
    /// Hands `event` to every group that follows it.
    pub fn on_event(&mut self, platform: &mut dyn Platform, event: Event) {
        self.stat.on_event(event);
        self.fs.on_event(platform.fs(), event);
    }
}

#[cfg(test)]
mod tests;
