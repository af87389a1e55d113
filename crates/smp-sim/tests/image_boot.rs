//! The virtual device as a process, driven over UDP by mcumgr-toolkit: its
//! own image on first start, the bootloader it reports, and image updates
//! through os reset and through kill -9 of the process.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use mcumgr_toolkit::bootloader::BootloaderInfo;
use mcumgr_toolkit::commands::image::ImageState;
use mcumgr_toolkit::MCUmgrClient;
use nix::sys::signal::{self, Signal};
use nix::unistd::Pid;
use sha2::{Digest, Sha256};

mod support;

/// A running smp-sim, stopped (SIGTERM) when dropped.
struct Sim {
    child: Child,
    udp: String,
}

impl Sim {
    fn start(state: &Path, extra: &[&str]) -> Sim {
        let mut child = Command::new(env!("CARGO_BIN_EXE_smp-sim"))
            .arg("--state")
            .arg(state)
            .args(["--udp", "127.0.0.1:0"])
            .args(support::bootloader_args())
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start smp-sim");
        let stdout = child.stdout.take().expect("stdout");
        let mut udp = None;
        for line in BufReader::new(stdout).lines() {
            let line = line.expect("read smp-sim output");
            if let Some(addr) = line.strip_prefix("udp: ") {
                udp = Some(addr.to_owned());
            }
            if line.starts_with("serial: ") {
                break;
            }
        }
        Sim {
            child,
            udp: udp.expect("smp-sim prints its UDP address"),
        }
    }

    fn client(&self) -> MCUmgrClient {
        let client =
            MCUmgrClient::new_from_udp(self.udp.as_str(), Duration::from_secs(2)).expect("udp");
        client.set_retries(3);
        client
    }

    /// os reset, then waits until the device answers again.
    fn reset(&self) {
        let client = self.client();
        client.os_system_reset(false, None).expect("reset");
        std::thread::sleep(Duration::from_millis(600));
        client.os_echo("back").expect("device back after reset");
    }

    fn kill(mut self) {
        self.child.kill().expect("kill -9");
        self.child.wait().expect("reap");
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        // Only a child not yet reaped: its pid cannot have been reused.
        if let Ok(None) = self.child.try_wait() {
            // SIGTERM: the device stops cleanly.
            let pid = Pid::from_raw(self.child.id() as i32);
            if signal::kill(pid, Signal::SIGTERM).is_err() {
                let _ = self.child.kill();
            }
            let _ = self.child.wait();
        }
    }
}

fn slot(states: &[ImageState], slot: u32) -> &ImageState {
    states
        .iter()
        .find(|s| s.slot == slot)
        .unwrap_or_else(|| panic!("no slot {slot} in {states:?}"))
}

fn fixture(name: &str) -> Vec<u8> {
    let path: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "../smp-server/tests/fixtures",
        name,
    ]
    .iter()
    .collect();
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

const SIGNING_KEY: &str = "test-key-ecdsa-p256.pem";
const SIGNED_IMAGE: &str = "app-1.2.3.bin";

/// An unsigned image: 0x200-byte header, body, SHA-256 TLV.
fn unsigned_image(major: u8) -> Vec<u8> {
    let body_len = 3000u32;
    let mut image = vec![0u8; 0x200];
    image[..4].copy_from_slice(&0x96f3_b83du32.to_le_bytes());
    image[8..10].copy_from_slice(&0x200u16.to_le_bytes());
    image[12..16].copy_from_slice(&body_len.to_le_bytes());
    image[20] = major;
    image.extend((0..body_len).map(|i| i as u8));
    let hash = Sha256::digest(&image);
    image.extend_from_slice(&0x6907u16.to_le_bytes());
    image.extend_from_slice(&40u16.to_le_bytes());
    image.extend_from_slice(&0x10u16.to_le_bytes());
    image.extend_from_slice(&32u16.to_le_bytes());
    image.extend_from_slice(&hash);
    image
}

