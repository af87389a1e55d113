//! CPU cost per uploaded byte of the smp-server core on a Cortex-M3.
//!
//! Runs on QEMU's lm3s6965evb with `-icount shift=0` (every guest instruction
//! advances the virtual clock by exactly 1 ns), so the SysTick, clocked by the
//! core clock, counts instructions; a calibration loop of known length gives
//! the instructions per tick. Results go out over semihosting, one `RESULT`
//! line per run, which scripts/bench-cortex-m3 turns into a table
//! (docs/cycles.md).
//!
//! Measured: `Server::process` (and, for the serial run, the device side of
//! the serial codec: `SerialDecoder::push` per byte and `serial::encode` of
//! the response) for every request of a 4 KiB image upload, including the fake
//! platform's flash work (RAM slots: write = memcpy, erase = fill 0xFF).
//! Not measured: building the image, encoding and framing the requests (the
//! client's work), and checking the responses.
//!
//! Every response is decoded and checked (no `rc`/`err`, the expected `off`,
//! `match: true` at the end); any failure prints `FAIL:` and exits non-zero.
//! The semihosting argument `inject-error` corrupts the first chunk of the
//! measured runs, to show that the bench then fails.
//!
//! Stack: before each measured call the free part of the main stack (from
//! cortex-m-rt's `_stack_end`, the end of .bss/.uninit, up to 256 bytes below
//! the SP) is painted with a pattern word; after it, the lowest overwritten
//! word gives its depth. One `STACK` line reports the deepest over all
//! measured calls, from the top of RAM and below the caller's frame.
#![no_std]
#![no_main]

use core::ptr::addr_of_mut;

use cortex_m::peripheral::{syst::SystClkSource, SYST};
use cortex_m_rt::{entry, exception, ExceptionFrame};
use cortex_m_semihosting::{debug, hprintln};
use minicbor::data::Type;
use minicbor::encode::write::Cursor;
use panic_semihosting as _;
use sha2::{Digest, Sha256};

use smp_server::codec::serial::{self, SerialDecoder};
use smp_server::dispatch::{Group, Params, Server, Transport};
use smp_server::flash::{FlashArea, FlashError};
use smp_server::groups::image::ImagePlatform;
use smp_server::groups::os::{
    BootloaderInfo, ClockError, DateTime, OsInfo, OsPlatform, TaskInfo,
};
use smp_server::groups::stat::{StatGroup, StatPlatform};
use smp_server::mcuboot::{BootConfig, BootMode};
use smp_server::netbuf::NetBuf;
use smp_server::{Error, GroupId, Header, MgmtErr, Op, Platform, Version, HEADER_LEN};

// ---------------------------------------------------------------------------
// Geometry

/// Each slot: 8 KiB of RAM, 1 KiB sectors, 4-byte writes (swap using move
/// leaves 6 KiB for the image).
const SLOT_SIZE: usize = 8 * 1024;
const ERASE_SIZE: u32 = 1024;
const WRITE_SIZE: u32 = 4;

/// The uploaded file: 32-byte header, body, TLV area with the SHA-256.
const IMAGE_LEN: usize = 4096;
const HDR_SIZE: usize = 32;
const TLV_AREA: usize = 4 + 4 + 32;
const BODY_LEN: usize = IMAGE_LEN - HDR_SIZE - TLV_AREA;

const MAX_PACKET: usize = 2048;
/// A serial frame of a packet of up to 384 bytes: base64 of len+packet+crc,
/// plus a marker and a newline every 127 bytes or less.
const FRAMES_MAX: usize = 1024;

static mut SLOTS: [[u8; SLOT_SIZE]; 2] = [[0xFF; SLOT_SIZE]; 2];
static mut IMAGE: [u8; IMAGE_LEN] = [0; IMAGE_LEN];
static mut REQ: [u8; MAX_PACKET] = [0; MAX_PACKET];
static mut TX: [u8; MAX_PACKET] = [0; MAX_PACKET];
static mut FRAMES: [u8; FRAMES_MAX] = [0; FRAMES_MAX];
static mut RSP_FRAMES: [u8; 512] = [0; 512];
static mut NETBUF: [u8; 512] = [0; 512];
static mut CLIENT_NETBUF: [u8; 512] = [0; 512];

