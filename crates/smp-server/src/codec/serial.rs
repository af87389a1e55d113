//! SMP over a console or serial line (protocol.md §3.1).
//!
//! One packet travels as the byte stream `len_be16 || packet || crc_be16`, where
//! `len` is the packet length plus 2 and the CRC is CRC-16/XMODEM over the
//! packet. The stream is base64-encoded and cut into lines:
//!
//! ```text
//! first line        06 09 <base64> 0A
//! continuation      04 14 <base64> 0A
//! ```
//!
//! Each line's base64 is decoded on its own, so `=` padding may only end a
//! line. Zephyr sends at most [`MAX_FRAME`] bytes per line (93 raw bytes);
//! Python and Go clients base64 the whole stream and cut it every 124
//! characters. The decoder accepts both, and lines of any length, because it
//! decodes each 4-character quad as soon as it is complete, straight into the
//! packet buffer: no line buffer is needed.
//!
//! Every malformed frame is dropped silently (the client retries on timeout),
//! and `06 09` always starts a new packet, wherever it appears, so the decoder
//! resynchronises after any garbage.

use crc::{Crc, NoTable, CRC_16_XMODEM};

use crate::netbuf::NetBuf;

/// Longest line we send, including the 2-byte marker and the final `\n`
/// (Zephyr `MCUMGR_SERIAL_MAX_FRAME`).
pub const MAX_FRAME: usize = 127;

/// Marker that starts the first line of a packet.
pub const FIRST_MARKER: [u8; 2] = [0x06, 0x09];

/// Marker that starts each continuation line.
pub const CONTINUATION_MARKER: [u8; 2] = [0x04, 0x14];

/// Raw bytes the encoder puts in one line: 124 base64 characters.
pub const RAW_PER_LINE: usize = (MAX_FRAME - 3) / 4 * 3;

/// Longest packet the 16-bit length field can announce (it counts the CRC too).
pub const MAX_PACKET: usize = u16::MAX as usize - 2;

/// Size of the length field and of the CRC in the decoded stream.
const LEN_FIELD: usize = 2;
const CRC_LEN: usize = 2;

/// Bitwise, without the 512-byte table: the CRC runs once per packet (in
/// the decoder too), where the table would save about 25 instructions per
/// byte on a Cortex-M and cost half a kilobyte of flash (docs/footprint.md).
static CRC16: Crc<u16, NoTable> = Crc::<u16, NoTable>::new(&CRC_16_XMODEM);

/// Base64 with the standard alphabet and `=` padding, a quad at a time: all
/// the framing needs. (The `base64` crate did the same in about 2 KB more of
/// Cortex-M flash, most of it bounds checks and their panic paths.)
mod b64 {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    fn sextet(c: u8) -> Option<u32> {
        let v = match c {
            // In range by the match: none of these wrap.
            b'A'..=b'Z' => c.wrapping_sub(b'A'),
            b'a'..=b'z' => c.wrapping_sub(b'a' - 26),
            b'0'..=b'9' => c.wrapping_add(52 - b'0'),
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        Some(u32::from(v))
    }

    /// The bytes of one quad and how many of them there are (1 or 2 with
    /// padding, else 3); `None` if it is not base64. Unused low bits of a
    /// padded quad are ignored, as Zephyr's decoder does.
    pub fn decode_quad(quad: [u8; 4]) -> Option<([u8; 3], usize)> {
        let [a, b, c, d] = quad;
        let n = match (c, d) {
            (b'=', b'=') => 1,
            (_, b'=') => 2,
            _ => 3,
        };
        let c = if n >= 2 { sextet(c)? } else { 0 };
        let d = if n == 3 { sextet(d)? } else { 0 };
        let v = sextet(a)? << 18 | sextet(b)? << 12 | c << 6 | d;
        let [_, b0, b1, b2] = v.to_be_bytes();
        Some(([b0, b1, b2], n))
    }

