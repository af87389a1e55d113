//! Image management end to end with the mcumgr-toolkit client: its high-level
//! `firmware_update` (upload, test, reset) and then a confirm, over UDP and over
//! the serial pseudo-terminal, against the virtual device and its emulated MCUboot.
//!
//! Also the upload throughput figures (`cargo test --release -p smp-sim --test
//! image -- --ignored --nocapture`, or `scripts/bench-upload`).

mod support;

use std::path::PathBuf;
use std::thread;
use std::time::{Duration, Instant};

use mcumgr_toolkit::client::{
    FirmwareUpdateError, FirmwareUpdateParams, FirmwareUpdateStep, MCUmgrClientError,
};
use mcumgr_toolkit::commands::image::ImageState;
use mcumgr_toolkit::connection::ExecuteError;
use mcumgr_toolkit::smp_errors::DeviceError;
use mcumgr_toolkit::MCUmgrClient;
use sha2::{Digest, Sha256};

use support::{Sim, Transport};

/// Uploads and swaps take longer than the other requests.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);

/// A client with the image tests' timeout, its frame size from the device.
fn client(sim: &Sim, transport: Transport) -> MCUmgrClient {
    let client = sim.client(transport);
    client
        .set_timeout(REQUEST_TIMEOUT)
        .expect("set the timeout");
    client.use_auto_frame_size().expect("mcumgr parameters");
    client
}

/// An unsigned MCUboot image (the device runs without `--boot-key`, so its
/// MCUboot checks the SHA-256 TLV): 0x200-byte header, `body_len` pseudo-random
/// bytes from `seed`, the TLV area with the SHA-256 TLV.
fn image(version: (u8, u8, u16, u32), body_len: u32, seed: u64) -> Vec<u8> {
    let mut image = vec![0u8; 0x200];
    image[..4].copy_from_slice(&0x96f3_b83du32.to_le_bytes());
    image[8..10].copy_from_slice(&0x200u16.to_le_bytes());
    image[12..16].copy_from_slice(&body_len.to_le_bytes());
    image[20] = version.0;
    image[21] = version.1;
    image[22..24].copy_from_slice(&version.2.to_le_bytes());
    image[24..28].copy_from_slice(&version.3.to_le_bytes());
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

/// The SHA-256 TLV of an image built by [`image`]: what the device reports.
fn tlv_hash(image: &[u8]) -> Vec<u8> {
    image[image.len() - 32..].to_vec()
}

fn states(client: &MCUmgrClient) -> Vec<ImageState> {
    client.image_get_state().expect("image state read")
}

fn slot(states: &[ImageState], slot: u32) -> &ImageState {
    states
        .iter()
        .find(|s| s.slot == slot)
        .unwrap_or_else(|| panic!("no slot {slot} in {states:?}"))
}

/// (active, confirmed, pending, permanent)
fn flags(s: &ImageState) -> (bool, bool, bool, bool) {
    (s.active, s.confirmed, s.pending, s.permanent)
}

/// Waits for the reboot that follows a reset answer: the device answers for
/// 250 ms more, then restarts.
fn wait_rebooted(client: &MCUmgrClient) {
    thread::sleep(Duration::from_millis(600));
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match client.os_echo("back") {
            Ok(r) if r == "back" => return,
            other => assert!(Instant::now() < deadline, "no echo after reset: {other:?}"),
        }
        thread::sleep(Duration::from_millis(100));
    }
}

fn reset(client: &MCUmgrClient) {
    client.os_system_reset(false, None).expect("reset");
    wait_rebooted(client);
}