// ---------------------------------------------------------------------------
// Failing loudly

fn fail(what: &str, detail: u32) -> ! {
    hprintln!("FAIL: {} ({})", what, detail);
    debug::exit(debug::EXIT_FAILURE);
    loop {}
}

#[exception]
unsafe fn HardFault(ef: &ExceptionFrame) -> ! {
    hprintln!("FAIL: HardFault at pc {:#010x}", ef.pc());
    debug::exit(debug::EXIT_FAILURE);
    loop {}
}

// ---------------------------------------------------------------------------
// Time base: SysTick on the core clock, reload 2^24 - 1, counting down.

const SYST_MASK: u32 = 0x00FF_FFFF;

#[inline(always)]
fn now() -> u32 {
    SYST::get_current()
}

/// Ticks from `start` to `end` (both `now()`); exact while the interval is
/// shorter than 2^24 ticks (checked against the wrap flag by the caller's
/// sizes: every interval here is far below that).
#[inline(always)]
fn ticks(start: u32, end: u32) -> u32 {
    start.wrapping_sub(end) & SYST_MASK
}

struct Clock {
    /// Ticks an empty interval (two `now()`) reads.
    overhead: u32,
    /// Instructions and ticks of the calibration loop.
    cal_insns: u64,
    cal_ticks: u64,
}

impl Clock {
    fn insns(&self, ticks: u64) -> u64 {
        (ticks * self.cal_insns + self.cal_ticks / 2) / self.cal_ticks
    }
}

/// A loop of exactly `2 * n` instructions (`subs`, `bne`).
#[inline(never)]
fn spin(n: u32) {
    unsafe {
        core::arch::asm!(
            "2:",
            "subs {0}, #1",
            "bne 2b",
            inout(reg) n => _,
            options(nomem, nostack),
        );
    }
}

fn calibrate() -> Clock {
    let t0 = now();
    let t1 = now();
    let overhead = ticks(t0, t1);
    const N: u32 = 1_000_000;
    let t0 = now();
    spin(N);
    let t1 = now();
    let cal_ticks = u64::from(ticks(t0, t1).saturating_sub(overhead));
    if cal_ticks == 0 {
        fail("SysTick does not count (is QEMU run with -icount?)", 0);
    }
    Clock {
        overhead,
        cal_insns: 2 * u64::from(N),
        cal_ticks,
    }
}

// ---------------------------------------------------------------------------
// Peak stack use: paint the free stack, find the lowest overwritten word.

mod stack {
    /// What painted, never-written stack words hold.
    const PATTERN: u32 = 0xDEAD_BEEF;
    /// Left unpainted below the SP at painting time (`paint`'s own frame and
    /// anything the caller may still have there).
    const MARGIN: usize = 256;

    extern "C" {
        // cortex-m-rt 0.7 (link.x): `_stack_end` is the end of .bss/.uninit
        // (4-aligned, = `__sheap`), `_stack_start` the initial SP (top of RAM).
        static _stack_end: u32;
        static _stack_start: u32;
    }

    /// Lowest address of the stack (end of the statics).
    pub fn bottom() -> usize {
        // Only the symbol's address is taken (no read): safe.
        core::ptr::addr_of!(_stack_end) as usize
    }

    /// Initial SP (top of RAM).
    pub fn top() -> usize {
        // Only the symbol's address is taken (no read): safe.
        core::ptr::addr_of!(_stack_start) as usize
    }

    /// Paints [`bottom()`, SP - `MARGIN`) with `PATTERN`; returns the top of
    /// the painted area. Not inlined, and a leaf with no locals in memory:
    /// its frame (a few pushed registers) lies well within the margin.
    #[inline(never)]
    pub fn paint() -> usize {
        let sp = cortex_m::register::msp::read() as usize;
        let end = (sp - MARGIN) & !3;
        let mut p = bottom();
        while p < end {
            // SAFETY: [bottom(), end) is free stack: below the live frames
            // (more than MARGIN below this function's SP) and above the
            // statics; nothing else uses it (no heap, no interrupts enabled).
            unsafe { (p as *mut u32).write_volatile(PATTERN) };
            p += 4;
        }
        end
    }

