//! Runs the virtual device for the integration tests: own UDP port, own PTY,
//! own `--state` directory (kept across restarts when asked), stopped with
//! SIGTERM, which must give exit code 0.
//!
//! With `SMP_TARGET=udp:HOST:PORT,serial:PATH` (either or both, as for the
//! pytest suite) the tests run against that device instead (a Zephyr build,
//! a board): nothing is started or stopped, and a check that needs the
//! virtual device itself (command-line options, its state directory, a
//! factory-fresh state) or a link the target lacks returns early, saying so
//! on stderr. `SMP_TARGET_PID` (the device's process, if it is one) lets
//! [`Sim::is_running`] answer; `SMP_TARGET_NETBUF=SIZExCOUNT` tells the
//! buffer geometry the device reports.

// Each test file uses a different part of this module.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use mcumgr_toolkit::client::MCUmgrClientError;
use mcumgr_toolkit::connection::ExecuteError;
use mcumgr_toolkit::smp_errors::DeviceError;
use mcumgr_toolkit::MCUmgrClient;

const START_TIMEOUT: Duration = Duration::from_secs(15);
const STOP_TIMEOUT: Duration = Duration::from_secs(10);
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(3);

static NEXT: AtomicUsize = AtomicUsize::new(0);

#[derive(Clone, Copy, Debug)]
pub enum Transport {
    Udp,
    Serial,
}

/// A state directory, removed when dropped.
pub struct StateDir(PathBuf);