/// Uploads `image` and marks it for test (or confirms it).
fn upload_and_mark(client: &MCUmgrClient, image: &[u8], confirm: bool) -> Vec<u8> {
    client
        .image_upload(image, None, None, false, None)
        .expect("upload");
    let states = client.image_get_state().expect("state");
    let hash = slot(&states, 1).hash.clone().expect("slot 1 hash");
    client
        .image_set_state(Some(&hash), confirm)
        .expect("mark slot 1");
    hash
}

#[test]
fn a_new_device_runs_its_own_image_active_and_confirmed() {
    let state = tempfile::tempdir().unwrap();
    let sim = Sim::start(state.path(), &[]);
    let states = sim.client().image_get_state().expect("image state");
    assert_eq!(states.len(), 1, "only slot 0 holds an image: {states:?}");
    let s0 = slot(&states, 0);
    assert_eq!(s0.version, env!("CARGO_PKG_VERSION"));
    assert!(s0.active && s0.confirmed && s0.bootable);
    assert!(!s0.pending && !s0.permanent);
    assert_eq!(s0.hash.as_ref().map(Vec::len), Some(32));
    assert_eq!(
        std::fs::metadata(state.path().join("flash.bin"))
            .unwrap()
            .len(),
        1 << 20
    );
}

#[test]
fn bootloader_info_reports_mcuboot_and_its_mode() {
    let state = tempfile::tempdir().unwrap();
    let sim = Sim::start(state.path(), &[]);
    let info = sim.client().os_bootloader_info().expect("bootloader info");
    assert_eq!(
        info,
        BootloaderInfo::MCUboot {
            mode: i32::from(support::boot_mode()),
            no_downgrade: false
        }
    );
}

#[test]
fn the_flash_persists_across_restarts() {
    let state = tempfile::tempdir().unwrap();
    let sim = Sim::start(state.path(), &[]);
    let client = sim.client();
    let hash = upload_and_mark(&client, &unsigned_image(2), false);
    drop(sim);
    let sim = Sim::start(state.path(), &[]);
    let states = sim.client().image_get_state().unwrap();
    // Restarting the process is a power cycle: the pending test ran.
    assert_eq!(slot(&states, 0).hash.as_ref(), Some(&hash));
}

#[test]
fn a_tested_image_runs_after_reset_unconfirmed() {
    if support::needs_revert() {
        return;
    }
    let state = tempfile::tempdir().unwrap();
    let sim = Sim::start(state.path(), &[]);
    let client = sim.client();
    let old = slot(&client.image_get_state().unwrap(), 0).hash.clone();
    let new = upload_and_mark(&client, &fixture(SIGNED_IMAGE), false);
    let states = client.image_get_state().unwrap();
    assert!(slot(&states, 1).pending);
    sim.reset();
    let states = sim.client().image_get_state().unwrap();
    let s0 = slot(&states, 0);
    assert_eq!(s0.hash.as_ref(), Some(&new));
    assert_eq!(s0.version, "1.2.3");
    assert!(s0.active && !s0.confirmed);
    let s1 = slot(&states, 1);
    assert_eq!(s1.hash, old);
    assert!(s1.confirmed);
}

#[test]
fn an_unconfirmed_image_is_reverted_at_the_next_reset() {
    if support::needs_revert() {
        return;
    }
    let state = tempfile::tempdir().unwrap();
    let sim = Sim::start(state.path(), &[]);
    let client = sim.client();
    let old = slot(&client.image_get_state().unwrap(), 0).hash.clone();
    upload_and_mark(&client, &fixture(SIGNED_IMAGE), false);
    sim.reset();
    sim.reset();
    let states = sim.client().image_get_state().unwrap();
    let s0 = slot(&states, 0);
    assert_eq!(s0.hash, old);
    assert!(s0.active && s0.confirmed);
}