    /// Lowest overwritten word of the area `paint` returned `end` for
    /// (`end` itself if none was).
    #[inline(never)]
    pub fn lowest_used(end: usize) -> usize {
        let mut p = bottom();
        // SAFETY: reads of free stack words in [bottom(), end), all in RAM.
        while p < end && unsafe { (p as *const u32).read_volatile() } == PATTERN {
            p += 4;
        }
        p
    }
}

/// Deepest point of the measured calls: the lowest stack address they wrote,
/// and the caller's SP at that call.
struct StackPeak {
    low: usize,
    entry_sp: usize,
}

impl StackPeak {
    const fn new() -> Self {
        StackPeak { low: usize::MAX, entry_sp: 0 }
    }

    /// After a measured call made with SP `entry_sp` on an area painted up to
    /// `end`.
    fn record(&mut self, entry_sp: usize, end: usize) {
        let low = stack::lowest_used(end);
        if low >= end {
            // Nothing below the margin was written: the figure would be the
            // margin, not the use.
            fail("stack: the measured call did not reach the painted area", (entry_sp - end) as u32);
        }
        if low <= stack::bottom() {
            fail("stack: the painted area was used up to its bottom", low as u32);
        }
        if low < self.low {
            self.low = low;
            self.entry_sp = entry_sp;
        }
    }
}

// ---------------------------------------------------------------------------
// The fake platform: RAM slots, minimal os and stat.

struct RamSlot {
    mem: &'static mut [u8; SLOT_SIZE],
}

fn span(off: u32, len: usize) -> Result<core::ops::Range<usize>, FlashError> {
    let from = off as usize;
    let to = from.checked_add(len).ok_or(FlashError::OutOfBounds)?;
    if to > SLOT_SIZE {
        return Err(FlashError::OutOfBounds);
    }
    Ok(from..to)
}

impl FlashArea for RamSlot {
    fn size(&self) -> u32 {
        SLOT_SIZE as u32
    }
    fn erase_size(&self) -> u32 {
        ERASE_SIZE
    }
    fn write_size(&self) -> u32 {
        WRITE_SIZE
    }
    fn read(&mut self, offset: u32, bytes: &mut [u8]) -> Result<(), FlashError> {
        bytes.copy_from_slice(&self.mem[span(offset, bytes.len())?]);
        Ok(())
    }
    fn write(&mut self, offset: u32, bytes: &[u8]) -> Result<(), FlashError> {
        if offset % WRITE_SIZE != 0 || bytes.len() % WRITE_SIZE as usize != 0 {
            return Err(FlashError::NotAligned);
        }
        self.mem[span(offset, bytes.len())?].copy_from_slice(bytes);
        Ok(())
    }
    fn erase(&mut self, from: u32, to: u32) -> Result<(), FlashError> {
        if from % ERASE_SIZE != 0 || to % ERASE_SIZE != 0 || to < from {
            return Err(FlashError::NotAligned);
        }
        self.mem[span(from, (to - from) as usize)?].fill(0xFF);
        Ok(())
    }
}

struct Slots {
    slots: [RamSlot; 2],
}

impl ImagePlatform for Slots {
    fn image_count(&self) -> u8 {
        1
    }
    fn slot(&mut self, slot: u8) -> Option<&mut dyn FlashArea> {
        self.slots
            .get_mut(usize::from(slot))
            .map(|s| s as &mut dyn FlashArea)
    }
    fn active_slot(&self, _image: u8) -> u8 {
        0
    }
    fn boot_config(&self) -> BootConfig {
        BootConfig {
            mode: BootMode::SwapUsingMove,
            max_align: 8,
            downgrade_prevention: false,
        }
    }
}

struct Stats;