fn device_error<T: std::fmt::Debug>(result: Result<T, FirmwareUpdateError>) -> DeviceError {
    match result {
        Err(FirmwareUpdateError::ImageUploadFailed(MCUmgrClientError::ExecuteError(
            ExecuteError::ErrorResponse(e),
        ))) => e,
        other => panic!("expected an upload refused by the device, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------

/// `firmware_update` with default parameters: test swap, reset; then the
/// confirm; and what it refuses along the way.
fn firmware_update_test_and_confirm(t: Transport) {
    if support::needs_revert() {
        return;
    }
    let sim = Sim::start_fresh(&[]);
    let client = client(&sim, t);
    let before = states(&client);
    let old = slot(&before, 0)
        .hash
        .clone()
        .expect("hash of the running image");
    let new = image((2, 0, 0, 0), 100 * 1024, 1);

    let mut steps = Vec::new();
    let mut progress = |step: FirmwareUpdateStep, _: Option<(u64, u64)>| {
        if steps.last() != Some(&step) {
            steps.push(step);
        }
        true
    };
    client
        .firmware_update(
            &new,
            Some(Sha256::digest(&new).into()),
            FirmwareUpdateParams::default(),
            Some(&mut progress),
        )
        .expect("firmware update");
    for step in [
        FirmwareUpdateStep::UploadingFirmware,
        FirmwareUpdateStep::ActivatingFirmware,
        FirmwareUpdateStep::TriggeringReboot,
    ] {
        assert!(steps.contains(&step), "{step:?} missing from {steps:?}");
    }
    wait_rebooted(&client);

    // Test boot: new image active, not confirmed; the old one confirmed in slot 1.
    let s = states(&client);
    assert_eq!(slot(&s, 0).hash.as_ref(), Some(&tlv_hash(&new)));
    assert_eq!(slot(&s, 0).version, "2.0.0");
    assert_eq!(flags(slot(&s, 0)), (true, false, false, false), "{s:?}");
    assert_eq!(slot(&s, 1).hash.as_ref(), Some(&old));
    assert_eq!(flags(slot(&s, 1)), (false, true, false, false), "{s:?}");

    // While an image is being tested, firmware_update refuses to start.
    let other = image((2, 1, 0, 0), 8 * 1024, 2);
    assert!(matches!(
        client.firmware_update(&other, None, FirmwareUpdateParams::default(), None),
        Err(FirmwareUpdateError::ImageCurrentlyTested)
    ));

    // Confirm the running image.
    let s = client.image_set_state(None, true).expect("confirm");
    assert_eq!(flags(slot(&s, 0)), (true, true, false, false), "{s:?}");
    reset(&client);
    let s = states(&client);
    assert_eq!(slot(&s, 0).hash.as_ref(), Some(&tlv_hash(&new)));
    assert_eq!(flags(slot(&s, 0)), (true, true, false, false), "{s:?}");
    if support::boot_mode() == 9 {
        // Swap using offset left the previous image at the start of slot 1,
        // where no update is looked for (Zephyr's rule): not listed.
        assert!(s.iter().all(|e| e.slot != 1), "{s:?}");
    } else {
        assert_eq!(flags(slot(&s, 1)), (false, false, false, false), "{s:?}");
    }

    // The same image again: already installed.
    assert!(matches!(
        client.firmware_update(&new, None, FirmwareUpdateParams::default(), None),
        Err(FirmwareUpdateError::AlreadyInstalled)
    ));

    // upgrade_only with an older or equal version: the device says {1, 27}.
    for version in [(1, 9, 9, 0), (2, 0, 0, 9)] {
        let older = image(version, 4 * 1024, 3);
        let params = FirmwareUpdateParams {
            upgrade_only: true,
            ..Default::default()
        };
        assert_eq!(
            device_error(client.firmware_update(&older, None, params, None)),
            DeviceError::V2 { group: 1, rc: 27 },
            "version {version:?}"
        );
    }
    let s = states(&client);
    assert_eq!(slot(&s, 0).hash.as_ref(), Some(&tlv_hash(&new)));
}

/// `force_confirm`: a permanent swap, confirmed right away; a later test
/// update that is not confirmed goes back to it.
fn firmware_update_force_confirm_then_revert(t: Transport) {
    if support::needs_revert() {
        return;
    }
    let sim = Sim::start_fresh(&[]);
    let client = client(&sim, t);
    let base = image((1, 0, 0, 0), 48 * 1024, 4);
    let params = FirmwareUpdateParams {
        force_confirm: true,
        ..Default::default()
    };
    client
        .firmware_update(&base, None, params, None)
        .expect("firmware update");
    wait_rebooted(&client);
    let s = states(&client);
    assert_eq!(slot(&s, 0).hash.as_ref(), Some(&tlv_hash(&base)));
    assert_eq!(flags(slot(&s, 0)), (true, true, false, false), "{s:?}");

    let next = image((1, 1, 0, 0), 60 * 1024, 5);
    client
        .firmware_update(&next, None, FirmwareUpdateParams::default(), None)
        .expect("firmware update");
    wait_rebooted(&client);
    let s = states(&client);
    assert_eq!(slot(&s, 0).hash.as_ref(), Some(&tlv_hash(&next)));
    assert_eq!(flags(slot(&s, 0)), (true, false, false, false), "{s:?}");
    reset(&client); // no confirm: revert
    let s = states(&client);
    assert_eq!(slot(&s, 0).hash.as_ref(), Some(&tlv_hash(&base)));
    assert_eq!(flags(slot(&s, 0)), (true, true, false, false), "{s:?}");
    assert_eq!(slot(&s, 1).hash.as_ref(), Some(&tlv_hash(&next)));
    assert_eq!(flags(slot(&s, 1)), (false, false, false, false), "{s:?}");
}

/// `skip_reboot`: uploaded and marked for test, still running the old image.
fn firmware_update_skip_reboot(t: Transport) {
    let sim = Sim::start_fresh(&[]);
    let client = client(&sim, t);
    let new = image((3, 0, 0, 0), 20 * 1024, 6);
    let params = FirmwareUpdateParams {
        skip_reboot: true,
        ..Default::default()
    };
    client
        .firmware_update(&new, None, params, None)
        .expect("firmware update");
    let s = states(&client);
    assert_eq!(flags(slot(&s, 0)), (true, true, false, false), "{s:?}");
    assert_eq!(slot(&s, 1).hash.as_ref(), Some(&tlv_hash(&new)));
    assert_eq!(flags(slot(&s, 1)), (false, false, true, false), "{s:?}");
    // A second update now: an image is already pending.
    assert!(matches!(
        client.firmware_update(&new, None, FirmwareUpdateParams::default(), None),
        Err(FirmwareUpdateError::ImageAlreadyPending)
    ));
    reset(&client);
    assert_eq!(
        slot(&states(&client), 0).hash.as_ref(),
        Some(&tlv_hash(&new))
    );
}

macro_rules! both_transports {
    ($($check:ident),* $(,)?) => {
        mod udp {
            $( #[test] fn $check() { super::$check(super::Transport::Udp) } )*
        }
        mod serial {
            $( #[test] fn $check() { super::$check(super::Transport::Serial) } )*
        }
    };
}

both_transports!(
    firmware_update_test_and_confirm,
    firmware_update_force_confirm_then_revert,
    firmware_update_skip_reboot,
);

/// With `--boot-key`: the imgtool-signed fixture goes through firmware_update.
#[test]
fn firmware_update_of_a_signed_image_with_a_boot_key() {
    if support::needs_signature_checks() {
        return;
    }
    let fixtures: PathBuf = [env!("CARGO_MANIFEST_DIR"), "../smp-server/tests/fixtures"]
        .iter()
        .collect();
    let key = fixtures.join("test-key-ecdsa-p256.pem");
    let signed = std::fs::read(fixtures.join("app-1.3.0.bin")).expect("fixture");
    let sim = Sim::start_fresh(&["--boot-key", key.to_str().unwrap()]);
    let client = client(&sim, Transport::Udp);
    client
        .firmware_update(&signed, None, FirmwareUpdateParams::default(), None)
        .expect("firmware update");
    wait_rebooted(&client);
    let s = states(&client);
    assert_eq!(slot(&s, 0).version, "1.3.0");
    assert_eq!(flags(slot(&s, 0)), (true, false, false, false), "{s:?}");
    client.image_set_state(None, true).expect("confirm");
    reset(&client);
    let s = states(&client);
    assert_eq!(slot(&s, 0).version, "1.3.0");
    assert_eq!(flags(slot(&s, 0)), (true, true, false, false), "{s:?}");
}

// ---------------------------------------------------------------------------
// Throughput: not part of the test run (`--ignored`); meaningful in release.

/// The client's SMP frame size: `Some(n)` set explicitly, `None` from
/// `use_auto_frame_size` (min of the device's buf_size and the transport's
/// limit: 1024 for UDP in mcumgr-toolkit 0.20.0, 65533 for serial).
fn bench_one(label: &str, sim: &Sim, t: Transport, frame: Option<usize>, data: &[u8]) {
    let client = client(sim, t);
    let params = client.os_mcumgr_parameters().expect("params");
    let (frame, how) = match frame {
        Some(frame) => {
            client.set_frame_size(frame);
            (frame, "set")
        }
        None => {
            let limit = match t {
                Transport::Udp => 1024,
                Transport::Serial => 65533,
            };
            ((params.buf_size as usize).min(limit), "auto")
        }
    };
    // Best of three, each a fresh upload (erase first so every run writes).
    let mut best = Duration::MAX;
    for _ in 0..3 {
        client.image_erase(Some(1)).expect("erase slot 1");
        let start = Instant::now();
        client
            .image_upload(data, None, None, false, None)
            .expect("upload");
        best = best.min(start.elapsed());
    }
    let kib = data.len() as f64 / 1024.0;
    println!(
        "{label:<8} {:>9} {frame:>6} {how:>5} {:>9.1} {:>9.0}",
        params.buf_size,
        best.as_secs_f64() * 1000.0,
        kib / best.as_secs_f64()
    );
}

#[test]
#[ignore = "throughput figures: cargo test --release -p smp-sim --test image -- --ignored --nocapture"]
fn bench_upload_256k() {
    let data = image((9, 0, 0, 0), 256 * 1024 - 0x200 - 40, 7);
    assert_eq!(data.len(), 256 * 1024);
    println!(
        "\nupload of a {} KiB image with mcumgr-toolkit 0.20.0 image_upload, best of 3",
        data.len() / 1024
    );
    println!(
        "{:<8} {:>9} {:>6} {:>5} {:>9} {:>9}",
        "link", "buf_size", "frame", "", "ms", "KiB/s"
    );
    let sim = Sim::start_fresh(&["--netbuf-size", "2048", "--netbuf-count", "4"]);
    bench_one("udp", &sim, Transport::Udp, Some(384), &data);
    bench_one("udp", &sim, Transport::Udp, None, &data);
    bench_one("udp", &sim, Transport::Udp, Some(2048), &data);
    bench_one("serial", &sim, Transport::Serial, Some(384), &data);
    bench_one("serial", &sim, Transport::Serial, None, &data);
    drop(sim);
    let sim = Sim::start_fresh(&["--netbuf-size", "8192", "--netbuf-count", "4"]);
    bench_one("udp", &sim, Transport::Udp, Some(8192), &data);
    bench_one("serial", &sim, Transport::Serial, None, &data);
}

/// With `--direct-upload`: slot info gives every slot the `image` number that
/// uploads to it (slot + 1), and an upload with that number lands there.
#[test]
fn direct_upload_slot_info_names_every_slot() {
    if support::needs_sim("--direct-upload") {
        return;
    }
    let sim = Sim::start_fresh(&["--direct-upload"]);
    let client = client(&sim, Transport::Udp);
    let info = client.image_slot_info().expect("slot info");
    let ids: Vec<Option<u32>> = info[0].slots.iter().map(|s| s.upload_image_id).collect();
    assert_eq!(ids, [Some(1), Some(2)]);
    let data = image((2, 0, 0, 0), 3000, 7);
    client
        .image_upload(&data, Some(2), None, false, None)
        .expect("upload to slot 1");
    assert_eq!(slot(&states(&client), 1).version, "2.0.0");
}