    /// Encodes `raw` into `out` with padding; the number of characters
    /// written. Stops early if `out` is too short for a whole quad.
    pub fn encode(raw: &[u8], out: &mut [u8]) -> usize {
        let mut written: usize = 0;
        for (chunk, quad) in raw.chunks(3).zip(out.chunks_exact_mut(4)) {
            let [b0, b1, b2] = match *chunk {
                [b0] => [b0, 0, 0],
                [b0, b1] => [b0, b1, 0],
                [b0, b1, b2, ..] => [b0, b1, b2],
                [] => break,
            };
            let v = u32::from_be_bytes([0, b0, b1, b2]);
            let char_at = |shift: u32| {
                let index = (v >> shift & 0x3F) as usize;
                ALPHABET.get(index).copied().unwrap_or(b'=')
            };
            let chars = [
                char_at(18),
                char_at(12),
                if chunk.len() > 1 { char_at(6) } else { b'=' },
                if chunk.len() > 2 { char_at(0) } else { b'=' },
            ];
            crate::bytes::copy(quad, &chars);
            // At most `out.len()`: one quad per `chunks_exact_mut` entry.
            written = written.wrapping_add(4);
        }
        written
    }
}

/// Where the decoder is within the current line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Line {
    /// At the start of a line: a marker may follow.
    Start,
    /// After a `0x06`: `0x09` next starts a packet.
    Six,
    /// After a `0x04` at the start of a line: `0x14` next continues a packet.
    Four,
    /// Inside the base64 of an SMP line.
    Data,
    /// After padding or trailing whitespace: only `' '`, `'\r'` and `'\n'` may follow.
    Tail,
    /// A line that is not SMP, or one being dropped: ignored up to its `'\n'`.
    Skip,
}

/// Reassembles SMP packets from received console bytes, one byte at a time.
#[derive(Clone, Debug)]
pub struct SerialDecoder {
    line: Line,
    /// Base64 characters of the quad being collected.
    quad: [u8; 4],
    quad_len: u8,
    /// A packet was started by `06 09` and not yet completed or dropped.
    active: bool,
    /// The length field, and how many of its 2 bytes have been decoded.
    len_field: u16,
    len_have: u8,
    /// Packet length (the length field minus the CRC), once known.
    packet_len: usize,
    /// CRC bytes decoded so far.
    crc_have: u8,
    /// The CRC-16/XMODEM the sender appended, checked against the packet in
    /// one table-driven pass once it is complete (not byte by byte as it
    /// arrives: that costs several times more per byte).
    crc: u16,
}

impl Default for SerialDecoder {
    fn default() -> Self {
        Self::new()
    }
}

impl SerialDecoder {
    /// Waiting for the start of a line, no packet started.
    pub const fn new() -> Self {
        SerialDecoder {
            line: Line::Start,
            quad: [0; 4],
            quad_len: 0,
            active: false,
            len_field: 0,
            len_have: 0,
            packet_len: 0,
            crc_have: 0,
            crc: 0,
        }
    }

    /// Forgets any partial packet and line; the next byte is taken as the
    /// start of a line. The caller should clear the buffer it was filling.
    pub fn reset(&mut self) {
        *self = Self::new();
    }

