//! The statistics, settings, file system, shell, zephyr-basic and Memfault
//! groups and `--read-only`, driven by the `mcumgr-toolkit` client over UDP
//! and over the serial pseudo-terminal. Memfault, which the toolkit does not
//! know, goes through `raw_command`.
//!
//! With `SMP_TARGET` (support module) the checks that need no more than the
//! device's SMP links run against that device; the others return early.

mod support;

use mcumgr_toolkit::commands::fs::FileChecksumData;
use mcumgr_toolkit::commands::McuMgrCommand;
use serde::{Deserialize, Serialize};
use sha2::Digest;

use support::{device_error, needs_sim, v1, v2, Sim, StateDir, Transport};

const STAT: u16 = 2;
const SETTINGS: u16 = 3;
const FS: u16 = 8;
const SHELL: u16 = 9;
const MEMFAULT: u16 = 128;

/// `storage_partition` of the virtual device's flash (nrf52840dk layout).
const STORAGE_OFFSET: usize = 0xF8000;
const STORAGE_SIZE: usize = 0x8000;

/// Bytes that look random enough for a transfer (no rand crate).
fn pattern(len: usize) -> Vec<u8> {
    let mut x = 0x2545_F491_4F6C_DD1Du64;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

// ---- Memfault as raw commands ----

#[derive(Serialize)]
struct Empty {}

struct MemfaultDeviceInfo(Empty);
struct MemfaultProjectKey(Empty);

#[derive(Debug, Deserialize)]
struct DeviceInfo {
    device_serial: String,
    hardware_version: String,
    software_type: String,
    current_version: String,
}

#[derive(Debug, Deserialize)]
struct ProjectKey {
    project_key: String,
}

impl McuMgrCommand for MemfaultDeviceInfo {
    type Payload = Empty;
    type Response = DeviceInfo;
    fn is_write_operation(&self) -> bool {
        false
    }
    fn group_id(&self) -> u16 {
        MEMFAULT
    }
    fn command_id(&self) -> u8 {
        0
    }
    fn data(&self) -> &Empty {
        &self.0
    }
}

impl McuMgrCommand for MemfaultProjectKey {
    type Payload = Empty;
    type Response = ProjectKey;
    fn is_write_operation(&self) -> bool {
        false
    }
    fn group_id(&self) -> u16 {
        MEMFAULT
    }
    fn command_id(&self) -> u8 {
        1
    }
    fn data(&self) -> &Empty {
        &self.0
    }
}

// ---------------------------------------------------------------------------
// The checks, each run over both transports.

fn groups_are_listed(t: Transport) {
    let state = StateDir::new();
    let sim = Sim::start(&state, &[]);
    let client = sim.client(t);
    let ids = client.enum_get_group_ids().unwrap();
    for id in [STAT, SETTINGS, FS, SHELL, 63, MEMFAULT] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    drop(client);
    sim.stop();
}

fn statistics(t: Transport) {
    let state = StateDir::new();
    let sim = Sim::start(&state, &[]);
    let client = sim.client(t);
    let groups = client.stats_list_groups().unwrap();
    // The server's groups, then the device's own (the virtual device: `sim`).
    assert_eq!(groups[..3], ["smp_serial", "smp_udp", "smp_transfer"]);
    let link = match t {
        Transport::Udp => "smp_udp",
        Transport::Serial => "smp_serial",
    };
    let before = client.stats_get_group_data(link).unwrap();
    client.os_echo("x").unwrap();
    let after = client.stats_get_group_data(link).unwrap();
    assert_eq!(after["rx_pkts"], before["rx_pkts"] + 2);
    assert_eq!(after["tx_pkts"], before["tx_pkts"] + 2);
    if !sim.is_external() {
        assert_eq!(groups[3..], ["sim"]);
        assert_eq!(client.stats_get_group_data("sim").unwrap()["boots"], 1);
    }
    assert_eq!(
        device_error(client.stats_get_group_data("nope")),
        v2(STAT, 3)
    );
    drop(client);
    sim.stop();
}

fn settings(t: Transport) {
    let state = StateDir::new();
    let sim = Sim::start(&state, &[]);
    let client = sim.client(t);
    client.settings_write("app/v", b"\x01\x02\x03").unwrap();
    assert_eq!(client.settings_read("app/v").unwrap(), b"\x01\x02\x03");
    let limited = client.settings_read_ext("app/v", Some(2)).unwrap();
    assert_eq!(
        (limited.val, limited.max_size),
        (b"\x01\x02".to_vec(), None)
    );
    let clamped = client.settings_read_ext("app/v", Some(9999)).unwrap();
    assert_eq!(clamped.max_size, Some(256));
    client.settings_commit().unwrap();
    client.settings_save(Some("app")).unwrap();
    client.settings_write("app/v", b"changed").unwrap();
    client.settings_load().unwrap();
    assert_eq!(client.settings_read("app/v").unwrap(), b"\x01\x02\x03");
    client.settings_delete("app/v").unwrap();
    assert_eq!(device_error(client.settings_read("app/v")), v2(SETTINGS, 3));
    assert_eq!(
        device_error(client.settings_write("k".repeat(32), b"v")),
        v2(SETTINGS, 2)
    );
    assert_eq!(device_error(client.settings_write("k", &[0; 257])), v1(3));
    drop(client);
    sim.stop();
}

fn settings_survive_a_restart(t: Transport) {
    if needs_sim("a restart with its state directory") {
        return;
    }
    let state = StateDir::new();
    let sim = Sim::start(&state, &[]);
    let client = sim.client(t);
    client.settings_write("app/kept", b"yes").unwrap();
    client.settings_save(None::<&str>).unwrap();
    client.settings_write("app/lost", b"no").unwrap();
    drop(client);
    sim.stop();

    let sim = Sim::start(&state, &[]);
    let client = sim.client(t);
    assert_eq!(client.settings_read("app/kept").unwrap(), b"yes");
    assert_eq!(
        device_error(client.settings_read("app/lost")),
        v2(SETTINGS, 3)
    );
    drop(client);
    sim.stop();
}

fn file_transfer(t: Transport) {
    if needs_sim("its files on the host") {
        return;
    }
    let state = StateDir::new();
    let sim = Sim::start(&state, &[]);
    let client = sim.client(t);
    let data = pattern(20_000);
    client
        .fs_file_upload("/lfs/data.bin", &data[..], data.len() as u64, None)
        .unwrap();
    assert_eq!(std::fs::read(state.files().join("data.bin")).unwrap(), data);
    let mut back = Vec::new();
    client
        .fs_file_download("/lfs/data.bin", &mut back, None)
        .unwrap();
    assert_eq!(back, data);
    assert_eq!(client.fs_file_status("/lfs/data.bin").unwrap().len, 20_000);
    let transfer = client.stats_get_group_data("smp_transfer").unwrap();
    assert_eq!(
        (transfer["fs_upload_bytes"], transfer["fs_download_bytes"]),
        (20_000, 20_000)
    );
    drop(client);
    sim.stop();
}

fn file_checksums(t: Transport) {
    if needs_sim("its files on the host") {
        return;
    }
    let state = StateDir::new();
    let sim = Sim::start(&state, &[]);
    let client = sim.client(t);
    let data = pattern(3000);
    std::fs::write(state.files().join("c"), &data).unwrap();
    let crc = client
        .fs_file_checksum("/lfs/c", None::<&str>, 0, None)
        .unwrap();
    let want = crc::Crc::<u32>::new(&crc::CRC_32_ISO_HDLC).checksum(&data);
    assert_eq!(
        (crc.r#type.as_str(), crc.len, crc.output),
        ("crc32", 3000, FileChecksumData::Checksum(want))
    );
    let sha = client
        .fs_file_checksum("/lfs/c", Some("sha256"), 100, Some(1000))
        .unwrap();
    let want: Box<[u8]> = sha2::Sha256::digest(&data[100..1100]).to_vec().into();
    assert_eq!(
        (sha.off, sha.len, sha.output),
        (100, 1000, FileChecksumData::Hash(want))
    );
    let types = client.fs_supported_checksum_types().unwrap();
    assert_eq!(types["crc32"].size, 4);
    assert_eq!(types["sha256"].size, 32);
    assert_eq!(
        device_error(client.fs_file_checksum("/lfs/c", Some("md5"), 0, None)),
        v2(FS, 13)
    );
    drop(client);
    sim.stop();
}

fn file_errors(t: Transport) {
    if needs_sim("its files on the host") {
        return;
    }
    let state = StateDir::new();
    let sim = Sim::start(&state, &[]);
    let client = sim.client(t);
    std::fs::write(state.path().join("secret"), b"s").unwrap();
    std::os::unix::fs::symlink(state.path().join("secret"), state.files().join("out")).unwrap();
    assert_eq!(device_error(client.fs_file_status("/lfs/none")), v2(FS, 3));
    assert_eq!(device_error(client.fs_file_status("/lfs/out")), v2(FS, 2));
    assert_eq!(
        device_error(client.fs_file_status("/lfs/../secret")),
        v2(FS, 2)
    );
    assert_eq!(
        device_error(client.fs_file_upload("/lfs/../up", &b"x"[..], 1, None)),
        v2(FS, 2)
    );
    assert_eq!(
        device_error(client.fs_file_upload("/nomount/up", &b"x"[..], 1, None)),
        v2(FS, 14)
    );
    client.fs_file_close().unwrap();
    assert_eq!(std::fs::read(state.path().join("secret")).unwrap(), b"s");
    drop(client);
    sim.stop();
}

fn shell(t: Transport) {
    if needs_sim("its files on the host") {
        return;
    }
    let state = StateDir::new();
    let sim = Sim::start(&state, &[]);
    let client = sim.client(t);
    let argv = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        client
            .shell_execute(&argv(&["echo", "a", "b"]), false)
            .unwrap(),
        (0, "a b\n".to_string())
    );
    assert_eq!(
        client.shell_execute(&argv(&["nope"]), false).unwrap(),
        (-8, "nope: command not found\n".to_string())
    );
    std::fs::write(state.files().join("f"), b"123").unwrap();
    assert_eq!(
        client.shell_execute(&argv(&["ls", "/lfs"]), false).unwrap(),
        (0, "[FILE] f (3 bytes)\n".to_string())
    );
    assert_eq!(
        device_error(client.shell_execute(&argv(&[]), false)),
        v2(SHELL, 3)
    );
    assert_eq!(
        device_error(client.shell_execute(&argv(&["echo", &"x".repeat(300)]), false)),
        v2(SHELL, 2)
    );
    drop(client);
    sim.stop();
}

fn erase_storage(t: Transport) {
    if needs_sim("its flash file and state directory") {
        return;
    }
    let state = StateDir::new();
    let sim = Sim::start(&state, &[]);
    let client = sim.client(t);
    std::fs::create_dir(state.files().join("dir")).unwrap();
    std::fs::write(state.files().join("dir/f"), b"1").unwrap();
    client.settings_write("k", b"v").unwrap();
    client.settings_save(None::<&str>).unwrap();
    // something written in flash.bin's storage_partition (0xF8000 + 0x8000)
    let flash = state.path().join("flash.bin");
    let storage = STORAGE_OFFSET..STORAGE_OFFSET + STORAGE_SIZE;
    {
        use std::os::unix::fs::FileExt;
        let file = std::fs::OpenOptions::new()
            .write(true)
            .open(&flash)
            .unwrap();
        file.write_all_at(b"stored data", STORAGE_OFFSET as u64 + 100)
            .unwrap();
    }
    client.zephyr_erase_storage().unwrap();
    assert_eq!(std::fs::read_dir(state.files()).unwrap().count(), 0);
    assert!(!state.path().join("settings").exists());
    let image = std::fs::read(&flash).unwrap();
    assert!(image[storage].iter().all(|b| *b == 0xFF));
    assert!(
        image[..STORAGE_OFFSET].iter().any(|b| *b != 0xFF),
        "slots kept"
    );
    drop(client);
    sim.stop();
}

fn memfault(t: Transport) {
    if needs_sim("--memfault-project-key") {
        return;
    }
    let state = StateDir::new();
    let sim = Sim::start(&state, &["--memfault-project-key", "my-key"]);
    let client = sim.client(t);
    let info = client.raw_command(&MemfaultDeviceInfo(Empty {})).unwrap();
    assert!(info.device_serial.starts_with("SIM-"), "{info:?}");
    assert_eq!(info.hardware_version, "smp-sim-virtual");
    assert_eq!(info.software_type, "smp-sim");
    assert!(!info.current_version.is_empty());
    let key = client.raw_command(&MemfaultProjectKey(Empty {})).unwrap();
    assert_eq!(key.project_key, "my-key");
    drop(client);
    sim.stop();
}

fn memfault_errors(t: Transport) {
    if needs_sim("--memfault-locked") {
        return;
    }
    let state = StateDir::new();
    let sim = Sim::start(&state, &[]);
    let client = sim.client(t);
    assert_eq!(
        device_error(client.raw_command(&MemfaultProjectKey(Empty {}))),
        v2(MEMFAULT, 2)
    );
    drop(client);
    sim.stop();

    let sim = Sim::start(&state, &["--memfault-locked"]);
    let client = sim.client(t);
    assert_eq!(
        device_error(client.raw_command(&MemfaultDeviceInfo(Empty {}))),
        v1(11)
    );
    drop(client);
    sim.stop();
}

fn read_only(t: Transport) {
    if needs_sim("--read-only") {
        return;
    }
    let state = StateDir::new();
    let sim = Sim::start(&state, &["--read-only"]);
    let client = sim.client(t);
    assert_eq!(client.os_echo("allowed").unwrap(), "allowed");
    assert_eq!(device_error(client.settings_write("k", b"v")), v1(11));
    assert_eq!(
        device_error(client.fs_file_upload("/lfs/x", &b"x"[..], 1, None)),
        v1(11)
    );
    assert_eq!(device_error(client.zephyr_erase_storage()), v1(11));
    assert_eq!(device_error(client.os_system_reset(false, None)), v1(11));
    assert_eq!(device_error(client.settings_read("k")), v2(SETTINGS, 3));
    assert!(!client.stats_list_groups().unwrap().is_empty());
    drop(client);
    sim.stop();
}

support::over_both_transports!(
    groups_are_listed,
    statistics,
    settings,
    settings_survive_a_restart,
    file_transfer,
    file_checksums,
    file_errors,
    shell,
    erase_storage,
    memfault,
    memfault_errors,
    read_only,
);

/// An upload over UDP holds the transfer: the serial link is busy until it
/// completes.
#[test]
fn a_second_transport_is_busy_during_a_transfer() {
    if needs_sim("its files on the host") {
        return;
    }
    use mcumgr_toolkit::commands::fs::FileUpload;
    let state = StateDir::new();
    let sim = Sim::start(&state, &[]);
    let udp = sim.client(Transport::Udp);
    let serial = sim.client(Transport::Serial);
    let first = FileUpload {
        off: 0,
        data: b"abc",
        name: "/lfs/a",
        len: Some(6),
    };
    assert_eq!(udp.raw_command(&first).unwrap().off, 3);
    assert_eq!(
        device_error(serial.fs_file_upload("/lfs/b", &b"x"[..], 1, None)),
        v1(10)
    );
    let rest = FileUpload {
        off: 3,
        data: b"def",
        name: "/lfs/a",
        len: None,
    };
    assert_eq!(udp.raw_command(&rest).unwrap().off, 6);
    serial.fs_file_upload("/lfs/b", &b"x"[..], 1, None).unwrap();
    assert_eq!(std::fs::read(state.files().join("a")).unwrap(), b"abcdef");
    drop((udp, serial));
    sim.stop();
}