#[test]
fn overwrite_only_keeps_a_tested_image_for_good() {
    if support::boot_mode() != 2 {
        eprintln!("skipped: for an overwrite-only MCUboot (SMP_SIM_MCUBOOT_MODE=overwrite-only)");
        return;
    }
    let state = tempfile::tempdir().unwrap();
    let sim = Sim::start(state.path(), &[]);
    let client = sim.client();
    let new = upload_and_mark(&client, &fixture(SIGNED_IMAGE), false);
    sim.reset();
    sim.reset();
    let states = sim.client().image_get_state().unwrap();
    let s0 = slot(&states, 0);
    assert_eq!(s0.hash.as_ref(), Some(&new));
    assert!(s0.active && s0.confirmed);
    // The copy is done: nothing is left to swap back.
    assert!(states.iter().all(|s| s.slot != 1), "{states:?}");
}

#[test]
fn a_confirmed_image_stays_after_reset() {
    let state = tempfile::tempdir().unwrap();
    let sim = Sim::start(state.path(), &[]);
    let client = sim.client();
    let new = upload_and_mark(&client, &fixture(SIGNED_IMAGE), false);
    sim.reset();
    sim.client().image_set_state(None, true).expect("confirm");
    sim.reset();
    let states = sim.client().image_get_state().unwrap();
    let s0 = slot(&states, 0);
    assert_eq!(s0.hash.as_ref(), Some(&new));
    assert!(s0.active && s0.confirmed);
}

#[test]
fn with_a_boot_key_a_signed_image_is_swapped_in() {
    if support::needs_signature_checks() {
        return;
    }
    let state = tempfile::tempdir().unwrap();
    let key = [
        env!("CARGO_MANIFEST_DIR"),
        "../smp-server/tests/fixtures",
        SIGNING_KEY,
    ]
    .iter()
    .collect::<PathBuf>();
    let sim = Sim::start(state.path(), &["--boot-key", key.to_str().unwrap()]);
    let new = upload_and_mark(&sim.client(), &fixture(SIGNED_IMAGE), true);
    sim.reset();
    let states = sim.client().image_get_state().unwrap();
    assert_eq!(slot(&states, 0).hash.as_ref(), Some(&new));
    assert!(slot(&states, 0).confirmed);
}

#[test]
fn with_a_boot_key_an_unsigned_image_is_refused_and_erased() {
    if support::needs_signature_checks() {
        return;
    }
    let state = tempfile::tempdir().unwrap();
    let key = [
        env!("CARGO_MANIFEST_DIR"),
        "../smp-server/tests/fixtures",
        SIGNING_KEY,
    ]
    .iter()
    .collect::<PathBuf>();
    let sim = Sim::start(state.path(), &["--boot-key", key.to_str().unwrap()]);
    let client = sim.client();
    let old = slot(&client.image_get_state().unwrap(), 0).hash.clone();
    upload_and_mark(&client, &unsigned_image(2), false);
    sim.reset();
    let states = sim.client().image_get_state().unwrap();
    assert_eq!(states.len(), 1, "slot 1 was erased: {states:?}");
    assert_eq!(slot(&states, 0).hash, old);
}

#[test]
fn a_bad_boot_key_file_is_a_clear_error() {
    let state = tempfile::tempdir().unwrap();
    let key = state.path().join("key.pem");
    std::fs::write(&key, "not a key").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_smp-sim"))
        .arg("--state")
        .arg(state.path())
        .args(["--udp", "127.0.0.1:0", "--boot-key"])
        .arg(&key)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("boot key"), "{stderr}");
}

#[test]
fn a_kill_during_reset_at_any_moment_still_ends_with_the_new_image() {
    for delay_ms in [0, 200, 250, 260, 270, 290, 350] {
        let state = tempfile::tempdir().unwrap();
        let sim = Sim::start(state.path(), &[]);
        let client = sim.client();
        let new = upload_and_mark(&client, &fixture(SIGNED_IMAGE), true);
        client.os_system_reset(false, None).expect("reset");
        std::thread::sleep(Duration::from_millis(delay_ms));
        sim.kill();
        let sim = Sim::start(state.path(), &[]);
        let states = sim.client().image_get_state().unwrap();
        let s0 = slot(&states, 0);
        assert_eq!(
            s0.hash.as_ref(),
            Some(&new),
            "killed {delay_ms} ms after reset"
        );
        assert!(
            s0.active && s0.confirmed,
            "killed {delay_ms} ms after reset"
        );
    }
}
