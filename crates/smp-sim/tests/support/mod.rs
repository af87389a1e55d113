//! Runs the virtual device for the integration tests: own UDP port, own PTY,
//! own `--state` directory (kept across restarts when asked), stopped with
//! SIGTERM, which must give exit code 0.

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

/// One running virtual device.
pub struct Sim {
    child: Option<Child>,
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

    /// Whether the process is still alive.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.as_mut().map(|c| c.try_wait()), Some(Ok(None)))
    }

    pub fn start(state: &StateDir, extra: &[&str]) -> Sim {
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
            udp: udp.unwrap(),
            serial: serial.unwrap(),
            log,
            _own_state: None,
        }
    }

    /// SIGTERM, then the exit code must be 0.
    pub fn stop(mut self) {
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
        match transport {
            Transport::Udp => {
                MCUmgrClient::new_from_udp(self.udp, REQUEST_TIMEOUT).expect("UDP client")
            }
            Transport::Serial => {
                let port = serialport::new(&self.serial, 115200)
                    .timeout(REQUEST_TIMEOUT)
                    .open()
                    .expect("open the PTY");
                MCUmgrClient::new_from_serial(port)
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
        if thread::panicking() {
            let log = std::fs::read_to_string(&self.log).unwrap_or_default();
            eprintln!("--- smp-sim stderr ---\n{log}");
        }
        let _ = std::fs::remove_file(&self.log);
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
