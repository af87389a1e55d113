//! The core's test bench: one fake per group platform (one file each, named
//! as the group), the device that composes them, and a server with all nine
//! groups kept across requests.

pub mod cbor;
pub mod fs;
pub mod hooks;
pub mod image;
pub mod memfault;
pub mod os;
pub mod settings;
pub mod shell;
pub mod stat;
pub mod zephyr_basic;

use crate::dispatch::{AfterResponse, Group, Params, Server};
use crate::groups::{
    enumeration, fs as fs_group, image as image_group, memfault as memfault_group,
};
use crate::groups::{os as os_group, settings as settings_group, shell as shell_group};
use crate::groups::{stat as stat_group, zephyr_basic as zephyr_basic_group};
use crate::platform::{
    BasicPlatform, FsPlatform, ImagePlatform, MemfaultPlatform, OsPlatform, Platform,
    SettingsPlatform, ShellPlatform, StatPlatform,
};
use crate::request::Transport;

pub use self::fs::FakeFs;
pub use self::hooks::RecordingHooks;
pub use self::image::FakeImage;
pub use self::memfault::FakeMemfault;
pub use self::os::FakeOs;
pub use self::settings::FakeSettings;
pub use self::shell::FakeShell;
pub use self::stat::{FakeStat, RadioCounters};
pub use self::zephyr_basic::FakeBasic;

/// Every group, in registration order.
pub static ALL_GROUPS: &[&Group] = &[
    &os_group::GROUP,
    &image_group::GROUP,
    &enumeration::GROUP,
    &stat_group::GROUP,
    &settings_group::GROUP,
    &fs_group::GROUP,
    &shell_group::GROUP,
    &zephyr_basic_group::GROUP,
    &memfault_group::GROUP,
];

pub const V1_READ: u8 = 0x00;
pub const V1_WRITE: u8 = 0x02;
pub const V2_READ: u8 = 0x08;
pub const V2_WRITE: u8 = 0x0A;

/// The platform of the bench: the os fake plus one fake per group.
#[derive(Default)]
pub struct Device {
    pub base: FakeOs,
    pub image: Option<FakeImage>,
    pub stat: Option<FakeStat>,
    pub settings: Option<FakeSettings>,
    pub fs: Option<FakeFs>,
    pub shell: Option<FakeShell>,
    pub basic: Option<FakeBasic>,
    pub memfault: Option<FakeMemfault>,
    /// The application's state, for application groups.
    pub app: Option<Box<dyn std::any::Any>>,
}

impl Platform for Device {
    fn os(&mut self) -> &mut dyn OsPlatform {
        &mut self.base
    }

    fn image(&mut self) -> Option<&mut dyn ImagePlatform> {
        self.image.as_mut().map(|s| s as _)
    }

    fn stat(&mut self) -> Option<&mut dyn StatPlatform> {
        self.stat.as_mut().map(|s| s as _)
    }

    fn settings(&mut self) -> Option<&mut dyn SettingsPlatform> {
        self.settings.as_mut().map(|s| s as _)
    }

    fn fs(&mut self) -> Option<&mut dyn FsPlatform> {
        self.fs.as_mut().map(|s| s as _)
    }

    fn shell(&mut self) -> Option<&mut dyn ShellPlatform> {
        self.shell.as_mut().map(|s| s as _)
    }

    fn basic(&mut self) -> Option<&mut dyn BasicPlatform> {
        self.basic.as_mut().map(|s| s as _)
    }

    fn memfault(&mut self) -> Option<&mut dyn MemfaultPlatform> {
        self.memfault.as_mut().map(|s| s as _)
    }

    fn app(&mut self) -> Option<&mut dyn std::any::Any> {
        self.app.as_deref_mut()
    }
}

/// A server with every group and a device, kept across requests.
pub struct Bench {
    /// Tells benches apart in recorded fuzz seeds ([`record_seed`]).
    pub id: u64,
    pub server: Server<'static>,
    pub dev: Device,
    /// The application's hooks, recording every call.
    pub hooks: RecordingHooks,
    /// Confine the fs group to these roots ([`crate::hooks::fs_roots::FsRoots`] around
    /// `hooks`).
    pub fs_roots: Option<&'static str>,
    /// What the last request asked to do after its response.
    pub after_response: Option<AfterResponse>,
    pub tx_size: usize,
    pub transport: Transport,
}

