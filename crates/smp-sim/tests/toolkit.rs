//! The virtual device driven by the `mcumgr-toolkit` client library, over UDP
//! and over the serial pseudo-terminal.
//!
//! Every test starts its own `smp-sim` process (own UDP port, own PTY, own
//! `--state` directory) and stops it with SIGTERM, which must give exit code 0.
//! With `SMP_TARGET` they run against that device instead (support module):
//! `tests/zephyr/run-e2e` runs them against the Zephyr build on native_sim.

mod support;

use std::io::Write;
use std::thread;
use std::time::{Duration, Instant};

use mcumgr_toolkit::bootloader::BootloaderInfo;
use mcumgr_toolkit::MCUmgrClient;

use support::{device_error, lacks, v2, Sim, Transport, REQUEST_TIMEOUT};

// ---------------------------------------------------------------------------
// The checks, each run over both transports.

fn echo(t: Transport) {
    let sim = Sim::start_fresh(&[]);
    let client = sim.client(t);
    assert_eq!(client.os_echo("hello").unwrap(), "hello");
    assert_eq!(client.os_echo("").unwrap(), "");
    // Non-ASCII text of about 480 bytes, or as much as fits the device's
    // request buffer (Zephyr's default is 384 bytes; a request larger than
    // the buffer is dropped, as Zephyr's own server drops it). A request
    // carries about 20 bytes besides the text; each repeat is 12 bytes.
    let repeats = sim
        .netbuf()
        .map_or(40, |(size, _)| (size.saturating_sub(24) / 12).min(40));
    let long = "Grüße ✓ ".repeat(repeats as usize);
    assert_eq!(client.os_echo(&long).unwrap(), long);
    for _ in 0..20 {
        client.check_connection().unwrap();
    }
    drop(client);
    sim.stop();
}

fn mcumgr_params(t: Transport) {
    if support::external().is_some() {
        let device = Sim::start_fresh(&[]);
        let client = device.client(t);
        let params = client.os_mcumgr_parameters().unwrap();
        if let Some(geometry) = device.netbuf() {
            assert_eq!((params.buf_size, params.buf_count), geometry);
        }
        client.use_auto_frame_size().unwrap();
        assert_eq!(client.os_echo("sized").unwrap(), "sized");
        return;
    }
    for (size, count) in [(384u32, 4u32), (1024, 3)] {
        let sim = Sim::start_fresh(&[
            "--netbuf-size",
            &size.to_string(),
            "--netbuf-count",
            &count.to_string(),
        ]);
        let client = sim.client(t);
        let params = client.os_mcumgr_parameters().unwrap();
        assert_eq!((params.buf_size, params.buf_count), (size, count));
        client.use_auto_frame_size().unwrap();
        assert_eq!(client.os_echo("sized").unwrap(), "sized");
        drop(client);
        sim.stop();
    }
}

fn application_info(t: Transport) {
    let sim = Sim::start_fresh(&[]);
    let client = sim.client(t);
    let default = client.os_application_info(None).unwrap();
    assert!(!default.is_empty());
    assert_eq!(client.os_application_info(Some("s")).unwrap(), default);
    let all = client.os_application_info(Some("a")).unwrap();
    assert!(
        all.starts_with(&default),
        "{all:?} does not start with {default:?}"
    );
    let os = client.os_application_info(Some("o")).unwrap();
    assert!(all.ends_with(&os), "{all:?} does not end with {os:?}");
    assert_eq!(
        client.os_application_info(Some("os")).unwrap(),
        format!("{default} {os}")
    );
    assert_eq!(
        device_error(client.os_application_info(Some("q"))),
        v2(0, 2)
    );
    drop(client);
    sim.stop();
}

fn datetime(t: Transport) {
    let sim = Sim::start_fresh(&[]);
    let client = sim.client(t);
    if !sim.is_external() {
        // Another test may have set the clock of an SMP_TARGET device.
        assert_eq!(device_error(client.os_get_datetime()), v2(0, 4));
    }

    let set = "2024-02-29T23:59:58".parse().unwrap();
    client.os_set_datetime(set).unwrap();
    let got = client.os_get_datetime().unwrap();
    let ahead = got.signed_duration_since(set).num_milliseconds();
    assert!((0..5000).contains(&ahead), "set {set}, got {got}");

    // with milliseconds
    let set = "2030-01-02T03:04:05.678".parse().unwrap();
    client.os_set_datetime(set).unwrap();
    let got = client.os_get_datetime().unwrap();
    let ahead = got.signed_duration_since(set).num_milliseconds();
    assert!((-1000..5000).contains(&ahead), "set {set}, got {got}");
    drop(client);
    sim.stop();
}

