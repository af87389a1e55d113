//! The SMP GATT characteristic (protocol.md §3.2).
//!
//! Requests arrive as ATT Write Commands with no framing of their own: a
//! request longer than `ATT_MTU − 3` is split across several writes, and the
//! server reassembles it using the length in the SMP header of the first
//! write (Zephyr `smp_reassembly.c`, `MCUMGR_TRANSPORT_BT_REASSEMBLY`).
//! Responses go out as notifications of at most `ATT_MTU − 3` bytes.

use crate::header::Header;
use crate::netbuf::NetBuf;

/// Service UUID `8D53DC1D-1DB7-4CD3-868B-8A527460AA84`, most significant byte first.
pub const SERVICE_UUID: [u8; 16] = [
    0x8D, 0x53, 0xDC, 0x1D, 0x1D, 0xB7, 0x4C, 0xD3, 0x86, 0x8B, 0x8A, 0x52, 0x74, 0x60, 0xAA, 0x84,
];

/// Characteristic UUID `DA2E7828-FBCE-4E01-AE9E-261174997C48`, most significant byte first.
pub const CHARACTERISTIC_UUID: [u8; 16] = [
    0xDA, 0x2E, 0x78, 0x28, 0xFB, 0xCE, 0x4E, 0x01, 0xAE, 0x9E, 0x26, 0x11, 0x74, 0x99, 0x7C, 0x48,
];

/// ATT overhead of a notification (opcode and handle).
pub const NOTIFY_OVERHEAD: usize = 3;

/// Smallest notification payload used, whatever the MTU (Zephyr
/// `SMP_BT_MINIMUM_MTU_SEND_FAILURE`; 23 − 3, the default ATT MTU).
pub const MIN_NOTIFICATION: usize = 20;

/// The ATT error a rejected write is answered with.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub enum AttError {
    /// 0x13: malformed fragment; the partial packet is dropped.
    ValueNotAllowed,
    /// 0x11: no buffer to receive into (for the transport to report when its
    /// pool is empty; the reassembler itself never returns it).
    InsufficientResources,
}

impl AttError {
    /// The ATT error code the write is answered with.
    pub fn code(self) -> u8 {
        match self {
            AttError::ValueNotAllowed => 0x13,
            AttError::InsufficientResources => 0x11,
        }
    }
}

/// Reassembles one SMP packet from consecutive GATT writes.
#[derive(Clone, Debug, Default)]
pub struct Reassembler {
    /// Length of the packet being collected; 0 when none is started.
    expected: usize,
}

impl Reassembler {
    /// Waiting for the first write of a packet.
    pub const fn new() -> Self {
        Reassembler { expected: 0 }
    }

    /// True while part of a packet has been collected.
    pub fn in_progress(&self) -> bool {
        self.expected != 0
    }

    /// One GATT write.
    ///
    /// `Ok(true)` when `buf` holds a complete packet (expected length = header
    /// `len` + 8, from the first fragment); the caller then takes the buffer
    /// away and passes a fresh one next time. `Ok(false)` when more writes are
    /// needed. `Err` drops the partial packet and clears `buf`: first fragment
    /// shorter than 8 bytes, announced packet larger than `buf`'s capacity, or
    /// a write running past the expected length.
    pub fn push(&mut self, write: &[u8], buf: &mut NetBuf<'_>) -> Result<bool, AttError> {
        if self.expected == 0 {
            buf.clear();
            let header = Header::parse(write).ok_or(AttError::ValueNotAllowed)?;
            if header.packet_len() > buf.capacity() {
                return Err(AttError::ValueNotAllowed);
            }
            self.expected = header.packet_len();
        }
        // A write (at most an ATT MTU) past the packet's length is refused.
        if buf.len().saturating_add(write.len()) > self.expected
            || buf.extend_from_slice(write).is_err()
        {
            self.expected = 0;
            buf.clear();
            return Err(AttError::ValueNotAllowed);
        }
        if buf.len() == self.expected {
            self.expected = 0;
            return Ok(true);
        }
        Ok(false)
    }

