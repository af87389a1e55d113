//! Hostile input through the whole server: many thousands of generated
//! requests — random headers, random CBOR of every type under every key the
//! groups know, truncated and garbage payloads — against every group. The
//! server must never panic and must answer every complete packet with one
//! well-formed response that echoes its header.

use crate::dispatch::{Group, Transport};
use crate::header::{Header, Op, Version, HEADER_LEN};
use crate::testing::{Bench, ALL_GROUPS};

/// xorshift64*: deterministic, so a failure is reproducible from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    fn bytes(&mut self, max: u64) -> Vec<u8> {
        let n = self.below(max + 1);
        (0..n).map(|_| self.next() as u8).collect()
    }
}

/// Every request key any group reads.
const KEYS: &[&str] = &[
    "d",
    "format",
    "query",
    "datetime",
    "force",
    "boot_mode",
    "index",
    "groups",
    "name",
    "max_size",
    "val",
    "off",
    "data",
    "len",
    "type",
    "argv",
    "image",
    "sha",
    "upgrade",
    "hash",
    "confirm",
    "slot",
];

const TEXTS: &[&str] = &[
    "",
    "a",
    "s",
    "mode",
    "/lfs/f",
    "/lfs/../x",
    "..",
    "/",
    "/lfs/",
    "crc32",
    "sha256",
    "2023-08-04T04:40:13",
    "9999-99-99T99:99:99.9999",
    "echo",
    "settings",
    "ls",
];

/// Appends one CBOR item of a random type (nesting at most `depth` deep).
fn item(rng: &mut Rng, out: &mut Vec<u8>, depth: u32) {
    let head = |out: &mut Vec<u8>, major: u8, n: u64| {
        let m = major << 5;
        match n {
            0..=23 => out.push(m | n as u8),
            24..=0xFF => out.extend([m | 24, n as u8]),
            0x100..=0xFFFF => {
                out.push(m | 25);
                out.extend((n as u16).to_be_bytes());
            }
            0x1_0000..=0xFFFF_FFFF => {
                out.push(m | 26);
                out.extend((n as u32).to_be_bytes());
            }
            _ => {
                out.push(m | 27);
                out.extend(n.to_be_bytes());
            }
        }
    };
    let number = |rng: &mut Rng| match rng.below(4) {
        0 => rng.below(24),
        1 => rng.below(0x1_0000),
        2 => rng.below(0x1_0000_0000),
        _ => rng.next(),
    };
    match rng.below(if depth == 0 { 7 } else { 10 }) {
        0 => head(out, 0, number(rng)),
        1 => head(out, 1, number(rng)),
        2 => {
            let max = if rng.below(8) == 0 { 3000 } else { 40 };
            let b = rng.bytes(max);
            head(out, 2, b.len() as u64);
            out.extend(b);
        }
        3 => {
            let t = rng.pick(TEXTS).as_bytes().to_vec();
            head(out, 3, t.len() as u64);
            out.extend(t);
        }
        4 => {
            let n = rng.below(300) as usize;
            head(out, 3, n as u64);
            out.extend(std::iter::repeat_n(b'x', n));
        }
        5 => out.push(*rng.pick(&[0xF4, 0xF5, 0xF6, 0xF7, 0xFF, 0x5F, 0x7F])),
        6 => head(out, 0, rng.below(3)),
        7 | 8 => {
            let n = rng.below(20);
            let indefinite = rng.below(2) == 0;
            if indefinite {
                out.push(0x9F);
            } else {
                head(out, 4, n);
            }
            for _ in 0..n {
                item(rng, out, depth - 1);
            }
            if indefinite {
                out.push(0xFF);
            }
        }
        _ => {
            let n = rng.below(4);
            head(out, 5, n);
            for _ in 0..n {
                text(out, rng.pick::<&str>(KEYS));
                item(rng, out, depth - 1);
            }
        }
    }
}

fn text(out: &mut Vec<u8>, s: &str) {
    out.push(0x60 | s.len() as u8);
    out.extend(s.as_bytes());
}

