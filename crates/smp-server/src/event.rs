//! What happens in the server that more than one part of it cares about.
//!
//! A group never reaches into another group's state: it tells the server what
//! happened ([`Ctx::notify`](crate::dispatch::Ctx::notify)), and the composed
//! state ([`groups::State`](crate::groups::State)) hands the event to every
//! group that follows it. The server reports its own traffic the same way.

use crate::request::Transport;

/// One thing that happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// A buffer of `bytes` bytes reached the server on `transport`.
    Received {
        /// The link.
        transport: Transport,
        /// Bytes handed to the server, headers and payloads.
        bytes: usize,
    },
    /// A packet header was parsed (a truncated packet included).
    Packet {
        /// The link.
        transport: Transport,
    },
    /// A request was handled: its response of `sent` bytes went out, or none
    /// when not even an error answer fitted the buffer.
    Responded {
        /// The link.
        transport: Transport,
        /// The response's length, header included; `None`: no response.
        sent: Option<usize>,
        /// Whether the request failed (`rc` or `err`).
        error: bool,
    },
    /// Payload bytes a transfer accepted or sent.
    Transferred {
        /// Which transfer.
        kind: TransferKind,
        /// How many bytes.
        bytes: u64,
    },
    /// The storage partition (settings, file systems) is about to be erased.
    StorageErasing,
}

/// The transfers whose bytes are counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransferKind {
    /// File bytes written by fs upload.
    FsUpload,
    /// File bytes sent by fs download.
    FsDownload,
    /// Image bytes written by image upload.
    ImageUpload,
}