impl StatPlatform for Stats {
    fn transports(&self) -> &[Transport] {
        &[Transport::Udp, Transport::Serial]
    }
    fn for_each_group(
        &mut self,
        _visit: &mut dyn FnMut(StatGroup<'_>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        Ok(())
    }
}

struct Dev {
    slots: Slots,
    stats: Stats,
}

impl Platform for Dev {
    fn os(&mut self) -> &mut dyn OsPlatform {
        self
    }
    fn image(&mut self) -> Option<&mut dyn ImagePlatform> {
        Some(&mut self.slots)
    }
    fn stat(&mut self) -> Option<&mut dyn StatPlatform> {
        Some(&mut self.stats)
    }
}

impl OsPlatform for Dev {
    fn info(&self) -> OsInfo<'_> {
        OsInfo {
            kernel_name: "bench",
            node_name: "qemu",
            kernel_release: "0",
            kernel_version: "0",
            build_date_time: None,
            machine: "arm",
            processor: "cortex-m3",
            hardware_platform: "lm3s6965evb",
            operating_system: "none",
        }
    }
    fn tasks(
        &mut self,
        visit: &mut dyn FnMut(&TaskInfo<'_>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        visit(&TaskInfo {
            name: "main",
            prio: 0,
            tid: 0,
            state: 0,
            stack: None,
            runtime: None,
        })
    }
    fn datetime(&mut self) -> Result<DateTime, ClockError> {
        Err(ClockError::NotSet)
    }
    fn set_datetime(&mut self, _now: DateTime) -> Result<(), ClockError> {
        Err(ClockError::Failed)
    }
    fn prepare_reset(&mut self, _force: bool, _boot_mode: Option<u8>) -> Result<(), Error> {
        Err(MgmtErr::NotSup.into())
    }
    fn bootloader(&self) -> Option<BootloaderInfo> {
        Some(BootloaderInfo {
            name: "MCUboot",
            mode: 3,
            no_downgrade: false,
        })
    }
}

static GROUPS: &[&Group] = &[
    &smp_server::groups::os::GROUP,
    &smp_server::groups::image::GROUP,
    &smp_server::groups::stat::GROUP,
    &smp_server::groups::enumeration::GROUP,
];

// ---------------------------------------------------------------------------
// The image and the requests (client side, not measured).

/// Builds a valid MCUboot image (no protected TLVs) and returns the SHA-256 of
/// the whole file (the upload's `sha`).
fn build_image(img: &mut [u8; IMAGE_LEN]) -> [u8; 32] {
    let mut h = [0u8; HDR_SIZE];
    h[0..4].copy_from_slice(&0x96f3_b83du32.to_le_bytes()); // ih_magic
    h[4..8].copy_from_slice(&0u32.to_le_bytes()); // ih_load_addr
    h[8..10].copy_from_slice(&(HDR_SIZE as u16).to_le_bytes()); // ih_hdr_size
    h[10..12].copy_from_slice(&0u16.to_le_bytes()); // ih_protect_tlv_size
    h[12..16].copy_from_slice(&(BODY_LEN as u32).to_le_bytes()); // ih_img_size
    h[16..20].copy_from_slice(&0u32.to_le_bytes()); // ih_flags
    h[20] = 1; // iv_major
    h[21] = 2; // iv_minor
    h[22..24].copy_from_slice(&3u16.to_le_bytes()); // iv_revision
    h[24..28].copy_from_slice(&0u32.to_le_bytes()); // iv_build_num
    img[..HDR_SIZE].copy_from_slice(&h);
    let mut x = 0x1234_5678u32; // xorshift32: a body that is not all one value
    for b in img[HDR_SIZE..HDR_SIZE + BODY_LEN].iter_mut() {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        *b = x as u8;
    }
    let hash: [u8; 32] = Sha256::digest(&img[..HDR_SIZE + BODY_LEN]).into();
    let t = HDR_SIZE + BODY_LEN;
    img[t..t + 2].copy_from_slice(&0x6907u16.to_le_bytes()); // TLV info magic
    img[t + 2..t + 4].copy_from_slice(&(TLV_AREA as u16).to_le_bytes());
    img[t + 4..t + 6].copy_from_slice(&0x10u16.to_le_bytes()); // IMAGE_TLV_SHA256
    img[t + 6..t + 8].copy_from_slice(&32u16.to_le_bytes());
    img[t + 8..t + 40].copy_from_slice(&hash);
    Sha256::digest(&img[..]).into()
}