/// A request payload: usually a map of known keys with random values.
fn payload(rng: &mut Rng) -> Vec<u8> {
    let mut out = Vec::new();
    match rng.below(10) {
        0 => return rng.bytes(64),
        1 => {
            item(rng, &mut out, 3);
            return out;
        }
        _ => {}
    }
    let n = rng.below(7);
    let indefinite = rng.below(2) == 0;
    out.push(if indefinite { 0xBF } else { 0xA0 | n as u8 });
    for _ in 0..n {
        text(&mut out, rng.pick::<&str>(KEYS));
        item(rng, &mut out, 3);
    }
    if indefinite {
        out.push(0xFF);
    }
    if rng.below(12) == 0 {
        let cut = rng.below(out.len() as u64 + 1) as usize;
        out.truncate(cut);
    }
    out
}

/// One request packet for a random command of `groups`.
fn request(rng: &mut Rng, groups: &[&Group]) -> Vec<u8> {
    let body = payload(rng);
    let group = if rng.below(20) == 0 {
        rng.below(300) as u16
    } else {
        rng.pick(groups).id.0
    };
    let op = if rng.below(10) == 0 {
        rng.below(8) as u8
    } else {
        *rng.pick(&[0u8, 2])
    };
    let version = if rng.below(20) == 0 {
        rng.below(4) as u8
    } else {
        rng.below(2) as u8
    };
    let mut p = vec![(version << 3) | op, 0];
    // Now and then a length past the end of the buffer (rc 9); a shorter one
    // would make the rest another packet, which other tests cover.
    let len = if rng.below(30) == 0 {
        (body.len() as u64 + 1 + rng.below(0x1_0000)).min(0xFFFF) as u16
    } else {
        body.len() as u16
    };
    p.extend(len.to_be_bytes());
    p.extend(group.to_be_bytes());
    p.push(rng.next() as u8);
    p.push(rng.below(10) as u8);
    p.extend(body);
    p
}

/// Checks that `response` is a complete answer to `request`.
fn assert_answers(request: &[u8], response: &[u8]) {
    let req = Header::parse(request).expect("request header");
    let rsp = Header::parse(response).expect("response header");
    assert_eq!(rsp.group, req.group);
    assert_eq!(rsp.id, req.id);
    assert_eq!(rsp.seq, req.seq);
    assert_eq!(rsp.flags, 0);
    assert_eq!(
        rsp.op,
        if req.op == Op::Read {
            Op::ReadRsp
        } else {
            Op::WriteRsp
        }
    );
    assert_eq!(
        rsp.version,
        if req.version == Version::V1 {
            Version::V1
        } else {
            Version::V2
        }
    );
    assert_eq!(rsp.packet_len(), response.len(), "length field");
    let payload = &response[HEADER_LEN..];
    assert_eq!(
        payload.first(),
        Some(&0xBF),
        "an indefinite map: {payload:02x?}"
    );
    assert_eq!(payload.last(), Some(&0xFF), "a closed map: {payload:02x?}");
}

/// Sends `count` generated requests, one per buffer, through `process`.
fn hammer(
    seed: u64,
    count: usize,
    groups: &[&Group],
    mut process: impl FnMut(&[u8]) -> Vec<Vec<u8>>,
) {
    let mut rng = Rng(seed);
    for i in 0..count {
        let req = request(&mut rng, groups);
        let responses = process(&req);
        let head = &req[..req.len().min(64)];
        assert_eq!(
            responses.len(),
            1,
            "request {i} (seed {seed:#x}) {head:02x?}…: {responses:02x?}"
        );
        assert_answers(&req, &responses[0]);
    }
}

#[test]
fn every_group_answers_random_requests_with_one_well_formed_response() {
    let mut bench = Bench::full();
    hammer(0x5EED_0001, 30_000, ALL_GROUPS, |req| bench.raw(req));
}

#[test]
fn small_response_buffers_never_yield_a_truncated_frame() {
    let mut bench = Bench::full();
    bench.tx_size = 40;
    hammer(0x5EED_0002, 10_000, ALL_GROUPS, |req| bench.raw(req));
}

#[test]
fn the_image_group_answers_random_requests_with_one_well_formed_response() {
    let mut bench = Bench::full();
    bench.tx_size = 2048;
    bench.transport = Transport::Serial;
    hammer(0x5EED_0003, 20_000, ALL_GROUPS, |req| bench.raw(req));
}