    /// Feeds one received byte. `buf` is the netbuf the packet is reassembled
    /// into.
    ///
    /// Returns true when `buf.bytes()` now holds one complete SMP packet
    /// (header and payload; the CRC is verified and not included). The caller
    /// then takes the buffer away and passes a fresh (or cleared) one on the
    /// next call. The buffer is cleared when a packet starts and when one is
    /// dropped.
    pub fn push(&mut self, byte: u8, buf: &mut NetBuf<'_>) -> bool {
        match self.line {
            Line::Start => match byte {
                0x06 => self.line = Line::Six,
                0x04 => self.line = Line::Four,
                b'\n' => {}
                _ => self.line = Line::Skip,
            },
            Line::Six => {
                if byte == FIRST_MARKER[1] {
                    self.start_packet(buf);
                } else {
                    self.line = Line::Skip;
                    return self.push(byte, buf);
                }
            }
            Line::Four => {
                if byte != CONTINUATION_MARKER[1] {
                    self.line = Line::Skip;
                    return self.push(byte, buf);
                }
                if self.active {
                    self.line = Line::Data;
                    self.quad_len = 0;
                } else {
                    // A continuation without a started packet.
                    self.line = Line::Skip;
                }
            }
            Line::Data => match byte {
                b'\n' => return self.end_line(buf),
                b' ' | b'\r' if self.quad_len == 0 => self.line = Line::Tail,
                0x06 => {
                    self.drop_packet(buf);
                    self.line = Line::Six;
                }
                _ => {
                    if let Some(slot) = self.quad.get_mut(usize::from(self.quad_len)) {
                        *slot = byte;
                    }
                    // Back to 0 once it reaches the quad's length (4).
                    self.quad_len = self.quad_len.wrapping_add(1);
                    if usize::from(self.quad_len) >= self.quad.len() {
                        self.quad_len = 0;
                        self.decode_quad(buf);
                    }
                }
            },
            Line::Tail => match byte {
                b'\n' => return self.end_line(buf),
                b' ' | b'\r' => {}
                0x06 => {
                    self.drop_packet(buf);
                    self.line = Line::Six;
                }
                _ => self.drop_packet(buf),
            },
            Line::Skip => match byte {
                b'\n' => self.line = Line::Start,
                0x06 => self.line = Line::Six,
                _ => {}
            },
        }
        false
    }

    fn start_packet(&mut self, buf: &mut NetBuf<'_>) {
        buf.clear();
        *self = Self::new();
        self.active = true;
        self.line = Line::Data;
    }

    /// Abandons the packet being received and ignores the rest of the line.
    fn drop_packet(&mut self, buf: &mut NetBuf<'_>) {
        if self.active {
            buf.clear();
        }
        self.active = false;
        self.line = Line::Skip;
    }

    fn decode_quad(&mut self, buf: &mut NetBuf<'_>) {
        let Some((raw, n)) = b64::decode_quad(self.quad) else {
            return self.drop_packet(buf);
        };
        if n < raw.len() {
            // Padding: nothing more may follow on this line.
            self.line = Line::Tail;
        }
        for &b in raw.iter().take(n) {
            if !self.take(b, buf) {
                return self.drop_packet(buf);
            }
        }
    }

    /// Routes one decoded byte to the length field, the packet or the CRC;
    /// false when the packet must be dropped.
    fn take(&mut self, b: u8, buf: &mut NetBuf<'_>) -> bool {
        if usize::from(self.len_have) < LEN_FIELD {
            self.len_field = (self.len_field << 8) | u16::from(b);
            // Below LEN_FIELD here.
            self.len_have = self.len_have.wrapping_add(1);
            if usize::from(self.len_have) < LEN_FIELD {
                return true;
            }
            let Some(packet_len) = usize::from(self.len_field).checked_sub(CRC_LEN) else {
                return false;
            };
            self.packet_len = packet_len;
            return packet_len <= buf.capacity();
        }
        if buf.len() < self.packet_len {
            if buf.push(b).is_err() {
                return false;
            }
        } else if usize::from(self.crc_have) < CRC_LEN {
            self.crc = (self.crc << 8) | u16::from(b);
            // Below CRC_LEN here.
            self.crc_have = self.crc_have.wrapping_add(1);
        } else {
            // More bytes than the length field announced.
            return false;
        }
        true
    }

    /// At the `'\n'` of an SMP line: the packet is complete, incomplete (more
    /// lines expected), or dropped.
    fn end_line(&mut self, buf: &mut NetBuf<'_>) -> bool {
        if self.quad_len != 0 || usize::from(self.len_have) < LEN_FIELD {
            // A partial quad, or a first line too short for the length field.
            self.drop_packet(buf);
            self.line = Line::Start;
            return false;
        }
        self.line = Line::Start;
        let complete = buf.len() == self.packet_len && usize::from(self.crc_have) == CRC_LEN;
        if !self.active || !complete {
            return false;
        }
        self.active = false;
        if CRC16.checksum(buf.bytes()) != self.crc {
            buf.clear();
            return false;
        }
        true
    }
}