impl StateDir {
    pub fn new() -> Self {
        let n = NEXT.fetch_add(1, Ordering::SeqCst);
        let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("state-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("create the state directory");
        StateDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    /// The directory behind the `/lfs` mount point.
    pub fn files(&self) -> PathBuf {
        self.0.join("fs/lfs")
    }
}

impl Drop for StateDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The device named by `SMP_TARGET`, if any.
#[derive(Clone, Debug, Default)]
pub struct External {
    pub udp: Option<SocketAddr>,
    pub serial: Option<String>,
    pub pid: Option<i32>,
    pub netbuf: Option<(u32, u32)>,
}

/// `SMP_TARGET` and its companions, parsed; `None` without it.
pub fn external() -> Option<External> {
    let target = std::env::var("SMP_TARGET").ok()?;
    let mut ext = External::default();
    for part in target.split(',').filter(|p| !p.is_empty()) {
        if let Some(addr) = part.strip_prefix("udp:") {
            ext.udp = Some(addr.parse().expect("SMP_TARGET: udp:HOST:PORT"));
        } else if let Some(path) = part.strip_prefix("serial:") {
            ext.serial = Some(path.to_string());
        } else {
            panic!("SMP_TARGET={target:?}: expected udp:HOST:PORT and/or serial:PATH");
        }
    }
    ext.pid = std::env::var("SMP_TARGET_PID")
        .ok()
        .and_then(|p| p.parse().ok());
    ext.netbuf = std::env::var("SMP_TARGET_NETBUF").ok().and_then(|g| {
        let (size, count) = g.split_once('x')?;
        Some((size.parse().ok()?, count.parse().ok()?))
    });
    Some(ext)
}

/// The bootloader the virtual device runs (`SMP_SIM_BOOTLOADER`: `emulated`,
/// the default, or `mcuboot`, the real one, for a smp-sim built with the
/// `real-mcuboot` feature), as smp-sim's options.
pub fn bootloader_args() -> Vec<String> {
    match std::env::var("SMP_SIM_BOOTLOADER") {
        Ok(which) if !which.is_empty() => vec!["--bootloader".into(), which],
        _ => Vec::new(),
    }
}

/// The boot mode (`bootloader info`'s `mode`) of the device's bootloader:
/// swap using move (3) for the emulation, the real build's mode for
/// `SMP_SIM_BOOTLOADER=mcuboot`.
pub fn boot_mode() -> u8 {
    if std::env::var("SMP_SIM_BOOTLOADER").as_deref() != Ok("mcuboot") {
        return 3;
    }
    if cfg!(mcuboot_mode = "swap-offset") {
        9
    } else if cfg!(mcuboot_mode = "overwrite-only") {
        2
    } else {
        3
    }
}

/// True (and says so on stderr) when the device's MCUboot is an
/// overwrite-only build, which never reverts: a test image is there for good.
pub fn needs_revert() -> bool {
    if boot_mode() != 2 {
        return false;
    }
    eprintln!("skipped with an overwrite-only MCUboot: it never reverts");
    true
}

/// True (and says so on stderr) when the device runs the real MCUboot,
/// whose build here checks image hashes but not signatures.
pub fn needs_signature_checks() -> bool {
    if std::env::var("SMP_SIM_BOOTLOADER").as_deref() != Ok("mcuboot") {
        return false;
    }
    eprintln!("skipped with SMP_SIM_BOOTLOADER=mcuboot: its build checks no signatures");
    true
}

/// True (and says why on stderr) when the check cannot run against the
/// `SMP_TARGET` device: `why` is what it needs of the virtual device.
pub fn needs_sim(why: &str) -> bool {
    if external().is_none() {
        return false;
    }
    eprintln!("skipped with SMP_TARGET: needs the virtual device ({why})");
    true
}

/// True (and says so) when the `SMP_TARGET` device has no link of this kind.
pub fn lacks(t: Transport) -> bool {
    let Some(ext) = external() else {
        return false;
    };
    let missing = match t {
        Transport::Udp => ext.udp.is_none(),
        Transport::Serial => ext.serial.is_none(),
    };
    if missing {
        eprintln!("skipped: SMP_TARGET has no {t:?} link");
    }
    missing
}

/// One running virtual device (or the `SMP_TARGET` device).
pub struct Sim {
    child: Option<Child>,
    /// Set for the `SMP_TARGET` device, which is not ours to stop.
    external: Option<External>,
    udp: SocketAddr,
    serial: String,
    log: PathBuf,
    /// The state directory when the device owns it ([`Sim::start_fresh`]).
    _own_state: Option<StateDir>,
}

impl Sim {
    /// A device on a state directory of its own, removed with it.
    pub fn start_fresh(extra: &[&str]) -> Sim {
        let state = StateDir::new();
        let mut sim = Sim::start(&state, extra);
        sim._own_state = Some(state);
        sim
    }

    /// The serial PTY's path.
    pub fn serial_path(&self) -> &str {
        &self.serial
    }

    /// Whether the process is still alive (for an `SMP_TARGET` device: its
    /// `SMP_TARGET_PID`, else assumed).
    pub fn is_running(&mut self) -> bool {
        if let Some(ext) = &self.external {
            // SAFETY: kill(2) with signal 0 only checks that the process exists.
            return ext.pid.is_none_or(|pid| unsafe { libc::kill(pid, 0) } == 0);
        }
        matches!(self.child.as_mut().map(|c| c.try_wait()), Some(Ok(None)))
    }

    /// Whether this is the `SMP_TARGET` device rather than a virtual one.
    pub fn is_external(&self) -> bool {
        self.external.is_some()
    }

    /// The buffer geometry the device was started with or reports
    /// (`SMP_TARGET_NETBUF`), if known.
    pub fn netbuf(&self) -> Option<(u32, u32)> {
        match &self.external {
            Some(ext) => ext.netbuf,
            None => None,
        }
    }

    /// Starts a virtual device, or with `SMP_TARGET` hands out that device;
    /// `extra` options then are a mistake of the caller, who should have
    /// asked [`needs_sim`] first.
    pub fn start(state: &StateDir, extra: &[&str]) -> Sim {
        if let Some(ext) = external() {
            assert!(
                extra.is_empty(),
                "SMP_TARGET: cannot start the device with {extra:?}"
            );
            // An unused address for a link the target lacks: callers check
            // `lacks()` first.
            let unused: SocketAddr = "127.0.0.1:9".parse().expect("an address");
            return Sim {
                child: None,
                udp: ext.udp.unwrap_or(unused),
                serial: ext.serial.clone().unwrap_or_default(),
                log: PathBuf::new(),
                _own_state: None,
                external: Some(ext),
            };
        }
        let n = NEXT.fetch_add(1, Ordering::SeqCst);
        let port = UdpSocket::bind("127.0.0.1:0")
            .and_then(|s| s.local_addr())
            .expect("find a free UDP port")
            .port();
        let log = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("sim-{}-{n}.log", std::process::id()));
        let log_file = std::fs::File::create(&log).expect("create the log file");
        let mut child = Command::new(env!("CARGO_BIN_EXE_smp-sim"))
            .args(["--udp", &format!("127.0.0.1:{port}"), "--state"])
            .arg(state.path())
            .args(bootloader_args())
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log_file)
            .spawn()
            .expect("start smp-sim");
        let stdout = child.stdout.take().expect("stdout is piped");
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let _ = tx.send(line);
            }
        });
        let (mut udp, mut serial) = (None, None);
        let deadline = Instant::now() + START_TIMEOUT;
        while udp.is_none() || serial.is_none() {
            match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                Ok(line) => {
                    if let Some(addr) = line.strip_prefix("udp: ") {
                        udp = Some(addr.trim().parse().expect("udp: <address>"));
                    } else if let Some(path) = line.strip_prefix("serial: ") {
                        serial = Some(path.trim().to_string());
                    }
                }
                Err(e) => {
                    let _ = child.kill();
                    let log = std::fs::read_to_string(&log).unwrap_or_default();
                    panic!("smp-sim printed no endpoint lines ({e})\n{log}");
                }
            }
        }
        Sim {
            child: Some(child),
            external: None,
            udp: udp.unwrap(),
            serial: serial.unwrap(),
            log,
            _own_state: None,
        }
    }

    /// SIGTERM, then the exit code must be 0 (nothing for an `SMP_TARGET`
    /// device).
    pub fn stop(mut self) {
        if self.external.is_some() {
            return;
        }
        let mut child = self.child.take().expect("running");
        let pid = libc::pid_t::try_from(child.id()).expect("pid fits");
        // SAFETY: plain kill(2) on our own child's pid.
        assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
        let deadline = Instant::now() + STOP_TIMEOUT;
        loop {
            if let Some(status) = child.try_wait().expect("wait for smp-sim") {
                assert!(status.success(), "smp-sim exited with {status} on SIGTERM");
                return;
            }
            assert!(Instant::now() < deadline, "smp-sim did not stop");
            thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn client(&self, transport: Transport) -> MCUmgrClient {
        self.try_client(transport).expect("open the device's link")
    }

    /// A client, or `None` when the link cannot be opened (yet).
    pub fn try_client(&self, transport: Transport) -> Option<MCUmgrClient> {
        match transport {
            Transport::Udp => MCUmgrClient::new_from_udp(self.udp, REQUEST_TIMEOUT).ok(),
            Transport::Serial => {
                let port = serialport::new(&self.serial, 115200)
                    .timeout(REQUEST_TIMEOUT)
                    .open()
                    .ok()?;
                Some(MCUmgrClient::new_from_serial(port))
            }
        }
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        if thread::panicking() && self.external.is_none() {
            let log = std::fs::read_to_string(&self.log).unwrap_or_default();
            eprintln!("--- smp-sim stderr ---\n{log}");
        }
        if self.external.is_none() {
            let _ = std::fs::remove_file(&self.log);
        }
    }
}

/// The device's error, if `result` is one.
pub fn device_error<T: std::fmt::Debug>(result: Result<T, MCUmgrClientError>) -> DeviceError {
    match result {
        Err(MCUmgrClientError::ExecuteError(ExecuteError::ErrorResponse(e))) => e,
        other => panic!("expected a device error response, got {other:?}"),
    }
}

pub fn v2(group: u16, rc: i32) -> DeviceError {
    DeviceError::V2 { group, rc }
}

pub fn v1(rc: i32) -> DeviceError {
    DeviceError::V1 { rc, rsn: None }
}

/// One `#[test]` per check and transport (`udp::check`, `serial::check`),
/// each calling `check(Transport)`; a link the `SMP_TARGET` device lacks is
/// skipped with a message.
// Not every test file uses it (as `dead_code` above).
#[allow(unused_macros)]
macro_rules! over_both_transports {
    ($($check:ident),* $(,)?) => {
        mod udp {
            $( #[test] fn $check() {
                if !$crate::support::lacks($crate::support::Transport::Udp) {
                    super::$check($crate::support::Transport::Udp)
                }
            } )*
        }
        mod serial {
            $( #[test] fn $check() {
                if !$crate::support::lacks($crate::support::Transport::Serial) {
                    super::$check($crate::support::Transport::Serial)
                }
            } )*
        }
    };
}
#[allow(unused_imports)]
pub(crate) use over_both_transports;