impl Bench {
    pub fn new(dev: Device) -> Self {
        Bench::with_groups(ALL_GROUPS, dev)
    }

    /// A bench whose server has only `groups`.
    pub fn with_groups(groups: &'static [&'static Group], dev: Device) -> Self {
        Bench {
            id: next_bench_id(),
            server: Server::new(groups, PARAMS),
            dev,
            hooks: RecordingHooks::default(),
            fs_roots: None,
            after_response: None,
            tx_size: PARAMS.buf_size,
            transport: Transport::Udp,
        }
    }

    /// A bench whose device has every group's fake.
    pub fn full() -> Self {
        Bench::new(Device {
            image: Some(FakeImage::single()),
            stat: Some(FakeStat {
                transports: vec![Transport::Udp, Transport::Serial],
                radio: RadioCounters {
                    tx_frames: 7,
                    rx_frames: 300,
                },
            }),
            settings: Some(FakeSettings::default()),
            fs: Some(FakeFs::default()),
            shell: Some(FakeShell::default()),
            basic: Some(FakeBasic::default()),
            memfault: Some(FakeMemfault::default()),
            ..Default::default()
        })
    }

    pub fn fs(&mut self) -> &mut FakeFs {
        self.dev.fs.as_mut().expect("fs fake")
    }

    pub fn settings(&mut self) -> &mut FakeSettings {
        self.dev.settings.as_mut().expect("settings fake")
    }

    /// Sends raw bytes; every response packet.
    pub fn raw(&mut self, input: &[u8]) -> Vec<Vec<u8>> {
        record_seed(self.id, input);
        let mut tx = vec![0u8; self.tx_size];
        let mut responses = Vec::new();
        let mut confined;
        let hooks: &mut dyn crate::Hooks = match self.fs_roots {
            Some(roots) => {
                confined = crate::hooks::fs_roots::FsRoots::new(roots, &mut self.hooks);
                &mut confined
            }
            None => &mut self.hooks,
        };
        self.after_response = self.server.process_with_hooks(
            &mut self.dev,
            hooks,
            self.transport,
            input,
            &mut tx,
            &mut |r| responses.push(r.to_vec()),
        );
        responses
    }

    /// One request whose payload is given as [`bytes`] notation; the whole
    /// response packet.
    pub fn packet(&mut self, op: u8, group: u16, id: u8, body: &str) -> Vec<u8> {
        self.packet_bytes(op, group, id, &bytes(body))
    }

    pub fn packet_bytes(&mut self, op: u8, group: u16, id: u8, payload: &[u8]) -> Vec<u8> {
        let mut responses = self.raw(&packet(op, group, 1, id, payload));
        assert_eq!(responses.len(), 1, "responses: {responses:02x?}");
        responses.remove(0)
    }

    /// One request; the response payload.
    pub fn ask(&mut self, op: u8, group: u16, id: u8, body: &str) -> Vec<u8> {
        self.packet(op, group, id, body)[8..].to_vec()
    }

    pub fn ask_bytes(&mut self, op: u8, group: u16, id: u8, payload: &[u8]) -> Vec<u8> {
        self.packet_bytes(op, group, id, payload)[8..].to_vec()
    }
}

/// `{"rc": N}`
pub fn rc(n: u8) -> Vec<u8> {
    vec![0xBF, 0x62, b'r', b'c', n, 0xFF]
}