    /// Drops any partial packet (disconnect, or notifications disabled). The
    /// caller should clear or release the buffer it was filling.
    pub fn reset(&mut self) {
        self.expected = 0;
    }
}

/// Notification payload size for an ATT MTU: MTU − 3, at least 20.
pub fn notification_size(att_mtu: usize) -> usize {
    att_mtu
        .saturating_sub(NOTIFY_OVERHEAD)
        .max(MIN_NOTIFICATION)
}

/// Splits a response packet into notifications of at most `att_mtu` − 3
/// bytes (minimum 20-byte chunks). An empty packet gives no notification.
pub fn notifications(packet: &[u8], att_mtu: usize) -> core::slice::Chunks<'_, u8> {
    packet.chunks(notification_size(att_mtu))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec;
    use std::vec::Vec;

    /// Zephyr smp_reassembly TEST_FRAME_SIZE.
    const FRAME: usize = 256;

    /// A 256-byte packet like Zephyr's test: bytes `(i % 255) + 1` with a
    /// header announcing 248 payload bytes.
    fn frame() -> Vec<u8> {
        let mut p: Vec<u8> = (0..FRAME).map(|i| (i % 255) as u8 + 1).collect();
        p[2..4].copy_from_slice(&((FRAME - 8) as u16).to_be_bytes());
        p
    }

    #[test]
    fn att_error_codes() {
        assert_eq!(AttError::ValueNotAllowed.code(), 0x13);
        assert_eq!(AttError::InsufficientResources.code(), 0x11);
    }

    #[test]
    fn single_write_packet_completes() {
        let req = [0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0xFF, 0x06, 0xA0];
        let mut storage = [0u8; 64];
        let mut buf = NetBuf::new(&mut storage);
        assert_eq!(Reassembler::new().push(&req, &mut buf), Ok(true));
        assert_eq!(buf.bytes(), req);
    }

    #[test]
    fn frame_in_40_byte_fragments_reassembles_byte_exact() {
        let packet = frame();
        let mut storage = [0u8; 512];
        let mut buf = NetBuf::new(&mut storage);
        let mut r = Reassembler::new();
        let chunks: Vec<&[u8]> = packet.chunks(40).collect();
        for chunk in &chunks[..chunks.len() - 1] {
            assert_eq!(r.push(chunk, &mut buf), Ok(false));
            assert!(r.in_progress());
        }
        assert_eq!(r.push(chunks[chunks.len() - 1], &mut buf), Ok(true));
        assert!(!r.in_progress());
        assert_eq!(buf.bytes(), &packet[..]);
    }

    #[test]
    fn first_fragment_shorter_than_header_is_rejected() {
        let mut storage = [0u8; 512];
        let mut buf = NetBuf::new(&mut storage);
        let mut r = Reassembler::new();
        assert_eq!(
            r.push(&frame()[..7], &mut buf),
            Err(AttError::ValueNotAllowed)
        );
        assert!(!r.in_progress());
        assert!(buf.is_empty());
    }

    #[test]
    fn announced_length_larger_than_buffer_is_rejected() {
        // Header says 512 - 8 + 1 payload bytes: one more than a 512-byte buffer holds.
        let mut storage = [0u8; 512];
        let mut buf = NetBuf::new(&mut storage);
        let header = [0x02, 0x00, 0x01, 0xF9, 0x00, 0x00, 0x00, 0x00, 0xAA];
        let mut r = Reassembler::new();
        assert_eq!(r.push(&header, &mut buf), Err(AttError::ValueNotAllowed));
        assert!(!r.in_progress());
    }

    #[test]
    fn write_longer_than_buffer_is_rejected() {
        // Zephyr: a first write of NETBUF_SIZE + 1 bytes.
        let mut storage = [0u8; 64];
        let mut buf = NetBuf::new(&mut storage);
        let write = [0u8; 65];
        assert_eq!(
            Reassembler::new().push(&write, &mut buf),
            Err(AttError::ValueNotAllowed)
        );
    }

    #[test]
    fn packet_exactly_buffer_size_is_accepted() {
        let mut storage = [0u8; FRAME];
        let mut buf = NetBuf::new(&mut storage);
        let packet = frame();
        let mut r = Reassembler::new();
        assert_eq!(r.push(&packet[..100], &mut buf), Ok(false));
        assert_eq!(r.push(&packet[100..], &mut buf), Ok(true));
        assert_eq!(buf.bytes(), &packet[..]);
    }

    #[test]
    fn overflow_past_expected_length_drops_partial_packet() {
        let packet = frame();
        let mut storage = [0u8; 512];
        let mut buf = NetBuf::new(&mut storage);
        let mut r = Reassembler::new();
        assert_eq!(r.push(&packet[..40], &mut buf), Ok(false));
        // The rest plus one extra byte.
        let mut rest = packet[40..].to_vec();
        rest.push(0xFF);
        assert_eq!(r.push(&rest, &mut buf), Err(AttError::ValueNotAllowed));
        assert!(!r.in_progress());
        assert!(buf.is_empty());
        // The next packet starts afresh.
        assert_eq!(r.push(&packet, &mut buf), Ok(true));
        assert_eq!(buf.bytes(), &packet[..]);
    }

    #[test]
    fn reset_drops_partial_packet() {
        let packet = frame();
        let mut storage = [0u8; 512];
        let mut buf = NetBuf::new(&mut storage);
        let mut r = Reassembler::new();
        assert_eq!(r.push(&packet[..40], &mut buf), Ok(false));
        r.reset();
        assert!(!r.in_progress());
        // What would have been the second fragment is now taken as a first
        // one: its "header" announces 0x2B2C payload bytes, more than the buffer.
        assert_eq!(
            r.push(&packet[40..80], &mut buf),
            Err(AttError::ValueNotAllowed)
        );
        assert_eq!(r.push(&packet, &mut buf), Ok(true));
        assert_eq!(buf.bytes(), &packet[..]);
    }

    #[test]
    fn empty_write_mid_packet_changes_nothing() {
        let packet = frame();
        let mut storage = [0u8; 512];
        let mut buf = NetBuf::new(&mut storage);
        let mut r = Reassembler::new();
        assert_eq!(r.push(&packet[..40], &mut buf), Ok(false));
        assert_eq!(r.push(&[], &mut buf), Ok(false));
        assert_eq!(r.push(&packet[40..], &mut buf), Ok(true));
        assert_eq!(buf.bytes(), &packet[..]);
    }

    #[test]
    fn notifications_are_mtu_minus_3() {
        let packet: Vec<u8> = (0..=255u8).collect();
        let chunks: Vec<&[u8]> = notifications(&packet, 100).collect();
        assert_eq!(
            chunks.iter().map(|c| c.len()).collect::<Vec<_>>(),
            vec![97, 97, 62]
        );
        assert_eq!(chunks.concat(), packet);
    }

    #[test]
    fn notifications_never_smaller_than_20_bytes() {
        let packet = vec![0x5A; 45];
        let sizes: Vec<usize> = notifications(&packet, 10).map(<[u8]>::len).collect();
        assert_eq!(sizes, vec![20, 20, 5]);
        assert_eq!(notification_size(0), 20);
        assert_eq!(notification_size(23), 20);
        assert_eq!(notification_size(498), 495);
    }

    #[test]
    fn packet_fitting_one_notification_is_sent_whole() {
        let packet = [0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00];
        let chunks: Vec<&[u8]> = notifications(&packet, 23).collect();
        assert_eq!(chunks, vec![&packet[..]]);
    }

    #[test]
    fn empty_packet_gives_no_notification() {
        assert_eq!(notifications(&[], 247).count(), 0);
    }
}