fn task_statistics(t: Transport) {
    let sim = Sim::start_fresh(&[]);
    let client = sim.client(t);
    let tasks = client.os_task_statistics().unwrap();
    assert!(!tasks.is_empty());
    for (name, task) in &tasks {
        assert!(!name.is_empty());
        if let (Some(used), Some(size)) = (task.stkuse, task.stksiz) {
            assert!(used <= size, "{name}: {task:?}");
        }
    }
    drop(client);
    sim.stop();
}

fn memory_pool_statistics(t: Transport) {
    let sim = Sim::start_fresh(&[]);
    let client = sim.client(t);
    let pools = match client.os_memory_pool_statistics() {
        // Zephyr's own os_mgmt has no memory pool statistics either.
        Err(e) if sim.is_external() && e.command_not_supported() => return,
        other => other.unwrap(),
    };
    assert!(!pools.is_empty());
    for (name, pool) in &pools {
        assert!(!name.is_empty());
        assert!(
            pool.min <= pool.nfree && pool.nfree <= pool.nblks,
            "{name}: {pool:?}"
        );
    }
    drop(client);
    sim.stop();
}

fn bootloader_info(t: Transport) {
    let sim = Sim::start_fresh(&[]);
    let client = sim.client(t);
    match client.os_bootloader_info() {
        Ok(BootloaderInfo::MCUboot { mode, .. }) => assert!((-1..=9).contains(&mode), "{mode}"),
        // A device that boots without a bootloader (Zephyr on native_sim).
        Err(e) if sim.is_external() => assert_eq!(device_error::<()>(Err(e)), v2(0, 3)),
        other => panic!("expected MCUboot, got {other:?}"),
    }
    drop(client);
    sim.stop();
}

fn system_reset(t: Transport) {
    let mut sim = Sim::start_fresh(&[]);
    let mut client = sim.client(t);
    assert_eq!(client.os_echo("before").unwrap(), "before");
    client.os_system_reset(false, None).unwrap();
    client = answering_again(&sim, t, client, "after");
    assert!(sim.is_running(), "os reset must not end the process");

    // force = true and a boot mode are accepted too.
    client.set_timeout(REQUEST_TIMEOUT).unwrap();
    client.os_system_reset(true, Some(0)).unwrap();
    drop(answering_again(&sim, t, client, "again"));
    sim.stop();
}

/// Echoes until the device answers after a reset (8 s at most). The virtual
/// device restarts inside its process and keeps its PTY; Zephyr on
/// native_sim re-executes itself and opens a new PTY behind the same link,
/// so for an SMP_TARGET serial link the client is opened anew each try.
fn answering_again(sim: &Sim, t: Transport, client: MCUmgrClient, text: &str) -> MCUmgrClient {
    let reopen = sim.is_external() && matches!(t, Transport::Serial);
    let mut client = Some(client);
    let deadline = Instant::now() + Duration::from_secs(8);
    loop {
        if reopen {
            drop(client.take());
            thread::sleep(Duration::from_millis(300));
            client = sim.try_client(t);
        }
        let last = match &client {
            Some(c) => {
                c.set_timeout(Duration::from_millis(500)).unwrap();
                match c.os_echo(text) {
                    Ok(r) if r == text => return client.unwrap(),
                    other => format!("{other:?}"),
                }
            }
            None => "cannot open the link".to_string(),
        };
        assert!(Instant::now() < deadline, "no echo after reset: {last}");
        thread::sleep(Duration::from_millis(100));
    }
}

fn enumeration(t: Transport) {
    let sim = Sim::start_fresh(&[]);
    let client = sim.client(t);
    let count = client.enum_get_group_count().unwrap();
    let ids = client.enum_get_group_ids().unwrap();
    assert_eq!(ids.len(), usize::from(count));
    assert!(ids.contains(&0) && ids.contains(&10), "{ids:?}");
    for (i, id) in ids.iter().enumerate() {
        assert_eq!(client.enum_get_group_id(i as u16).unwrap(), *id);
    }
    assert_eq!(device_error(client.enum_get_group_id(count)), v2(10, 4));
    let iterated: Vec<u16> = client
        .enum_iter_group_ids()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(iterated, ids);

    let details = client.enum_get_group_details(None).unwrap();
    assert_eq!(details.iter().map(|d| d.group).collect::<Vec<_>>(), ids);
    let os = details.iter().find(|d| d.group == 0).unwrap();
    assert_eq!(os.name.as_deref(), Some("os mgmt"));
    assert_eq!(os.handlers, Some(9));
    let en = details.iter().find(|d| d.group == 10).unwrap();
    assert_eq!(en.name.as_deref(), Some("enum mgmt"));
    assert_eq!(en.handlers, Some(4));

    let only = client.enum_get_group_details(Some(&[10])).unwrap();
    assert_eq!(only.len(), 1);
    assert_eq!(only[0].group, 10);
    drop(client);
    sim.stop();
}

