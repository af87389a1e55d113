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
    serial: LinkCounters,
    raw_uart: LinkCounters,
    ble: LinkCounters,
    udp: LinkCounters,
    shell: LinkCounters,
    /// Bytes moved by transfers, all transports together ([`TRANSFER_GROUP`]).
    pub transfer: TransferCounters,
}

pub(super) fn link_index(transport: Transport) -> usize {
    match transport {
        Transport::Serial => 0,
        Transport::RawUart => 1,
        Transport::Ble => 2,
        Transport::Udp => 3,
        Transport::Shell => 4,
    }
}

impl ServerStats {
    /// Counts the server's traffic and transfers.
    pub fn on_event(&mut self, event: Event) {
        match event {
            Event::Received { transport, bytes } => {
                self.link_mut(transport).rx_bytes += bytes as u64;
            }
            Event::Packet { transport } => self.link_mut(transport).rx_pkts += 1,
            Event::Responded {
                transport,
                sent,
                error,
            } => {
                let link = self.link_mut(transport);
                link.err_rsps += u64::from(error);
                match sent {
                    Some(n) => {
                        link.tx_pkts += 1;
                        link.tx_bytes += n as u64;
                    }
                    None => link.no_rsps += 1,
                }
            }
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

    /// The counters of `transport`'s traffic group ([`link_group_name`]).
    pub fn link(&self, transport: Transport) -> &LinkCounters {
        match transport {
            Transport::Serial => &self.serial,
            Transport::RawUart => &self.raw_uart,
            Transport::Ble => &self.ble,
            Transport::Udp => &self.udp,
            Transport::Shell => &self.shell,
        }
    }

    /// The counters of `transport`, to count into.
    pub fn link_mut(&mut self, transport: Transport) -> &mut LinkCounters {
        match transport {
            Transport::Serial => &mut self.serial,
            Transport::RawUart => &mut self.raw_uart,
            Transport::Ble => &mut self.ble,
            Transport::Udp => &mut self.udp,
            Transport::Shell => &mut self.shell,
        }
    }
}
