//! Raw UART framing (Zephyr 4.4 `MCUMGR_TRANSPORT_RAW_UART`): bare SMP
//! packets, 8-byte header then `len` payload bytes, with no base64, markers or
//! CRC. Packets are delimited only by the length in their header.
//!
//! Like Zephyr (`mcumgr_serial_process_frag` with a raw receive context), a
//! header that cannot start a packet (op field 4..=7, or a packet larger than
//! the buffer) is dropped as soon as its 8 bytes are in, and the next byte is
//! taken as the start of a new header. A partial packet followed by a silence
//! of at least the input timeout is discarded, so a stalled or truncated
//! transfer cannot wedge the receiver.

use crate::header::HEADER_LEN;
use crate::netbuf::NetBuf;

/// Reassembles raw SMP packets from received bytes, one byte at a time.
#[derive(Clone, Debug)]
pub struct RawDecoder {
    timeout_ms: u64,
    /// When the previous byte arrived.
    last_ms: u64,
    /// Bytes of the current packet received so far (header included).
    have: usize,
    /// Length of the current packet, once its header is in.
    expected: usize,
}

impl RawDecoder {
    /// `inter_byte_timeout_ms`: a gap at least this long between two bytes of
    /// one packet discards the partial packet (Zephyr
    /// `MCUMGR_TRANSPORT_RAW_UART_INPUT_TIMEOUT_TIME_MS`). 0 disables the
    /// timeout.
    pub const fn new(inter_byte_timeout_ms: u64) -> Self {
        RawDecoder {
            timeout_ms: inter_byte_timeout_ms,
            last_ms: 0,
            have: 0,
            expected: 0,
        }
    }

    /// Forgets any partial packet. The caller should clear the buffer it was
    /// filling.
    pub fn reset(&mut self) {
        self.have = 0;
        self.expected = 0;
    }

    /// True while part of a packet has been received.
    pub fn in_packet(&self) -> bool {
        self.have != 0
    }

    /// Feeds one received byte; `now_ms` is a monotonic timestamp supplied by
    /// the caller.
    ///
    /// Returns true when `buf` holds one complete packet; the caller then
    /// takes the buffer away and passes a fresh (or cleared) one on the next
    /// call. A partial packet older than the timeout (gap between bytes) is
    /// discarded. The buffer is cleared when a packet starts.
    pub fn push(&mut self, byte: u8, now_ms: u64, buf: &mut NetBuf<'_>) -> bool {
        if self.have != 0
            && self.timeout_ms != 0
            && now_ms.saturating_sub(self.last_ms) >= self.timeout_ms
        {
            self.reset();
        }
        self.last_ms = now_ms;

        if self.have == 0 {
            buf.clear();
        }
        if buf.push(byte).is_err() {
            // Only when the buffer is smaller than a header.
            self.discard(buf);
            return false;
        }
        // Counts up to HEADER_LEN at most (reset below once it gets there).
        self.have = self.have.wrapping_add(1);

        if self.have == HEADER_LEN {
            let (op, len) = match *buf.bytes() {
                [flags, _, len_hi, len_lo, ..] => (
                    flags & 0x07,
                    HEADER_LEN + usize::from(u16::from_be_bytes([len_hi, len_lo])),
                ),
                // Cannot happen: `have` bytes are in the buffer.
                _ => (u8::MAX, 0),
            };
            if op >= 4 || len > buf.capacity() {
                self.discard(buf);
                return false;
            }
            self.expected = len;
        }

        if self.have >= HEADER_LEN && self.have == self.expected {
            self.reset();
            return true;
        }
        false
    }