/// Encodes one upload request (SMP v2, group 1, id 1, write) into `buf`;
/// its length. `first` = (`len`, `sha`) for the chunk at offset 0.
fn encode_chunk(
    buf: &mut [u8],
    seq: u8,
    off: u32,
    data: &[u8],
    first: Option<(u32, &[u8; 32])>,
) -> usize {
    let payload_len = {
        let mut e = minicbor::Encoder::new(Cursor::new(&mut buf[HEADER_LEN..]));
        let r: Result<(), minicbor::encode::Error<_>> = (|| {
            match first {
                Some((len, sha)) => {
                    e.map(5)?;
                    e.str("image")?.u32(0)?;
                    e.str("len")?.u32(len)?;
                    e.str("off")?.u32(off)?;
                    e.str("sha")?.bytes(sha)?;
                }
                None => {
                    e.map(2)?;
                    e.str("off")?.u32(off)?;
                }
            }
            e.str("data")?.bytes(data)?;
            Ok(())
        })();
        if r.is_err() {
            fail("request does not fit the buffer", data.len() as u32);
        }
        e.into_writer().position()
    };
    let header = Header {
        op: Op::Write,
        version: Version::V2,
        flags: 0,
        len: payload_len as u16,
        group: GroupId::IMAGE,
        seq,
        id: 1,
    };
    buf[..HEADER_LEN].copy_from_slice(&header.encode());
    HEADER_LEN + payload_len
}

/// The data length of the next chunk so that its packet is at most `max`.
fn chunk_len(max: usize, off: u32, remaining: usize, first: Option<(u32, &[u8; 32])>) -> usize {
    let mut probe = [0u8; 128];
    // With empty data, the `data` string head is 1 byte; a long one takes 3.
    let fixed = encode_chunk(&mut probe, 0, off, &[], first) - 1 + 3;
    if fixed >= max {
        fail("packet size too small", max as u32);
    }
    remaining.min(max - fixed)
}

// ---------------------------------------------------------------------------
// Response checks (not measured).

/// Decodes an upload response: `Ok(off, match)`, or fails loudly on `rc` (not
/// 0), `err`, an unexpected header or key.
fn check_response(rsp: &[u8], seq: u8, want_off: u32, last: bool) {
    let Some(h) = Header::parse(rsp) else {
        fail("no response (or shorter than a header)", rsp.len() as u32)
    };
    if h.op != Op::WriteRsp || h.group != GroupId::IMAGE || h.id != 1 || h.seq != seq {
        fail("response header is not an upload response", u32::from(h.seq));
    }
    if usize::from(h.len) + HEADER_LEN != rsp.len() {
        fail("response length disagrees with its header", rsp.len() as u32);
    }
    let mut d = minicbor::Decoder::new(&rsp[HEADER_LEN..]);
    let entries = match d.map() {
        Ok(n) => n,
        Err(_) => fail("response payload is not a map", 0),
    };
    let (mut off, mut matched) = (None, None);
    let mut i = 0u64;
    loop {
        match entries {
            Some(n) if i == n => break,
            None if matches!(d.datatype(), Ok(Type::Break)) => break,
            _ => {}
        }
        i += 1;
        let Ok(key) = d.str() else {
            fail("response key is not a text string", i as u32)
        };
        match key {
            "off" => off = Some(d.u32().unwrap_or_else(|_| fail("off is not a u32", 0))),
            "match" => matched = Some(d.bool().unwrap_or_else(|_| fail("match is not a bool", 0))),
            "rc" => {
                let rc = d.u32().unwrap_or(u32::MAX);
                if rc != 0 {
                    fail("upload answered with rc", rc);
                }
            }
            "err" => {
                let _ = d.map();
                let (mut group, mut rc) = (u32::MAX, u32::MAX);
                for _ in 0..2 {
                    match d.str() {
                        Ok("group") => group = d.u32().unwrap_or(u32::MAX),
                        Ok("rc") => rc = d.u32().unwrap_or(u32::MAX),
                        _ => break,
                    }
                }
                hprintln!("FAIL: upload answered with err {{group: {}, rc: {}}}", group, rc);
                debug::exit(debug::EXIT_FAILURE);
                loop {}
            }
            _ => fail("unexpected key in the upload response", 0),
        }
    }
    if off != Some(want_off) {
        fail("response off is not the expected one", off.unwrap_or(u32::MAX));
    }
    if last && matched != Some(true) {
        fail("last response lacks match: true", 0);
    }
    if !last && matched.is_some() {
        fail("match before the last chunk", 0);
    }
}