/// Frames one SMP packet into lines (each at most [`MAX_FRAME`] bytes,
/// including the `06 09` / `04 14` marker and `'\n'`), calling `emit` once per
/// line.
///
/// Each line carries up to [`RAW_PER_LINE`] bytes of `len || packet || crc`,
/// so every line but the last holds a whole number of quads without padding.
/// The output is the same as Python and Go clients produce, and Zephyr's
/// per-line decoder accepts it. A packet longer than [`MAX_PACKET`] cannot be
/// framed and emits nothing.
pub fn encode(packet: &[u8], emit: &mut dyn FnMut(&[u8])) {
    let Some(len) = packet
        .len()
        .checked_add(CRC_LEN)
        .and_then(|n| u16::try_from(n).ok())
    else {
        return;
    };
    let len = len.to_be_bytes();
    let crc = CRC16.checksum(packet).to_be_bytes();
    let parts: [&[u8]; 3] = [&len, packet, &crc];
    // Cannot wrap: the packet's length plus CRC_LEN fit a u16 above.
    let total = usize::from(u16::from_be_bytes(len)).wrapping_add(LEN_FIELD);

    let mut line = [0u8; MAX_FRAME];
    let mut raw = [0u8; RAW_PER_LINE];
    let mut offset = 0;
    while offset < total {
        let n = RAW_PER_LINE.min(total.wrapping_sub(offset));
        copy_stream(&parts, offset, raw.get_mut(..n).unwrap_or_default());
        let marker = if offset == 0 {
            FIRST_MARKER
        } else {
            CONTINUATION_MARKER
        };
        let [m0, m1] = marker;
        let [first, second, text @ .., last] = &mut line;
        (*first, *second) = (m0, m1);
        // 124 characters always fit in MAX_FRAME - 3.
        let chars = b64::encode(raw.get(..n).unwrap_or_default(), text);
        if let Some(newline) = text.get_mut(chars) {
            *newline = b'\n';
        } else {
            *last = b'\n';
        }
        emit(line.get(..chars.wrapping_add(3)).unwrap_or_default());
        offset = offset.wrapping_add(n);
    }
}

