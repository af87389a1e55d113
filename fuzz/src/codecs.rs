//! The transport codecs on their own: the console (serial) decoder and
//! encoder, the raw UART decoder, the BLE reassembler and notification
//! chunking. Each is fed hostile bytes, then what it accepted is framed
//! again and must come back unchanged.

use smp_server::codec::ble::{self, Reassembler};
use smp_server::codec::raw_uart::RawDecoder;
use smp_server::codec::serial::{
    self, SerialDecoder, CONTINUATION_MARKER, FIRST_MARKER, MAX_FRAME, MAX_PACKET,
};
use smp_server::netbuf::{NetBuf, MIN_NETBUF_SIZE};
use smp_server::Header;

/// Receive buffer sizes: the smallest the server takes, one serial line, the
/// unit tests' and a large one.
const CAPACITIES: [usize; 4] = [MIN_NETBUF_SIZE, MAX_FRAME, 384, 2048];

fn capacity(selector: u8) -> usize {
    CAPACITIES[usize::from(selector) % CAPACITIES.len()]
}

/// Console bytes (lines of base64 with markers, or anything else).
///
/// Input: one byte selecting the buffer size, then the bytes received.
/// Every packet decoded fits the buffer and survives encoding and decoding
/// again; the input itself, framed by the encoder, decodes to itself exactly
/// when it fits the buffer.
pub fn serial_decoder(data: &[u8]) {
    let Some((&selector, received)) = data.split_first() else {
        return;
    };
    let capacity = capacity(selector);
    for packet in serial_decode(received, capacity) {
        assert!(packet.len() <= capacity, "packet larger than the buffer");
        serial_round_trip(&packet, capacity);
    }
    serial_round_trip(received, capacity);
}

/// Every packet the decoder completes from `received`, in a buffer of
/// `capacity`.
fn serial_decode(received: &[u8], capacity: usize) -> Vec<Vec<u8>> {
    let mut storage = vec![0u8; capacity];
    let mut buf = NetBuf::new(&mut storage);
    let mut decoder = SerialDecoder::new();
    let mut packets = Vec::new();
    for &byte in received {
        if decoder.push(byte, &mut buf) {
            packets.push(buf.bytes().to_vec());
            buf.clear();
        }
    }
    packets
}

/// Frames `packet` as lines and decodes them again.
fn serial_round_trip(packet: &[u8], capacity: usize) {
    let mut lines = Vec::new();
    serial::encode(packet, &mut |line| lines.push(line.to_vec()));
    if packet.len() > MAX_PACKET {
        assert!(lines.is_empty(), "a packet too long to frame was framed");
        return;
    }
    for (i, line) in lines.iter().enumerate() {
        let marker = if i == 0 {
            FIRST_MARKER
        } else {
            CONTINUATION_MARKER
        };
        assert!(line.starts_with(&marker), "line {i} marker: {line:02x?}");
        assert_eq!(line.last(), Some(&b'\n'), "line {i} ends with a newline");
        assert!(line.len() <= MAX_FRAME, "line {i} of {} bytes", line.len());
    }
    let decoded = serial_decode(&lines.concat(), capacity);
    if packet.len() <= capacity {
        assert_eq!(decoded, [packet], "a framed packet decodes to itself");
    } else {
        assert!(
            decoded.is_empty(),
            "a packet larger than the buffer is dropped"
        );
    }
}

/// The inter-byte timeouts tried: none, the shortest, Zephyr's default.
const TIMEOUTS_MS: [u64; 3] = [0, 1, 100];

/// Raw UART bytes arriving in bursts.
///
/// Input: a byte selecting the buffer size, one selecting the timeout, then
/// bursts, each `gap n byte×n`: `gap` milliseconds of silence before `n`
/// bytes that arrive together. Each packet completed is a whole SMP packet
/// (op 0–3, its header's length, within the buffer), made of the last bytes
/// received with no silence of the timeout inside; the packets sent again
/// back to back come out the same.
pub fn raw_uart_decoder(data: &[u8]) {
    let Some((&[cap_selector, timeout_selector], mut bursts)) = data.split_first_chunk::<2>()
    else {
        return;
    };
    let capacity = capacity(cap_selector);
    let timeout = TIMEOUTS_MS[usize::from(timeout_selector) % TIMEOUTS_MS.len()];

    let mut storage = vec![0u8; capacity];
    let mut buf = NetBuf::new(&mut storage);
    let mut decoder = RawDecoder::new(timeout);
    // Every byte received, with the time it arrived.
    let mut received: Vec<(u8, u64)> = Vec::new();
    let mut now = 0u64;
    let mut packets = Vec::new();
    while let Some((&[gap, n], rest)) = bursts.split_first_chunk::<2>() {
        let (burst, rest) = rest.split_at(usize::from(n).min(rest.len()));
        bursts = rest;
        now += u64::from(gap);
        for &byte in burst {
            received.push((byte, now));
            if !decoder.push(byte, now, &mut buf) {
                continue;
            }
            let packet = buf.bytes().to_vec();
            buf.clear();
            check_raw_packet(&packet, capacity);
            let tail = &received[received.len() - packet.len()..];
            let tail_bytes: Vec<u8> = tail.iter().map(|(b, _)| *b).collect();
            assert_eq!(packet, tail_bytes, "a packet is the last bytes received");
            if timeout != 0 {
                let longest_gap = tail.windows(2).map(|w| w[1].1 - w[0].1).max();
                assert!(
                    longest_gap.unwrap_or(0) < timeout,
                    "a packet with a silence of {longest_gap:?} ms inside (timeout {timeout})"
                );
            }
            packets.push(packet);
        }
    }

    let mut decoder = RawDecoder::new(timeout);
    let mut again = Vec::new();
    for &byte in packets.concat().iter() {
        if decoder.push(byte, 0, &mut buf) {
            again.push(buf.bytes().to_vec());
            buf.clear();
        }
    }
    assert_eq!(again, packets, "packets sent again back to back");
}