/// Whether the response is an error (for the checker's control run).
fn is_error_response(rsp: &[u8]) -> bool {
    let mut d = minicbor::Decoder::new(rsp.get(HEADER_LEN..).unwrap_or_default());
    if d.map().is_err() {
        return false;
    }
    matches!(d.str(), Ok("rc") | Ok("err"))
}

// ---------------------------------------------------------------------------
// Runs

#[derive(Clone, Copy, PartialEq)]
enum Link {
    Udp,
    Serial,
}

#[derive(Default)]
struct Result_ {
    requests: u32,
    total: u64,
    first: u64,
    last: u64,
    middle: u64,
    middle_bytes: u64,
    request_bytes: u64,
}

struct Bench {
    dev: Dev,
    clock: Clock,
    image: &'static [u8; IMAGE_LEN],
    sha: [u8; 32],
    inject_error: bool,
    stack: StackPeak,
}

impl Bench {
    fn erase_slots(&mut self) {
        for s in self.dev.slots.slots.iter_mut() {
            s.mem.fill(0xFF);
        }
    }

    fn run(&mut self, link: Link, max: usize) -> Result_ {
        self.erase_slots();
        let req = unsafe { &mut *addr_of_mut!(REQ) };
        let tx = unsafe { &mut *addr_of_mut!(TX) };
        let frames = unsafe { &mut *addr_of_mut!(FRAMES) };
        let rsp_frames = unsafe { &mut *addr_of_mut!(RSP_FRAMES) };
        let mut netbuf = NetBuf::new(unsafe { &mut *addr_of_mut!(NETBUF) });
        let mut client_nb = NetBuf::new(unsafe { &mut *addr_of_mut!(CLIENT_NETBUF) });
        let mut decoder = SerialDecoder::new();
        let mut server = Server::new(
            GROUPS,
            Params {
                buf_size: max,
                buf_count: 4,
            },
        );
        let mut r = Result_::default();
        let mut off = 0usize;
        let mut seq = 0u8;
        while off < IMAGE_LEN {
            let first = (off == 0).then_some((IMAGE_LEN as u32, &self.sha));
            let n = chunk_len(max, off as u32, IMAGE_LEN - off, first);
            let data = &self.image[off..off + n];
            let len = encode_chunk(req, seq, off as u32, data, first);
            if len > max {
                fail("request longer than the packet size", len as u32);
            }
            if self.inject_error && off == 0 {
                // Break the image header's magic: the server must answer an
                // error, and the bench must fail.
                req[len - n] ^= 0xFF;
            }
            r.request_bytes += len as u64;
            let last = off + n == IMAGE_LEN;

            let elapsed;
            let rsp: &[u8];
            match link {
                Link::Udp => {
                    let mut rsp_len = 0;
                    let painted = stack::paint();
                    let sp = cortex_m::register::msp::read() as usize;
                    let t0 = now();
                    server.process(&mut self.dev, Transport::Udp, &req[..len], tx, &mut |p| {
                        rsp_len = p.len()
                    });
                    let t1 = now();
                    elapsed = ticks(t0, t1);
                    self.stack.record(sp, painted);
                    rsp = &tx[..rsp_len];
                }
                Link::Serial => {
                    let mut flen = 0;
                    serial::encode(&req[..len], &mut |line| {
                        frames[flen..flen + line.len()].copy_from_slice(line);
                        flen += line.len();
                    });
                    if flen == 0 {
                        fail("request could not be framed", len as u32);
                    }
                    let mut rlen = 0;
                    let mut packets = 0;
                    let painted = stack::paint();
                    let sp = cortex_m::register::msp::read() as usize;
                    let t0 = now();
                    for &b in frames[..flen].iter() {
                        if decoder.push(b, &mut netbuf) {
                            packets += 1;
                            server.process(
                                &mut self.dev,
                                Transport::Serial,
                                netbuf.bytes(),
                                tx,
                                &mut |p| {
                                    serial::encode(p, &mut |line| {
                                        let end = (rlen + line.len()).min(rsp_frames.len());
                                        rsp_frames[rlen..end].copy_from_slice(&line[..end - rlen]);
                                        rlen = end;
                                    })
                                },
                            );
                            netbuf.clear();
                        }
                    }
                    let t1 = now();
                    elapsed = ticks(t0, t1);
                    self.stack.record(sp, painted);
                    if packets != 1 {
                        fail("serial decoder did not yield exactly one packet", packets);
                    }
                    // The client's side: unframe the response.
                    let mut client = SerialDecoder::new();
                    client_nb.clear();
                    let mut got = false;
                    for &b in rsp_frames[..rlen].iter() {
                        got |= client.push(b, &mut client_nb);
                    }
                    if !got {
                        fail("no complete serial response frame", rlen as u32);
                    }
                    rsp = client_nb.bytes();
                }
            }
            let insns = self.clock.insns(u64::from(elapsed.saturating_sub(self.clock.overhead)));
            check_response(rsp, seq, (off + n) as u32, last);
            r.requests += 1;
            r.total += insns;
            if off == 0 {
                r.first = insns;
            } else if last {
                r.last = insns;
            } else {
                r.middle += insns;
                r.middle_bytes += n as u64;
            }
            off += n;
            seq = seq.wrapping_add(1);
        }
        self.verify_slot();
        r
    }