/// Copies `out.len()` bytes of the concatenation of `parts`, from `offset`.
fn copy_stream(parts: &[&[u8]], mut offset: usize, out: &mut [u8]) {
    let mut filled = 0;
    for part in parts {
        let Some(left) = part.len().checked_sub(offset).filter(|n| *n > 0) else {
            offset = offset.wrapping_sub(part.len());
            continue;
        };
        // Both within their slices: offset < part.len(), filled <= out.len().
        let n = left.min(out.len().wrapping_sub(filled));
        let (Some(to), Some(from)) = (
            out.get_mut(filled..filled.wrapping_add(n)),
            part.get(offset..offset.wrapping_add(n)),
        ) else {
            break;
        };
        crate::bytes::copy(to, from);
        filled = filled.wrapping_add(n);
        offset = 0;
        if filled == out.len() {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec;
    use std::vec::Vec;

    // protocol.md §3.1 test vectors.
    const TASKSTAT: &[u8] = &[0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02];
    const TASKSTAT_LINE: &[u8] = b"\x06\x09AAoAAAAAAAAAAiBC\n";
    const ECHO_HI: &[u8] = &[
        0x0A, 0x00, 0x00, 0x06, 0x00, 0x00, 0x01, 0x00, 0xA1, 0x61, 0x64, 0x62, 0x68, 0x69,
    ];
    const ECHO_HI_LINE: &[u8] = b"\x06\x09ABAKAAAGAAABAKFhZGJoaaWv\n";
    const PARAMS_PROBE: &[u8] = &[0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0xFF, 0x06, 0xA0];
    const PARAMS_PROBE_LINE: &[u8] = b"\x06\x09AAsAAAABAAD/BqCVjw==\n";

    /// A decoder and the buffer it fills, kept across calls.
    struct Rx {
        dec: SerialDecoder,
        storage: Vec<u8>,
        len: usize,
    }

    impl Rx {
        fn new(capacity: usize) -> Self {
            Rx {
                dec: SerialDecoder::new(),
                storage: vec![0; capacity],
                len: 0,
            }
        }

        /// Feeds `bytes`, returning each packet completed.
        fn feed(&mut self, bytes: &[u8]) -> Vec<Vec<u8>> {
            let mut buf = NetBuf::new(&mut self.storage);
            buf.set_len(self.len);
            let mut packets = Vec::new();
            for &b in bytes {
                if self.dec.push(b, &mut buf) {
                    packets.push(buf.bytes().to_vec());
                    buf.clear();
                }
            }
            self.len = buf.len();
            packets
        }
    }

    fn decode(bytes: &[u8]) -> Vec<Vec<u8>> {
        Rx::new(2048).feed(bytes)
    }

    fn encode_lines(packet: &[u8]) -> Vec<Vec<u8>> {
        let mut lines = Vec::new();
        encode(packet, &mut |line| lines.push(line.to_vec()));
        lines
    }

    fn encode_to_bytes(packet: &[u8]) -> Vec<u8> {
        encode_lines(packet).concat()
    }

    /// The whole stream base64'd at once and cut every `width` characters, as
    /// the Python and Go clients do.
    fn python_style(packet: &[u8], width: usize) -> Vec<u8> {
        let mut stream = ((packet.len() + 2) as u16).to_be_bytes().to_vec();
        stream.extend_from_slice(packet);
        stream.extend_from_slice(&CRC16.checksum(packet).to_be_bytes());
        let mut text = vec![0u8; stream.len().div_ceil(3) * 4];
        let n = ::base64::Engine::encode_slice(
            &::base64::engine::general_purpose::STANDARD,
            &stream,
            &mut text,
        )
        .unwrap();
        assert_eq!(n, text.len());
        let mut out = Vec::new();
        for (i, chunk) in text.chunks(width).enumerate() {
            out.extend_from_slice(if i == 0 {
                &FIRST_MARKER
            } else {
                &CONTINUATION_MARKER
            });
            out.extend_from_slice(chunk);
            out.push(b'\n');
        }
        out
    }

    /// A v2 echo request `{"d": "abc..."}` of exactly `len` bytes (37..=268).
    fn echo_request(len: usize) -> Vec<u8> {
        // Header 8, map 1, key "d" 2, text header 2 (0x78 n), text n.
        let text_len = len - 13;
        let mut p = vec![0x0A, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00];
        p[2..4].copy_from_slice(&((len - 8) as u16).to_be_bytes());
        p.extend_from_slice(&[0xA1, 0x61, b'd', 0x78, u8::try_from(text_len).unwrap()]);
        p.extend((0..text_len).map(|i| b'a' + (i % 26) as u8));
        assert_eq!(p.len(), len);
        p
    }

    #[test]
    fn crc_is_xmodem() {
        assert_eq!(CRC16.checksum(b"123456789"), 0x31C3);
        assert_eq!(CRC16.checksum(TASKSTAT), 0x2042);
        assert_eq!(CRC16.checksum(ECHO_HI), 0xA5AF);
    }

    #[test]
    fn decodes_taskstat_vector() {
        assert_eq!(decode(TASKSTAT_LINE), vec![TASKSTAT.to_vec()]);
    }

    #[test]
    fn decodes_echo_vector() {
        assert_eq!(decode(ECHO_HI_LINE), vec![ECHO_HI.to_vec()]);
    }

    #[test]
    fn decodes_padded_params_probe_vector() {
        assert_eq!(decode(PARAMS_PROBE_LINE), vec![PARAMS_PROBE.to_vec()]);
    }

    #[test]
    fn encodes_taskstat_vector() {
        assert_eq!(encode_lines(TASKSTAT), vec![TASKSTAT_LINE.to_vec()]);
    }

    #[test]
    fn encodes_echo_vector() {
        assert_eq!(encode_lines(ECHO_HI), vec![ECHO_HI_LINE.to_vec()]);
    }

    #[test]
    fn encodes_params_probe_vector() {
        assert_eq!(encode_lines(PARAMS_PROBE), vec![PARAMS_PROBE_LINE.to_vec()]);
    }

    #[test]
    fn encoder_lines_are_at_most_127_bytes_with_markers() {
        let packet: Vec<u8> = (0..1000u32).map(|i| (i * 7) as u8).collect();
        let lines = encode_lines(&packet);
        assert!(lines.len() > 1);
        for (i, line) in lines.iter().enumerate() {
            assert!(line.len() <= MAX_FRAME);
            let marker = if i == 0 {
                FIRST_MARKER
            } else {
                CONTINUATION_MARKER
            };
            assert_eq!(line[..2], marker);
            assert_eq!(line.last(), Some(&b'\n'));
        }
        // Every line but the last is full: 93 raw bytes as 124 characters.
        assert!(lines[..lines.len() - 1]
            .iter()
            .all(|l| l.len() == MAX_FRAME));
    }

    #[test]
    fn encoder_output_matches_python_style_split() {
        let packet = echo_request(200);
        assert_eq!(encode_to_bytes(&packet), python_style(&packet, 124));
    }

    #[test]
    fn multi_line_request_longer_than_127_bytes_zephyr_split() {
        let packet = echo_request(200);
        let framed = encode_to_bytes(&packet);
        assert!(framed.iter().filter(|&&b| b == b'\n').count() >= 3);
        assert_eq!(decode(&framed), vec![packet]);
    }

    #[test]
    fn multi_line_request_longer_than_127_bytes_python_split() {
        let packet = echo_request(200);
        assert_eq!(decode(&python_style(&packet, 124)), vec![packet]);
    }

    #[test]
    fn multi_line_request_with_short_python_lines() {
        // SC/SM allow a configurable line length; any multiple of 4 works.
        let packet = echo_request(150);
        assert_eq!(decode(&python_style(&packet, 20)), vec![packet]);
    }

    #[test]
    fn line_longer_than_127_bytes_is_accepted() {
        let packet = echo_request(200);
        let framed = python_style(&packet, 4096);
        assert_eq!(framed.iter().filter(|&&b| b == b'\n').count(), 1);
        assert!(framed.len() > MAX_FRAME);
        assert_eq!(decode(&framed), vec![packet]);
    }

    #[test]
    fn padding_may_end_a_line_that_is_not_the_last() {
        // Each line decoded on its own, as Zephyr does: "AAoA", "AAA=", ...
        let mut stream = vec![0x00, 0x0A];
        stream.extend_from_slice(TASKSTAT);
        stream.extend_from_slice(&[0x20, 0x42]);
        let mut framed = Vec::new();
        for (i, piece) in [&stream[..3], &stream[3..5], &stream[5..]]
            .iter()
            .enumerate()
        {
            framed.extend_from_slice(if i == 0 {
                &FIRST_MARKER
            } else {
                &CONTINUATION_MARKER
            });
            let mut text = [0u8; 16];
            let n = ::base64::Engine::encode_slice(
                &::base64::engine::general_purpose::STANDARD,
                piece,
                &mut text,
            )
            .unwrap();
            framed.extend_from_slice(&text[..n]);
            framed.push(b'\n');
        }
        assert_eq!(decode(&framed), vec![TASKSTAT.to_vec()]);
    }

    #[test]
    fn base64_matches_the_base64_crate_for_every_chunk_length() {
        use ::base64::Engine as _;
        let std = &::base64::engine::general_purpose::STANDARD;
        for len in 0..=9 {
            let raw: Vec<u8> = (0..len).map(|i| (i * 97 + 13) as u8).collect();
            let mut ours = [0u8; 12];
            let n = b64::encode(&raw, &mut ours);
            assert_eq!(&ours[..n], std.encode(&raw).as_bytes(), "{len} bytes");
        }
        for quad in [*b"AAAA", *b"////", *b"+/9z", *b"TQ==", *b"TWE=", *b"TWFu"] {
            let (bytes, n) = b64::decode_quad(quad).unwrap();
            assert_eq!(bytes[..n], std.decode(quad).unwrap()[..], "{quad:?}");
        }
    }

    #[test]
    fn base64_quads_with_misplaced_padding_or_foreign_characters_are_refused() {
        for quad in [
            *b"=AAA", *b"A=AA", *b"AA=A", *b"A===", *b"====", *b"AA-A", *b"A\nAA",
        ] {
            assert_eq!(b64::decode_quad(quad), None, "{quad:?}");
        }
    }

    #[test]
    fn round_trips_every_size_0_to_600() {
        let mut rx = Rx::new(600);
        for size in 0..=600usize {
            let packet: Vec<u8> = (0..size).map(|i| (i * 31 + size) as u8).collect();
            let framed = encode_to_bytes(&packet);
            assert_eq!(rx.feed(&framed), vec![packet], "size {size}");
        }
    }

    #[test]
    fn tolerates_crlf_and_trailing_spaces() {
        let mut framed = b"\x06\x09ABAKAAAGAAABAKFhZGJoaaWv  \r\n".to_vec();
        framed.extend_from_slice(b"\x06\x09AAsAAAABAAD/BqCVjw== \r \n");
        assert_eq!(
            decode(&framed),
            vec![ECHO_HI.to_vec(), PARAMS_PROBE.to_vec()]
        );
    }

    #[test]
    fn text_lines_between_frames_are_ignored() {
        let packet = echo_request(200);
        let lines = encode_lines(&packet);
        let mut framed = b"uart:~$ hello\r\n".to_vec();
        framed.extend_from_slice(&lines[0]);
        framed.extend_from_slice(b"[00:00:01.000] <inf> log line\n");
        for line in &lines[1..] {
            framed.extend_from_slice(line);
        }
        assert_eq!(decode(&framed), vec![packet]);
    }

    /// Asserts that `bad` yields nothing and that the echo vector right after
    /// it is still decoded.
    fn assert_dropped_then_recovers(bad: &[u8]) {
        let mut rx = Rx::new(64);
        assert_eq!(rx.feed(bad), Vec::<Vec<u8>>::new());
        assert_eq!(rx.feed(ECHO_HI_LINE), vec![ECHO_HI.to_vec()]);
    }

    #[test]
    fn continuation_without_start_is_dropped() {
        assert_dropped_then_recovers(b"\x04\x14ABAKAAAGAAABAKFhZGJoaaWv\n");
    }

    #[test]
    fn continuation_after_completed_packet_is_dropped() {
        let mut bad = TASKSTAT_LINE.to_vec();
        bad.extend_from_slice(b"\x04\x14AAAA\n");
        let mut rx = Rx::new(64);
        assert_eq!(rx.feed(&bad), vec![TASKSTAT.to_vec()]);
        assert_eq!(rx.feed(ECHO_HI_LINE), vec![ECHO_HI.to_vec()]);
    }

    #[test]
    fn bad_base64_character_is_dropped() {
        assert_dropped_then_recovers(b"\x06\x09ABAKAAAGAA*BAKFhZGJoaaWv\n");
    }

    #[test]
    fn padding_in_the_middle_of_a_line_is_dropped() {
        assert_dropped_then_recovers(b"\x06\x09AAoA=AAAAAAAAAiBC\n");
        assert_dropped_then_recovers(b"\x06\x09AAoAAA==AAAAAAiBC\n");
    }

    #[test]
    fn partial_quad_at_end_of_line_is_dropped() {
        assert_dropped_then_recovers(b"\x06\x09AAoAAAAAAAAAAiB\n");
    }

    #[test]
    fn space_inside_a_line_is_dropped() {
        assert_dropped_then_recovers(b"\x06\x09AAoAAAAA AAAAAiBC\n");
    }

    #[test]
    fn first_line_without_length_is_dropped() {
        assert_dropped_then_recovers(b"\x06\x09\n\x04\x14AAoAAAAAAAAAAiBC\n");
    }

    #[test]
    fn bytes_beyond_length_are_dropped() {
        // TASKSTAT_LINE with 3 more decoded bytes in the same line.
        assert_dropped_then_recovers(b"\x06\x09AAoAAAAAAAAAAiBCAAAA\n");
        // ... or in a continuation line, once the packet is incomplete.
        assert_dropped_then_recovers(b"\x06\x09AAoAAAAAAAAA\n\x04\x14AiBCAAAA\n");
    }

    #[test]
    fn crc_mismatch_is_dropped() {
        // Last CRC byte 0x42 changed to 0x43.
        assert_dropped_then_recovers(b"\x06\x09AAoAAAAAAAAAAiBD\n");
    }

    #[test]
    fn length_field_below_two_is_dropped() {
        assert_dropped_then_recovers(b"\x06\x09AAE=\n");
        assert_dropped_then_recovers(b"\x06\x09AAA=\n");
    }

    #[test]
    fn new_first_line_discards_partial_packet() {
        let lines = encode_lines(&echo_request(200));
        let mut framed = lines[0].clone();
        framed.extend_from_slice(ECHO_HI_LINE);
        assert_eq!(decode(&framed), vec![ECHO_HI.to_vec()]);
    }

    #[test]
    fn first_marker_inside_garbage_resynchronises() {
        let mut framed = b"garbage without newline".to_vec();
        framed.extend_from_slice(ECHO_HI_LINE);
        assert_eq!(decode(&framed), vec![ECHO_HI.to_vec()]);
    }

    #[test]
    fn first_marker_cuts_a_broken_line() {
        // A line interrupted by the start of the next packet.
        let mut framed = b"\x06\x09ABAKAAAG".to_vec();
        framed.extend_from_slice(ECHO_HI_LINE);
        assert_eq!(decode(&framed), vec![ECHO_HI.to_vec()]);
    }

    /// Deterministic noise (xorshift32): half uniformly random bytes, half
    /// bytes that drive the decoder's states (markers, base64, padding,
    /// whitespace, newlines).
    fn noise(state: &mut u32, len: usize) -> Vec<u8> {
        const TRICKY: &[u8] = b"\x06\x09\x04\x14\n\r =A/+z0";
        (0..len)
            .map(|_| {
                *state ^= *state << 13;
                *state ^= *state >> 17;
                *state ^= *state << 5;
                let r = *state;
                if r & 0x100 == 0 {
                    r as u8
                } else {
                    TRICKY[r as usize % TRICKY.len()]
                }
            })
            .collect()
    }

    #[test]
    fn random_bytes_between_packets_are_survived() {
        let mut state = 0x1234_5678u32;
        let mut rx = Rx::new(256);
        for round in 0..500 {
            let garbage = noise(&mut state, (round * 7) % 300);
            // Noise this short never holds a frame with a valid length and CRC.
            assert_eq!(rx.feed(&garbage), Vec::<Vec<u8>>::new(), "round {round}");
            assert_eq!(
                rx.feed(ECHO_HI_LINE),
                vec![ECHO_HI.to_vec()],
                "round {round}"
            );
        }
    }

    #[test]
    fn packet_exactly_at_capacity_is_accepted() {
        let packet: Vec<u8> = (0..64u8).collect();
        let framed = encode_to_bytes(&packet);
        assert_eq!(Rx::new(64).feed(&framed), vec![packet]);
    }

    #[test]
    fn packet_one_byte_over_capacity_is_dropped() {
        let packet: Vec<u8> = (0..65u8).collect();
        let mut rx = Rx::new(64);
        assert_eq!(rx.feed(&encode_to_bytes(&packet)), Vec::<Vec<u8>>::new());
        assert_eq!(rx.feed(ECHO_HI_LINE), vec![ECHO_HI.to_vec()]);
    }

    #[test]
    fn reset_forgets_a_partial_packet() {
        let lines = encode_lines(&echo_request(200));
        let mut rx = Rx::new(256);
        assert!(rx.feed(&lines[0]).is_empty());
        rx.dec.reset();
        let rest: Vec<u8> = lines[1..].concat();
        assert!(rx.feed(&rest).is_empty());
        assert_eq!(rx.feed(ECHO_HI_LINE), vec![ECHO_HI.to_vec()]);
    }

    #[test]
    fn oversized_packet_emits_nothing() {
        let packet = vec![0u8; MAX_PACKET + 1];
        assert!(encode_lines(&packet).is_empty());
        let packet = vec![0u8; MAX_PACKET];
        let framed = encode_to_bytes(&packet);
        assert_eq!(Rx::new(MAX_PACKET).feed(&framed), vec![packet]);
    }
}