    fn discard(&mut self, buf: &mut NetBuf<'_>) {
        buf.clear();
        self.reset();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec;
    use std::vec::Vec;

    const TIMEOUT: u64 = 100;

    /// A v2 echo request `{"d": text}` with sequence number `seq`.
    fn echo_request(text: &str, seq: u8) -> Vec<u8> {
        assert!(text.len() < 24);
        let payload_len = 3 + 1 + text.len();
        let mut p = vec![0x0A, 0x00, 0x00, payload_len as u8, 0x00, 0x00, seq, 0x00];
        p.extend_from_slice(&[0xA1, 0x61, b'd', 0x60 + text.len() as u8]);
        p.extend_from_slice(text.as_bytes());
        p
    }

    /// A decoder and the buffer it fills, kept across writes.
    struct Rx {
        dec: RawDecoder,
        storage: Vec<u8>,
        len: usize,
    }

    impl Rx {
        fn new(capacity: usize) -> Self {
            Rx {
                dec: RawDecoder::new(TIMEOUT),
                storage: vec![0; capacity],
                len: 0,
            }
        }

        /// Feeds `bytes`, all arriving at `now_ms`; returns the packets completed.
        fn write(&mut self, bytes: &[u8], now_ms: u64) -> Vec<Vec<u8>> {
            let mut buf = NetBuf::new(&mut self.storage);
            buf.set_len(self.len);
            let mut packets = Vec::new();
            for &b in bytes {
                if self.dec.push(b, now_ms, &mut buf) {
                    packets.push(buf.bytes().to_vec());
                    buf.clear();
                }
            }
            self.len = buf.len();
            packets
        }
    }

    #[test]
    fn one_request_comes_out_whole() {
        let req = echo_request("tEsTiNg eChO dAtA", 1);
        assert_eq!(Rx::new(256).write(&req, 0), vec![req]);
    }

    #[test]
    fn back_to_back_requests_in_one_write_both_come_out() {
        let first = echo_request("first", 1);
        let second = echo_request("second", 2);
        let both = [first.clone(), second.clone()].concat();
        assert_eq!(Rx::new(256).write(&both, 0), vec![first, second]);
    }

    #[test]
    fn request_split_across_writes_assembles() {
        let req = echo_request("tEsTiNg eChO dAtA", 1);
        let mut rx = Rx::new(256);
        let (a, b) = req.split_at(req.len() / 2);
        assert!(rx.write(a, 0).is_empty());
        assert_eq!(rx.write(b, 5), vec![req]);
    }

    #[test]
    fn header_split_across_writes_assembles() {
        let req = echo_request("hi", 1);
        let mut rx = Rx::new(256);
        assert!(rx.write(&req[..3], 0).is_empty());
        assert_eq!(rx.write(&req[3..], 1), vec![req]);
    }

    #[test]
    fn header_only_packet_completes_at_eighth_byte() {
        let req = [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02];
        assert_eq!(Rx::new(64).write(&req, 0), vec![req.to_vec()]);
    }

    #[test]
    fn invalid_op_header_is_skipped_and_next_packet_decoded() {
        // Zephyr test_raw_invalid_header_then_packet: op 7, len 4, then a
        // valid request in the same write.
        let mut data = vec![0x07, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00];
        let req = echo_request("tEsTiNg eChO dAtA", 1);
        data.extend_from_slice(&req);
        assert_eq!(Rx::new(256).write(&data, 0), vec![req]);
    }

    #[test]
    fn every_op_from_4_to_7_is_invalid() {
        for op in 4..=7u8 {
            let header = [op, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00];
            assert!(Rx::new(64).write(&header, 0).is_empty(), "op {op}");
        }
    }

    #[test]
    fn version_bits_do_not_make_a_header_invalid() {
        // v2 read (0x08) and the reserved version 3 (0x18): the server answers those.
        for first in [0x08u8, 0x18] {
            let header = [first, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00];
            assert_eq!(Rx::new(64).write(&header, 0), vec![header.to_vec()]);
        }
    }

    #[test]
    fn packet_larger_than_buffer_is_skipped() {
        // len 57 + 8 = 65 > 64.
        let mut data = vec![0x02, 0x00, 0x00, 0x39, 0x00, 0x00, 0x00, 0x00];
        let req = echo_request("ok", 2);
        data.extend_from_slice(&req);
        assert_eq!(Rx::new(64).write(&data, 0), vec![req]);
    }

    #[test]
    fn packet_exactly_buffer_size_is_accepted() {
        let mut req = vec![0x02, 0x00, 0x00, 0x38, 0x00, 0x00, 0x00, 0x00];
        req.resize(64, 0xAB);
        assert_eq!(Rx::new(64).write(&req, 0), vec![req]);
    }

    #[test]
    fn partial_request_is_discarded_after_timeout() {
        // Zephyr test_raw_input_timeout: all but 4 bytes, a pause, then a new request.
        let mut rx = Rx::new(256);
        let partial = echo_request("tEsTiNg eChO dAtA", 1);
        assert!(rx.write(&partial[..partial.len() - 4], 0).is_empty());
        let req = echo_request("tEsTiNg eChO dAtA", 2);
        assert_eq!(rx.write(&req, 3 * TIMEOUT), vec![req]);
    }

    #[test]
    fn partial_header_is_discarded_after_timeout() {
        let mut rx = Rx::new(256);
        assert!(rx.write(&[0x02, 0x00, 0x00], 0).is_empty());
        let req = echo_request("x", 2);
        assert_eq!(rx.write(&req, TIMEOUT), vec![req]);
    }

    #[test]
    fn gap_shorter_than_timeout_keeps_partial_packet() {
        let mut rx = Rx::new(256);
        let req = echo_request("slow", 1);
        let mut out = Vec::new();
        for (i, &b) in req.iter().enumerate() {
            out.extend(rx.write(&[b], i as u64 * (TIMEOUT - 1)));
        }
        assert_eq!(out, vec![req]);
    }

    #[test]
    fn gap_between_packets_is_harmless() {
        let mut rx = Rx::new(256);
        let a = echo_request("a", 1);
        let b = echo_request("b", 2);
        assert_eq!(rx.write(&a, 0), vec![a]);
        assert_eq!(rx.write(&b, 10 * TIMEOUT), vec![b]);
    }

    #[test]
    fn zero_timeout_never_discards() {
        let mut rx = Rx::new(256);
        rx.dec = RawDecoder::new(0);
        let req = echo_request("late", 1);
        assert!(rx.write(&req[..5], 0).is_empty());
        assert_eq!(rx.write(&req[5..], u64::MAX / 2), vec![req]);
    }

    #[test]
    fn reset_forgets_partial_packet() {
        let mut rx = Rx::new(256);
        let req = echo_request("reset", 1);
        assert!(rx.write(&req[..10], 0).is_empty());
        assert!(rx.dec.in_packet());
        rx.dec.reset();
        assert!(!rx.dec.in_packet());
        assert_eq!(rx.write(&req, 1), vec![req]);
    }
}
