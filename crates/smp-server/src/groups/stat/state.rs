//! The server's own counters, which the statistics group publishes.

use crate::event::{Event, TransferKind};
use crate::request::Transport;

crate::stat_counters! {
    /// Traffic of one transport, counted by [`Server::process`](crate::Server::process).
    pub struct LinkCounters {
        /// SMP packets received (headers parsed, truncated ones included).
        rx_pkts,
        /// Bytes handed to the server (headers and payloads).
        rx_bytes,
        /// Response packets sent.
        tx_pkts,
        /// Response bytes sent.
        tx_bytes,
        /// Responses that carried an error (`rc` or `err`).
        err_rsps,
        /// Requests left unanswered because not even an error fitted the buffer.
        no_rsps,
    }
}

crate::stat_counters! {
    /// Payload bytes moved by transfers.
    pub struct TransferCounters {
        /// File bytes written by fs upload.
        fs_upload_bytes,
        /// File bytes sent by fs download.
        fs_download_bytes,
        /// Image bytes written by image upload (chunks dropped as stale or
        /// duplicate not counted).
        img_upload_bytes,
    }
}

/// Every transport the server knows, in the order their groups are listed
/// when the platform does not say which it has.
pub const ALL_TRANSPORTS: [Transport; 5] = [
    Transport::Serial,
    Transport::RawUart,
    Transport::Ble,
    Transport::Udp,
    Transport::Shell,
];

/// Name of the transfer counters group.
pub const TRANSFER_GROUP: &str = "smp_transfer";

/// Name of the traffic group of a transport.
pub fn link_group_name(transport: Transport) -> &'static str {
    match transport {
        Transport::Serial => "smp_serial",
        Transport::RawUart => "smp_raw_uart",
        Transport::Ble => "smp_ble",
        Transport::Udp => "smp_udp",
        Transport::Shell => "smp_shell",
    }
}

/// The server's own counters.
#[derive(Clone, Debug, Default)]
pub struct ServerStats {
    /// Each transport's traffic, by [`link_index`].
    links: [LinkCounters; ALL_TRANSPORTS.len()],
    /// Bytes moved by transfers, all transports together ([`TRANSFER_GROUP`]).
    pub transfer: TransferCounters,
}

/// Where `transport` is in [`ALL_TRANSPORTS`].
pub(super) fn link_index(transport: Transport) -> usize {
    // The enum's declaration order is ALL_TRANSPORTS' (a test checks it).
    transport as usize
}

impl ServerStats {
    /// Counts the server's traffic and transfers.
    pub fn on_event(&mut self, event: Event) {
        match event {
            Event::Received { transport, bytes } => {
                self.count(transport, |link| link.rx_bytes += bytes as u64);
            }
            Event::Packet { transport } => self.count(transport, |link| link.rx_pkts += 1),
            Event::Responded {
                transport,
                sent,
                error,
            } => self.count(transport, |link| {
                link.err_rsps += u64::from(error);
                match sent {
                    Some(n) => {
                        link.tx_pkts += 1;
                        link.tx_bytes += n as u64;
                    }
                    None => link.no_rsps += 1,
                }
            }),
            Event::Transferred { kind, bytes } => {
                let counter = match kind {
                    TransferKind::FsUpload => &mut self.transfer.fs_upload_bytes,
                    TransferKind::FsDownload => &mut self.transfer.fs_download_bytes,
                    TransferKind::ImageUpload => &mut self.transfer.img_upload_bytes,
                };
                *counter += bytes;
            }
            Event::StorageErasing => {}
        }
    }

    /// Counts into `transport`'s traffic counters.
    fn count(&mut self, transport: Transport, add: impl FnOnce(&mut LinkCounters)) {
        // Always there: one entry per transport.
        if let Some(link) = self.links.get_mut(link_index(transport)) {
            add(link);
        }
    }

    /// The counters of `transport`'s traffic group ([`link_group_name`]).
    pub fn link(&self, transport: Transport) -> &LinkCounters {
        // Always there: one entry per transport.
        self.links
            .get(link_index(transport))
            .unwrap_or(&LinkCounters::ZERO)
    }
}