fn check_raw_packet(packet: &[u8], capacity: usize) {
    let header = Header::parse(packet).expect("a packet has a full header");
    assert_eq!(header.packet_len(), packet.len(), "the header's length");
    assert!(packet[0] & 0x07 < 4, "op {} is not SMP's", packet[0] & 0x07);
    assert!(packet.len() <= capacity, "packet larger than the buffer");
}

/// ATT MTUs: the default, common ones, and the largest.
const MTUS: [usize; 6] = [23, 27, 65, 185, 247, 517];

/// GATT writes to the SMP characteristic.
///
/// Input: a byte selecting the buffer size, one selecting the ATT MTU, then
/// writes, each `n byte×n`. Every write is accepted, completes a packet, or
/// is refused with the partial packet dropped; a completed packet is the
/// writes since it started, as long as its header says, within the buffer.
/// Each packet split into notifications for the MTU and written again
/// reassembles to itself.
pub fn ble_reassembler(data: &[u8]) {
    let Some((&[cap_selector, mtu_selector], mut writes)) = data.split_first_chunk::<2>() else {
        return;
    };
    let capacity = capacity(cap_selector);
    let mtu = MTUS[usize::from(mtu_selector) % MTUS.len()];

    let mut storage = vec![0u8; capacity];
    let mut buf = NetBuf::new(&mut storage);
    let mut reassembler = Reassembler::new();
    // The writes accepted since the packet being collected started.
    let mut collected: Vec<u8> = Vec::new();
    let mut packets = Vec::new();
    while let Some((&n, rest)) = writes.split_first() {
        let (write, rest) = rest.split_at(usize::from(n).min(rest.len()));
        writes = rest;
        match reassembler.push(write, &mut buf) {
            Ok(complete) => {
                collected.extend_from_slice(write);
                assert_eq!(buf.bytes(), collected, "the writes since the start");
                let header = Header::parse(&collected).expect("a first write has a header");
                assert!(
                    header.packet_len() <= capacity,
                    "packet larger than the buffer"
                );
                if complete {
                    assert_eq!(collected.len(), header.packet_len(), "the header's length");
                    assert!(!reassembler.in_progress(), "done after a whole packet");
                    packets.push(std::mem::take(&mut collected));
                    buf.clear();
                } else {
                    assert!(collected.len() < header.packet_len(), "short of the length");
                    assert!(reassembler.in_progress(), "a partial packet is kept");
                }
            }
            Err(_) => {
                assert!(buf.is_empty(), "a refused write drops the partial packet");
                assert!(
                    !reassembler.in_progress(),
                    "nothing collected after a refusal"
                );
                collected.clear();
            }
        }
    }

    let size = ble::notification_size(mtu);
    // A first notification always carries a whole header.
    assert!(
        size >= ble::MIN_NOTIFICATION,
        "notifications of {size} bytes"
    );
    for packet in &packets {
        let chunks: Vec<&[u8]> = ble::notifications(packet, mtu).collect();
        assert!(chunks.iter().all(|c| !c.is_empty() && c.len() <= size));
        assert_eq!(chunks.concat(), *packet, "the notifications are the packet");
        let mut reassembler = Reassembler::new();
        buf.clear();
        for (i, chunk) in chunks.iter().enumerate() {
            let last = i + 1 == chunks.len();
            assert_eq!(
                reassembler.push(chunk, &mut buf),
                Ok(last),
                "notification {i} of {} written back",
                chunks.len()
            );
        }
        assert_eq!(buf.bytes(), &packet[..], "written back whole");
    }
}
