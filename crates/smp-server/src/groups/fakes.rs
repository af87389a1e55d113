//! In-memory fakes of the group platforms and a bench that keeps one server
//! across requests (open transfers, counters), for the groups' unit tests.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use crate::dispatch::{Group, Server, Transport};
use crate::error::Error;
use crate::groups::fs::{FsFailure, FsPlatform, OpenMode};
use crate::groups::memfault::{DeviceInfo, MemfaultPlatform};
use crate::groups::settings::{SettingsFailure, SettingsPlatform};
use crate::groups::shell::{Argv, ShellOutput, ShellPlatform};
use crate::groups::stat::{StatGroup, StatPlatform};
use crate::groups::zephyr_basic::{BasicError, BasicPlatform};
use crate::groups::{enumeration, fs, memfault, os, settings, shell, stat, zephyr_basic};
use crate::platform::{Access, OsPlatform, Platform};
use crate::testing::{bytes, packet, FakePlatform, PARAMS};

/// Every group, in registration order.
pub static ALL_GROUPS: &[&Group] = &[
    &os::GROUP,
    &enumeration::GROUP,
    &stat::GROUP,
    &settings::GROUP,
    &fs::GROUP,
    &shell::GROUP,
    &zephyr_basic::GROUP,
    &memfault::GROUP,
];

pub const V1_READ: u8 = 0x00;
pub const V1_WRITE: u8 = 0x02;
pub const V2_READ: u8 = 0x08;
pub const V2_WRITE: u8 = 0x0A;

crate::stat_counters! {
    /// A device group for the tests.
    pub struct RadioCounters { tx_frames, rx_frames }
}

pub struct FakeStat {
    pub transports: Vec<Transport>,
    pub radio: RadioCounters,
}

impl StatPlatform for FakeStat {
    fn transports(&self) -> &[Transport] {
        &self.transports
    }

    fn for_each_group(
        &mut self,
        visit: &mut dyn FnMut(StatGroup<'_>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        visit(StatGroup {
            name: "radio",
            counters: &self.radio,
        })
    }
}

#[derive(Default)]
pub struct FakeSettings {
    pub running: BTreeMap<String, Vec<u8>>,
    pub stored: BTreeMap<String, Vec<u8>>,
    /// Overrides the default value limit.
    pub value_len: Option<usize>,
    /// Roots with a handler; any root when empty.
    pub roots: Vec<&'static str>,
    pub commits: usize,
    pub fail: Option<SettingsFailure>,
}

impl FakeSettings {
    fn check_root(&self, name: &str) -> Result<(), SettingsFailure> {
        let root = name.split('/').next().unwrap_or_default();
        if self.roots.is_empty() || self.roots.contains(&root) {
            Ok(())
        } else {
            Err(SettingsFailure::RootNotFound)
        }
    }

    fn failing(&self) -> Result<(), SettingsFailure> {
        self.fail.map_or(Ok(()), Err)
    }
}

impl SettingsPlatform for FakeSettings {
    fn value_len(&self) -> usize {
        self.value_len.unwrap_or(settings::VALUE_LEN)
    }

    fn read(&mut self, name: &str, out: &mut [u8]) -> Result<usize, SettingsFailure> {
        self.failing()?;
        self.check_root(name)?;
        let value = self.running.get(name).ok_or(SettingsFailure::NotFound)?;
        let n = value.len().min(out.len());
        out[..n].copy_from_slice(&value[..n]);
        Ok(value.len())
    }

    fn write(&mut self, name: &str, value: &[u8]) -> Result<(), SettingsFailure> {
        self.failing()?;
        self.check_root(name)?;
        self.running.insert(name.into(), value.into());
        Ok(())
    }

    fn delete(&mut self, name: &str) -> Result<(), SettingsFailure> {
        self.failing()?;
        self.check_root(name)?;
        let was_running = self.running.remove(name).is_some();
        let was_stored = self.stored.remove(name).is_some();
        if was_running || was_stored {
            Ok(())
        } else {
            Err(SettingsFailure::NotFound)
        }
    }

    fn commit(&mut self) -> Result<(), SettingsFailure> {
        self.failing()?;
        self.commits += 1;
        Ok(())
    }

    fn load(&mut self) -> Result<(), SettingsFailure> {
        self.failing()?;
        for (k, v) in &self.stored {
            self.running.insert(k.clone(), v.clone());
        }
        self.commits += 1;
        Ok(())
    }