/// `{"err": {"group": G, "rc": R}}`
pub fn err(group: u16, rc: u8) -> Vec<u8> {
    let mut out = bytes(r#"bf 63 "err" bf 65 "group""#);
    if group < 24 {
        out.push(group as u8);
    } else if group < 256 {
        out.extend([0x18, group as u8]);
    }
    out.extend(bytes(r#"62 "rc""#));
    if rc >= 24 {
        out.push(0x18);
    }
    out.push(rc);
    out.extend([0xFF, 0xFF]);
    out
}

/// What one call of [`Server::process`] sent back.
pub struct Exchange {
    pub responses: Vec<Vec<u8>>,
    pub after_response: Option<AfterResponse>,
}

impl Exchange {
    /// The single response, or a panic naming how many there were.
    pub fn only(&self) -> &[u8] {
        assert_eq!(
            self.responses.len(),
            1,
            "responses: {:02x?}",
            self.responses
        );
        &self.responses[0]
    }
}

pub const PARAMS: Params = Params {
    buf_size: 384,
    buf_count: 4,
};

/// Runs `input` through a fresh server with every group, on a device that
/// has only `os` (every other group answers rc 8), with a response buffer of
/// `tx_size`; `os` keeps what the requests changed.
pub fn exchange_with(os: &mut FakeOs, input: &[u8], tx_size: usize) -> Exchange {
    let mut bench = Bench::new(Device {
        base: std::mem::take(os),
        ..Device::default()
    });
    bench.tx_size = tx_size;
    record_seed(bench.id, input);
    let mut responses = Vec::new();
    let mut tx = vec![0u8; tx_size];
    let after_response =
        bench
            .server
            .process(&mut bench.dev, Transport::Udp, input, &mut tx, &mut |r| {
                responses.push(r.to_vec())
            });
    *os = bench.dev.base;
    Exchange {
        responses,
        after_response,
    }
}

/// [`exchange_with`] with a buffer of the default size.
pub fn exchange(os: &mut FakeOs, input: &[u8]) -> Exchange {
    exchange_with(os, input, PARAMS.buf_size)
}

/// A number no other bench of this process has, for [`record_seed`].
pub fn next_bench_id() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// Where the unit tests' requests are written, when `SMP_FUZZ_SEEDS` names a
/// folder: `<folder>/<test>.<bench id>/<n>`, one file per [`Server::process`]
/// call, so that each bench's requests can be replayed in order. The fuzz
/// targets' seed corpus is made from them (`scripts/fuzz-seeds`): the
/// protocol's byte vectors as the tests send them, multi-step transfers
/// included.
#[cfg(test)]
pub fn record_seed(bench: u64, input: &[u8]) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static CALLS: AtomicUsize = AtomicUsize::new(0);
    let Some(root) = std::env::var_os("SMP_FUZZ_SEEDS") else {
        return;
    };
    let thread = std::thread::current();
    let test = thread.name().unwrap_or("unnamed");
    // The randomised tests would add tens of thousands of requests that
    // say nothing the fuzzer does not find by itself.
    if test.starts_with("robustness::") {
        return;
    }
    let dir = std::path::Path::new(&root).join(format!("{test}.{bench}"));
    std::fs::create_dir_all(&dir).expect("seed folder");
    let n = CALLS.fetch_add(1, Ordering::Relaxed);
    std::fs::write(dir.join(format!("{n:08}")), input).expect("seed file");
}

/// Outside the unit tests (the fuzz targets' builds) nothing is recorded.
#[cfg(not(test))]
pub fn record_seed(_bench: u64, _input: &[u8]) {}

/// Builds a request packet: header fields and a CBOR payload.
pub fn packet(op_byte: u8, group: u16, seq: u8, id: u8, payload: &[u8]) -> Vec<u8> {
    let mut p = vec![op_byte, 0];
    p.extend_from_slice(&(payload.len() as u16).to_be_bytes());
    p.extend_from_slice(&group.to_be_bytes());
    p.extend_from_slice(&[seq, id]);
    p.extend_from_slice(payload);
    p
}

/// Parses hex with optional spaces and `"text"` segments taken as UTF-8 bytes,
/// so vectors read like the reference: `bf 66 "output" 66 "Zephyr" ff`.
pub fn bytes(spec: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, part) in spec.split('"').enumerate() {
        if i % 2 == 1 {
            out.extend_from_slice(part.as_bytes());
        } else {
            let hex: String = part.chars().filter(|c| !c.is_whitespace()).collect();
            out.extend(hex::decode(hex).expect("hex"));
        }
    }
    out
}