fn unsupported_group(t: Transport) {
    let sim = Sim::start_fresh(&[]);
    let client = sim.client(t);
    // The statistics group is not served (yet): SMP-level rc 8 -- or, once it is,
    // a real answer. Either way the device goes on answering.
    if let Err(e) = client.stats_list_groups() {
        assert!(e.command_not_supported(), "{e:?}");
    }
    assert_eq!(client.os_echo("still here").unwrap(), "still here");
    drop(client);
    sim.stop();
}

support::over_both_transports!(
    echo,
    mcumgr_params,
    application_info,
    datetime,
    task_statistics,
    memory_pool_statistics,
    bootloader_info,
    system_reset,
    enumeration,
    unsupported_group,
);

#[test]
fn udp_and_serial_at_once() {
    if lacks(Transport::Udp) || lacks(Transport::Serial) {
        return;
    }
    let sim = Sim::start_fresh(&[]);
    let udp = sim.client(Transport::Udp);
    let serial = sim.client(Transport::Serial);
    let a = thread::spawn(move || {
        for i in 0..50 {
            assert_eq!(udp.os_echo(format!("udp {i}")).unwrap(), format!("udp {i}"));
        }
    });
    let b = thread::spawn(move || {
        for i in 0..50 {
            assert_eq!(
                serial.os_echo(format!("serial {i}")).unwrap(),
                format!("serial {i}")
            );
        }
    });
    a.join().unwrap();
    b.join().unwrap();
    sim.stop();
}

/// A device whose serial link uses `framing` (`raw`, `shell`): the virtual
/// device started with `sim_args`, or an SMP_TARGET built for that framing
/// (SMP_TARGET_FRAMING, set by tests/zephyr/run-e2e's stage for it); `None`
/// (skipped) for any other SMP_TARGET.
fn start_with_framing(framing: &str, sim_args: &[&str]) -> Option<Sim> {
    let framed_target = std::env::var("SMP_TARGET_FRAMING").as_deref() == Ok(framing);
    if support::external().is_some() && !framed_target {
        eprintln!("skipped with SMP_TARGET: its serial link is not {framing} (no SMP_TARGET_FRAMING={framing})");
        return None;
    }
    if framed_target && lacks(Transport::Serial) {
        return None;
    }
    Some(if framed_target {
        Sim::start_fresh(&[])
    } else {
        Sim::start_fresh(sim_args)
    })
}

#[test]
fn raw_serial_framing() {
    let Some(sim) = start_with_framing(
        "raw",
        &[
            "--serial-framing",
            "raw",
            "--netbuf-size",
            "2048",
            "--netbuf-count",
            "4",
        ],
    ) else {
        return;
    };
    let port = serialport::new(sim.serial_path(), 115200)
        .timeout(REQUEST_TIMEOUT)
        .open()
        .expect("open the PTY");
    let client = MCUmgrClient::new_from_raw_serial(port);
    assert_eq!(client.os_echo("raw").unwrap(), "raw");
    let params = client.os_mcumgr_parameters().unwrap();
    let geometry = sim.netbuf().unwrap_or((2048, 4));
    assert_eq!((params.buf_size, params.buf_count), geometry);
    client.use_auto_frame_size().unwrap();
    // As long as the device's buffer takes (1500 bytes at 2048).
    let long = "r".repeat((geometry.0.saturating_sub(32) as usize).min(1500));
    assert_eq!(client.os_echo(&long).unwrap(), long);
    assert!(client.enum_get_group_ids().unwrap().contains(&10));
    drop(client);
    sim.stop();
}

#[test]
fn serial_beside_the_shell() {
    let Some(sim) = start_with_framing("shell", &["--serial-framing", "shell"]) else {
        return;
    };
    // A person's terminal on the same link, opened before the client takes
    // its exclusive lock.
    let mut typist = std::fs::OpenOptions::new()
        .write(true)
        .open(sim.serial_path())
        .expect("open the PTY for typing");
    let port = serialport::new(sim.serial_path(), 115200)
        .timeout(REQUEST_TIMEOUT)
        .open()
        .expect("open the PTY");
    let client = MCUmgrClient::new_from_serial(port);
    assert_eq!(client.os_echo("before").unwrap(), "before");
    // The person types a command; its echo and output are text the client
    // skips.
    typist.write_all(b"echo typed by a person\r").unwrap();
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(client.os_echo("after").unwrap(), "after");
    let long = "s".repeat(300);
    assert_eq!(client.os_echo(&long).unwrap(), long);
    assert!(client.enum_get_group_ids().unwrap().contains(&0));
    drop(client);
    sim.stop();
}