    /// The slot holds the file, and it is a valid MCUboot image.
    fn verify_slot(&mut self) {
        let slot = &mut self.dev.slots.slots[1];
        if slot.mem[..IMAGE_LEN] != self.image[..] {
            fail("slot 1 does not hold the uploaded file", 0);
        }
        let info = match smp_server::mcuboot::read_image_info(slot) {
            Ok(i) => i,
            Err(_) => fail("slot 1 holds no valid MCUboot image", 0),
        };
        match smp_server::mcuboot::image_hash(slot, &info.header) {
            Ok(h) if h == info.hash => {}
            _ => fail("image hash does not match its SHA-256 TLV", 0),
        }
        if info.total_len as usize != IMAGE_LEN {
            fail("image length", info.total_len);
        }
    }

    /// The checker must see an error response as one: a first chunk with a
    /// broken header magic is answered with an error.
    fn control(&mut self) {
        self.erase_slots();
        let req = unsafe { &mut *addr_of_mut!(REQ) };
        let tx = unsafe { &mut *addr_of_mut!(TX) };
        let mut server = Server::new(GROUPS, Params { buf_size: 1024, buf_count: 4 });
        let n = 256;
        let len = encode_chunk(req, 7, 0, &self.image[..n], Some((IMAGE_LEN as u32, &self.sha)));
        req[len - n] ^= 0xFF;
        let mut rsp_len = 0;
        server.process(&mut self.dev, Transport::Udp, &req[..len], tx, &mut |p| rsp_len = p.len());
        if !is_error_response(&tx[..rsp_len]) {
            fail("control: a broken header was not answered with an error", 0);
        }
    }

    /// SHA-256 of the 4 KiB file through the slot (what the upload does twice:
    /// `sha` checked against the slot at the first chunk, `match` at the last).
    fn sha_cost(&mut self) -> u64 {
        let slot = &mut self.dev.slots.slots[1];
        let t0 = now();
        let d = smp_server::mcuboot::sha256_of(slot, 0, IMAGE_LEN as u32);
        let t1 = now();
        if d.ok() != Some(self.sha) {
            fail("sha256_of of the slot", 0);
        }
        self.clock
            .insns(u64::from(ticks(t0, t1).saturating_sub(self.clock.overhead)))
    }
}

fn cmdline_has(word: &[u8]) -> bool {
    let mut buf = [0u8; 128];
    let mut block = [buf.as_mut_ptr() as usize, buf.len()];
    let rc = unsafe {
        cortex_m_semihosting::syscall1(
            cortex_m_semihosting::nr::GET_CMDLINE,
            block.as_mut_ptr() as usize,
        )
    };
    if rc != 0 {
        return false;
    }
    let line = &buf[..block[1].min(buf.len())];
    line.windows(word.len()).any(|w| w == word)
}