    fn save(&mut self, name: Option<&str>) -> Result<(), SettingsFailure> {
        self.failing()?;
        for (k, v) in &self.running {
            let wanted = match name {
                None => true,
                Some(n) => k == n || k.strip_prefix(n).is_some_and(|r| r.starts_with('/')),
            };
            if wanted {
                self.stored.insert(k.clone(), v.clone());
            }
        }
        Ok(())
    }
}

/// An in-memory file system with one mount point, `/lfs`.
pub struct FakeFs {
    pub now: u64,
    pub files: BTreeMap<String, Vec<u8>>,
    pub dirs: BTreeSet<String>,
    /// Paths that resolve out of the mount point (a symbolic link out).
    pub escapes: BTreeSet<String>,
    pub read_only: bool,
    pub fail_reads: bool,
    pub fail_writes: bool,
    pub open: Option<(String, OpenMode)>,
    /// Most bytes one read call returns (exercises the read loop).
    pub read_piece: usize,
    pub closes: usize,
}

impl Default for FakeFs {
    fn default() -> Self {
        FakeFs {
            now: 1000,
            files: BTreeMap::new(),
            dirs: ["/lfs".to_string(), "/lfs/dir".to_string()].into(),
            escapes: BTreeSet::new(),
            read_only: false,
            fail_reads: false,
            fail_writes: false,
            open: None,
            read_piece: 100,
            closes: 0,
        }
    }
}

impl FakeFs {
    fn resolve(&self, path: &str) -> Result<(), FsFailure> {
        if path != "/lfs" && !path.starts_with("/lfs/") {
            return Err(FsFailure::NoMountPoint);
        }
        if self.escapes.contains(path) {
            return Err(FsFailure::InvalidName);
        }
        Ok(())
    }

    fn open_file(&mut self) -> Result<&mut Vec<u8>, FsFailure> {
        let (path, _) = self.open.as_ref().ok_or(FsFailure::Failed)?;
        self.files.get_mut(path).ok_or(FsFailure::Failed)
    }
}

impl FsPlatform for FakeFs {
    fn now_ms(&mut self) -> u64 {
        self.now
    }

    fn file_size(&mut self, path: &str) -> Result<u64, FsFailure> {
        self.resolve(path)?;
        if self.dirs.contains(path) {
            return Err(FsFailure::IsDirectory);
        }
        self.files
            .get(path)
            .map(|f| f.len() as u64)
            .ok_or(FsFailure::NotFound)
    }

    fn open(&mut self, path: &str, mode: OpenMode) -> Result<(), FsFailure> {
        self.resolve(path)?;
        if self.dirs.contains(path) {
            return Err(FsFailure::IsDirectory);
        }
        match mode {
            OpenMode::Read => {
                if !self.files.contains_key(path) {
                    return Err(FsFailure::NotFound);
                }
            }
            OpenMode::Write => {
                let parent = &path[..path.rfind('/').unwrap_or(0)];
                if !self.dirs.contains(parent) {
                    return Err(FsFailure::NotFound);
                }
                if self.read_only {
                    return Err(FsFailure::ReadOnly);
                }
                self.files.entry(path.into()).or_default();
            }
        }
        self.open = Some((path.into(), mode));
        Ok(())
    }

    fn read(&mut self, offset: u64, buf: &mut [u8]) -> Result<usize, FsFailure> {
        if self.fail_reads {
            return Err(FsFailure::Failed);
        }
        let piece = self.read_piece;
        let file = self.open_file()?;
        let start = (offset as usize).min(file.len());
        let n = (file.len() - start).min(buf.len()).min(piece);
        buf[..n].copy_from_slice(&file[start..start + n]);
        Ok(n)
    }

    fn truncate(&mut self) -> Result<(), FsFailure> {
        self.open_file()?.clear();
        Ok(())
    }

    fn append(&mut self, data: &[u8]) -> Result<(), FsFailure> {
        if self.fail_writes {
            return Err(FsFailure::Failed);
        }
        self.open_file()?.extend_from_slice(data);
        Ok(())
    }

    fn close(&mut self) {
        self.open = None;
        self.closes += 1;
    }

