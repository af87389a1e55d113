//! The client of `scripts/bench-upload --firmware`: uploads the same
//! 256 KiB image with mcumgr-toolkit 0.20.0 (`image_upload`, the client the
//! virtual-device bench uses) to several servers in turn, interleaved, each
//! upload on a freshly erased slot 1, and prints per upload the wall time,
//! KiB/s and the server process's CPU time net of its idle rate.
//!
//! Not part of the cargo workspace: the script compiles it in a scratch
//! project (against the workspace's Cargo.lock, offline).
//!
//! Usage: bench-upload-client RUNS FRAME NAME=LINK,PID [NAME=LINK,PID ...]
//! where LINK is `udp:HOST:PORT`, `serial:PATH` (console framing) or
//! `raw:PATH` (raw UART framing). Output lines (after the
//! idle measurement): `run NAME ROUND FRAME MS KIB_S CPU_MS NET_CPU_MS`.

use std::time::{Duration, Instant};

use mcumgr_toolkit::MCUmgrClient;
use sha2::{Digest, Sha256};

const TIMEOUT: Duration = Duration::from_secs(10);
const IDLE: Duration = Duration::from_secs(3);

/// An unsigned MCUboot image as crates/smp-sim/tests/image.rs builds it:
/// 0x200-byte header, pseudo-random body, the SHA-256 TLV.
fn image(body_len: u32, seed: u64) -> Vec<u8> {
    let mut image = vec![0u8; 0x200];
    image[..4].copy_from_slice(&0x96f3_b83du32.to_le_bytes());
    image[8..10].copy_from_slice(&0x200u16.to_le_bytes());
    image[12..16].copy_from_slice(&body_len.to_le_bytes());
    image[20] = 9;
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    image.extend((0..body_len).map(|_| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x as u8
    }));
    let hash = Sha256::digest(&image);
    image.extend_from_slice(&0x6907u16.to_le_bytes());
    image.extend_from_slice(&40u16.to_le_bytes());
    image.extend_from_slice(&0x10u16.to_le_bytes());
    image.extend_from_slice(&32u16.to_le_bytes());
    image.extend_from_slice(&hash);
    image
}

/// utime + stime of a process, in seconds (/proc/PID/stat, clock ticks).
fn cpu_s(pid: i32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("/proc/PID/stat");
    // Fields after the command name (which may hold spaces) in parentheses.
    let rest = &stat[stat.rfind(')').expect("stat format") + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // rest[0] is field 3 (state): utime is field 14, stime field 15.
    let utime: f64 = fields[11].parse().expect("utime");
    let stime: f64 = fields[12].parse().expect("stime");
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
    (utime + stime) / hz
}

struct Server {
    name: String,
    link: String,
    pid: i32,
    client: MCUmgrClient,
    idle_rate: f64,
}

fn open_serial(path: &str) -> Box<dyn serialport::SerialPort> {
    serialport::new(path, 115200)
        .timeout(TIMEOUT)
        .open()
        .expect("open the serial link")
}

fn connect(link: &str) -> MCUmgrClient {
    let client = if let Some(addr) = link.strip_prefix("udp:") {
        MCUmgrClient::new_from_udp(
            addr.parse::<std::net::SocketAddr>().expect("udp:HOST:PORT"),
            TIMEOUT,
        )
        .expect("open the UDP link")
    } else if let Some(path) = link.strip_prefix("serial:") {
        MCUmgrClient::new_from_serial(open_serial(path))
    } else if let Some(path) = link.strip_prefix("raw:") {
        MCUmgrClient::new_from_raw_serial(open_serial(path))
    } else {
        panic!("link {link:?}: expected udp:HOST:PORT, serial:PATH or raw:PATH");
    };
    client.set_timeout(TIMEOUT).expect("set the timeout");
    client
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    assert!(
        args.len() >= 3,
        "usage: bench-upload-client RUNS FRAME NAME=LINK,PID..."
    );
    let runs: usize = args[0].parse().expect("RUNS");
    let frame: usize = args[1].parse().expect("FRAME");
    let data = image(256 * 1024 - 0x200 - 40, 7);
    let mut servers: Vec<Server> = args[2..]
        .iter()
        .map(|spec| {
            let (name, rest) = spec.split_once('=').expect("NAME=LINK,PID");
            let (link, pid) = rest.rsplit_once(',').expect("LINK,PID");
            let client = connect(link);
            let geometry = match client.os_mcumgr_parameters() {
                Ok(p) => format!("buf_size {} x {}", p.buf_size, p.buf_count),
                Err(_) => "no MCUmgr parameters".to_string(),
            };
            client.set_frame_size(frame);
            eprintln!("{name}: {link}, {geometry}, frame {frame}");
            Server {
                name: name.to_string(),
                link: link.to_string(),
                pid: pid.parse().expect("PID"),
                client,
                idle_rate: 0.0,
            }
        })
        .collect();
    // Idle CPU rate of each server (its tick and driver threads), all idle
    // at once, before any upload.
    let start: Vec<f64> = servers.iter().map(|s| cpu_s(s.pid)).collect();
    let t0 = Instant::now();
    std::thread::sleep(IDLE);
    let elapsed = t0.elapsed().as_secs_f64();
    for (s, cpu0) in servers.iter_mut().zip(start) {
        s.idle_rate = (cpu_s(s.pid) - cpu0) / elapsed;
        println!("idle {} {:.4} CPU-s/s ({})", s.name, s.idle_rate, s.link);
    }
    for round in 1..=runs {
        for s in &servers {
            s.client.image_erase(Some(1)).expect("erase slot 1");
            let cpu0 = cpu_s(s.pid);
            let t0 = Instant::now();
            s.client
                .image_upload(&data, None, None, false, None)
                .expect("upload");
            let wall = t0.elapsed().as_secs_f64();
            let cpu = cpu_s(s.pid) - cpu0;
            let net = cpu - s.idle_rate * wall;
            println!(
                "run {} {round} {frame} {:.1} {:.1} {:.1} {:.1}",
                s.name,
                wall * 1000.0,
                data.len() as f64 / 1024.0 / wall,
                cpu * 1000.0,
                net * 1000.0
            );
        }
    }
}