/// Whether QEMU implements the DWT cycle counter (semihosting argument
/// `probe-dwt`; QEMU 7.2 does not: the registers read as zero, or fault).
fn probe_dwt() {
    let demcr = 0xE000_EDFC as *mut u32;
    let ctrl = 0xE000_1000 as *mut u32;
    let cyccnt = 0xE000_1004 as *mut u32;
    unsafe {
        demcr.write_volatile(demcr.read_volatile() | (1 << 24));
        ctrl.write_volatile(ctrl.read_volatile() | 1);
        let a = cyccnt.read_volatile();
        spin(1000);
        let b = cyccnt.read_volatile();
        hprintln!("DWT ctrl={:#010x} cyccnt delta over 2000 insns={}", ctrl.read_volatile(), b.wrapping_sub(a));
    }
}

#[entry]
fn main() -> ! {
    let mut cp = cortex_m::Peripherals::take().unwrap();
    // QEMU's LM3S6965 system clock: at reset RCC gives 80 ns per core clock
    // (SYSDIV 15); USESYSDIV with SYSDIV 0 gives 5 ns. Only the SysTick's
    // resolution changes (16 -> 1 tick per 5 instructions under
    // -icount shift=0): the calibration below measures it either way.
    let rcc = 0x400F_E060 as *mut u32;
    unsafe { rcc.write_volatile((rcc.read_volatile() & !(0xF << 23)) | (1 << 22)) };
    cp.SYST.set_clock_source(SystClkSource::Core);
    cp.SYST.set_reload(SYST_MASK);
    cp.SYST.clear_current();
    cp.SYST.disable_interrupt();
    cp.SYST.enable_counter();

    let clock = calibrate();
    hprintln!(
        "CAL insns={} ticks={} overhead_ticks={}",
        clock.cal_insns,
        clock.cal_ticks,
        clock.overhead
    );

    if cmdline_has(b"probe-dwt") {
        probe_dwt();
    }

    let image = unsafe { &mut *addr_of_mut!(IMAGE) };
    let sha = build_image(image);
    let [s0, s1] = unsafe { &mut *addr_of_mut!(SLOTS) };
    let mut bench = Bench {
        dev: Dev {
            slots: Slots {
                slots: [RamSlot { mem: s0 }, RamSlot { mem: s1 }],
            },
            stats: Stats,
        },
        clock,
        image,
        sha,
        inject_error: cmdline_has(b"inject-error"),
        stack: StackPeak::new(),
    };

    bench.control();
    hprintln!("CONTROL ok: an error response is detected");
    if bench.inject_error {
        hprintln!("INJECT: the first chunk of every run has a broken header");
    }

    for (link, max) in [
        (Link::Udp, 384),
        (Link::Udp, 1024),
        (Link::Udp, 2048),
        (Link::Serial, 384),
    ] {
        let r = bench.run(link, max);
        hprintln!(
            "RESULT transport={} max_packet={} requests={} bytes={} request_bytes={} insns={} first={} last={} middle={} middle_bytes={}",
            if link == Link::Udp { "udp" } else { "serial" },
            max,
            r.requests,
            IMAGE_LEN,
            r.request_bytes,
            r.total,
            r.first,
            r.last,
            r.middle,
            r.middle_bytes
        );
    }
    let sha = bench.sha_cost();
    hprintln!("SHA256 bytes={} insns={}", IMAGE_LEN, sha);
    // peak_bytes: from the top of RAM (the initial SP) to the lowest word the
    // measured calls wrote; below_entry_bytes: from the SP of the frame that
    // made the deepest call (run's) to that word, i.e. what the server and
    // the serial codec need themselves.
    let st = &bench.stack;
    hprintln!(
        "STACK peak_bytes={} below_entry_bytes={} entry_sp={:#010x} low={:#010x} stack_top={:#010x} stack_bottom={:#010x} available_bytes={}",
        stack::top() - st.low,
        st.entry_sp - st.low,
        st.entry_sp,
        st.low,
        stack::top(),
        stack::bottom(),
        stack::top() - stack::bottom()
    );
    hprintln!("DONE");
    debug::exit(debug::EXIT_SUCCESS);
    loop {}
}