    fn read_range(
        &mut self,
        path: &str,
        offset: u64,
        len: u64,
        sink: &mut dyn FnMut(&[u8]),
    ) -> Result<u64, FsFailure> {
        if self.fail_reads {
            return Err(FsFailure::Failed);
        }
        let file = self.files.get(path).ok_or(FsFailure::NotFound)?;
        let start = (offset as usize).min(file.len());
        let end = start.saturating_add(len as usize).min(file.len());
        for piece in file[start..end].chunks(7) {
            sink(piece);
        }
        Ok((end - start) as u64)
    }
}

/// A shell with `echo` (joins its arguments), `fill N` (N × 'x'), `euro N`
/// (N × '€'), `fail` (ret -5); anything else is not found (ret -8).
#[derive(Default)]
pub struct FakeShell {
    pub last_argv: Vec<String>,
}

impl ShellPlatform for FakeShell {
    fn execute(&mut self, argv: &Argv<'_>, out: &mut ShellOutput<'_>) -> i32 {
        self.last_argv = argv.iter().map(String::from).collect();
        let count = || {
            argv.get(1)
                .and_then(|n| n.parse::<usize>().ok())
                .unwrap_or(0)
        };
        match argv.get(0).unwrap_or_default() {
            "echo" => {
                let args: Vec<&str> = argv.iter().skip(1).collect();
                let _ = write!(out, "{}", args.join(" "));
                0
            }
            "fill" => {
                let _ = write!(out, "{}", "x".repeat(count()));
                0
            }
            "euro" => {
                let _ = write!(out, "{}", "€".repeat(count()));
                0
            }
            "fail" => {
                let _ = write!(out, "failed");
                -5
            }
            other => {
                let _ = write!(out, "{other}: command not found");
                -8
            }
        }
    }
}

#[derive(Default)]
pub struct FakeBasic {
    pub erases: usize,
    pub fail: Option<BasicError>,
}

impl BasicPlatform for FakeBasic {
    fn erase_storage(&mut self) -> Result<(), BasicError> {
        self.erases += 1;
        self.fail.map_or(Ok(()), Err)
    }
}

pub struct FakeMemfault {
    pub allow: bool,
    pub key: Option<&'static str>,
    pub info: DeviceInfo<'static>,
    pub asked_on: Option<Transport>,
}

impl Default for FakeMemfault {
    fn default() -> Self {
        FakeMemfault {
            allow: true,
            key: Some("dummy-key"),
            info: DeviceInfo {
                device_serial: Some("SN1"),
                hardware_version: Some("evt"),
                software_type: Some("app"),
                software_version: Some("1.2.3"),
            },
            asked_on: None,
        }
    }
}

impl MemfaultPlatform for FakeMemfault {
    fn access_allowed(&mut self, transport: Transport) -> bool {
        self.asked_on = Some(transport);
        self.allow
    }

    fn device_info(&self) -> DeviceInfo<'_> {
        self.info
    }

    fn project_key(&self) -> Option<&str> {
        self.key
    }
}

/// The platform of the bench: the os fake plus one fake per group.
#[derive(Default)]
pub struct Device {
    pub base: FakePlatform,
    pub stat: Option<FakeStat>,
    pub settings: Option<FakeSettings>,
    pub fs: Option<FakeFs>,
    pub shell: Option<FakeShell>,
    pub basic: Option<FakeBasic>,
    pub memfault: Option<FakeMemfault>,
    /// The access policy; everything allowed when `None`.
    pub policy: Option<fn(&Access) -> bool>,
    pub asked: Vec<Access>,
}

impl Platform for Device {
    fn os(&mut self) -> &mut dyn OsPlatform {
        &mut self.base
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

    fn allow(&mut self, access: &Access) -> bool {
        self.asked.push(*access);
        self.policy.is_none_or(|p| p(access))
    }
}

/// A server with every group and a device, kept across requests.
pub struct Bench {
    pub server: Server<'static>,
    pub dev: Device,
    pub tx_size: usize,
    pub transport: Transport,
}

impl Bench {
    pub fn new(dev: Device) -> Self {
        Bench {
            server: Server::new(ALL_GROUPS, PARAMS),
            dev,
            tx_size: PARAMS.buf_size,
            transport: Transport::Udp,
        }
    }

    /// A bench whose device has every group's fake.
    pub fn full() -> Self {
        Bench::new(Device {
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
        let mut tx = vec![0u8; self.tx_size];
        let mut responses = Vec::new();
        self.server
            .process(&mut self.dev, self.transport, input, &mut tx, &mut |r| {
                responses.push(r.to_vec())
            });
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
    out.push(rc);
    out.extend([0xFF, 0xFF]);
    out
}
