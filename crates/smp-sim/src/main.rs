//! `smp-sim`: a virtual MCUmgr device for Linux. It runs the smp-server core
//! over UDP and a serial pseudo-terminal so that any MCUmgr client can drive it
//! without a board or a Zephyr tree.

mod device;
mod hooks;
mod hw;
mod smp_thread;
mod threads;
mod transport;

use std::io::Write;
use std::net::{SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::Arc;

use clap::Parser;
use log::{debug, error, info};
use smp_server::dispatch::Group;
use smp_server::groups::{
    enumeration, fs, image, memfault, os, settings, shell, stat, zephyr_basic,
};
use smp_server::Transport;

use crate::device::config::DeviceConfig;
use crate::device::fs::{valid_mount_name, DEFAULT_MOUNT};
use crate::device::{Persistent, SimDevice};
use crate::hw::bootloader::boot_key::BootKey;
use crate::hw::flash::{self, Flash};
use crate::hw::Bootloader;
use crate::smp_thread::SmpThread;
use crate::threads::ThreadRegistry;
use crate::transport::link::Shared;
use crate::transport::pool::SharedPool;
use crate::transport::serial::{self, Framing, Pty};
use crate::transport::shell::Console;
use crate::transport::udp;

/// The groups the virtual device serves, in registration order.
static GROUPS: &[&Group] = &[
    &os::GROUP,
    &image::GROUP,
    &enumeration::GROUP,
    &stat::GROUP,
    &settings::GROUP,
    &fs::GROUP,
    &shell::GROUP,
    &zephyr_basic::GROUP,
    &memfault::GROUP,
];

/// The groups with `--example-groups`: every group, then the vendor-group
/// sample's.
static GROUPS_WITH_EXAMPLES: &[&Group] = &[
    &os::GROUP,
    &image::GROUP,
    &enumeration::GROUP,
    &stat::GROUP,
    &settings::GROUP,
    &fs::GROUP,
    &shell::GROUP,
    &zephyr_basic::GROUP,
    &memfault::GROUP,
    &counter_group::GROUP,
];

#[derive(Parser, Debug)]
#[command(version, about = "A virtual MCUmgr (SMP) device for Linux")]
struct Cli {
    /// UDP address to serve SMP on (repeatable).
    #[arg(long = "udp", value_name = "ADDR", default_value = "127.0.0.1:1337")]
    udp: Vec<SocketAddr>,

    /// Make a symbolic link to the serial pseudo-terminal at PATH.
    #[arg(long, value_name = "PATH")]
    pty_link: Option<PathBuf>,

    /// Directory holding the device's persistent state (flash, files, settings).
    #[arg(long, value_name = "DIR")]
    state: Option<PathBuf>,

    /// Framing on the serial pseudo-terminal.
    #[arg(long, value_enum, default_value_t = Framing::Console)]
    serial_framing: Framing,

    /// Size of each SMP buffer in bytes: the largest packet the device takes.
    #[arg(long, value_name = "N", default_value_t = 2048)]
    netbuf_size: usize,

    /// Number of SMP buffers: a client may keep this many requests in flight.
    #[arg(long, value_name = "N", default_value_t = 4)]
    netbuf_count: usize,

    /// Public key (PEM; ECDSA P-256 or Ed25519, or imgtool's private key file)
    /// the emulated MCUboot checks image signatures with. Without it, images
    /// are checked by their SHA-256 TLV only.
    #[arg(long, value_name = "PATH")]
    boot_key: Option<PathBuf>,

    /// The bootloader run at every boot: this project's emulation of MCUboot,
    /// or MCUboot's own bootutil (a build with the `real-mcuboot` feature).
    #[arg(long, value_enum, default_value_t = Bootloader::Emulated)]
    bootloader: Bootloader,

    /// Refuse every write request except os echo (rc 11).
    #[arg(long)]
    read_only: bool,

    /// Confine the fs group to these comma-separated directories, as the
    /// Zephyr option RUST_SMP_GRP_FS_ROOTS: a file outside all of them is
    /// rc 11 (default: none, every mount point served).
    #[arg(long, value_name = "ROOTS", default_value = "")]
    fs_roots: String,

    /// Direct upload: an upload's `image` N > 0 names absolute slot N - 1 (0:
    /// the usual slot); slot info gives every slot `upload_image_id`.
    #[arg(long)]
    direct_upload: bool,

    /// Also serve the vendor-group sample's group 64, `counter`.
    #[arg(long)]
    example_groups: bool,

    /// Use every hook of the core once, as an application would (see the
    /// README's options table).
    #[arg(long)]
    example_hooks: bool,

    /// File system mount point: /NAME is served from STATE/fs/NAME (repeatable).
    #[arg(long = "fs-mount", value_name = "NAME", default_value = DEFAULT_MOUNT)]
    fs_mounts: Vec<String>,

    /// Memfault project key (none: project key answers err {128, 2}).
    #[arg(long, value_name = "KEY")]
    memfault_project_key: Option<String>,

    /// The Memfault group's access callback refuses every request (rc 11).
    #[arg(long)]
    memfault_locked: bool,

    /// Boot this flash file (another device's: a native_sim firmware's
    /// flash.bin) once with the real MCUboot, write back what it did, say
    /// what it booted and exit (1 when nothing is bootable).
    #[cfg(feature = "real-mcuboot")]
    #[arg(long, value_name = "FILE")]
    mcuboot_boot_file: Option<PathBuf>,

    /// With --mcuboot-boot-file: the two slots in the file, as
    /// `OFF:SIZE,OFF:SIZE` (default: native_sim's devicetree).
    #[cfg(feature = "real-mcuboot")]
    #[arg(
        long,
        value_name = "SLOTS",
        default_value = "0xc000:0x69000,0x75000:0x69000"
    )]
    mcuboot_slots: String,

    /// With --mcuboot-boot-file: the flash's erase and write sizes
    /// (native_sim's flash simulator: 4096 and 1).
    #[cfg(feature = "real-mcuboot")]
    #[arg(long, value_name = "BYTES", default_value_t = 4096)]
    mcuboot_sector_size: u32,
    #[cfg(feature = "real-mcuboot")]
    #[arg(long, value_name = "BYTES", default_value_t = 1)]
    mcuboot_write_size: u32,
}

/// `--mcuboot-boot-file`: one real MCUboot boot of another device's flash.
#[cfg(feature = "real-mcuboot")]
fn boot_flash_file(file: &Path, cli: &Cli) -> Result<(), String> {
    use crate::hw::mcuboot::flash_file::{boot_file, Layout};
    let layout = Layout {
        slots: Layout::parse_slots(&cli.mcuboot_slots)?,
        sector_size: cli.mcuboot_sector_size,
        write_size: cli.mcuboot_write_size,
    };
    match boot_file(file, &layout)? {
        Some((choice, resumed)) => {
            crate::device::boot::log_mcuboot(&choice, resumed);
            Ok(())
        }
        None => Err("mcuboot: no bootable image (a board would hang here)".into()),
    }
}

fn default_state_dir() -> PathBuf {
    let base = std::env::var_os("XDG_STATE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".local/state")))
        .unwrap_or_else(|| PathBuf::from("."));
    base.join("smp-sim")
}

fn main() -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info"))
        .target(env_logger::Target::Stderr)
        .init();
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            error!("{e}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<(), String> {
    #[cfg(feature = "real-mcuboot")]
    if let Some(file) = &cli.mcuboot_boot_file {
        return boot_flash_file(file, &cli);
    }
    let state_dir = cli.state.clone().unwrap_or_else(default_state_dir);
    std::fs::create_dir_all(&state_dir)
        .map_err(|e| format!("cannot create state directory {}: {e}", state_dir.display()))?;
    info!("state directory: {}", state_dir.display());
    if let Some(bad) = cli.fs_mounts.iter().find(|m| !valid_mount_name(m)) {
        return Err(format!(
            "invalid mount point name {bad:?}: use letters, digits, _ and - (at most 16)"
        ));
    }
    if let Some((i, dup)) = cli
        .fs_mounts
        .iter()
        .enumerate()
        .find(|(i, m)| cli.fs_mounts[..*i].contains(m))
    {
        return Err(format!("mount point {dup:?} given twice (#{})", i + 1));
    }
    let mut config = DeviceConfig::new(state_dir.clone());
    config.bootloader = cli.bootloader;
    config.read_only = cli.read_only;
    config.fs_roots = cli.fs_roots.clone();
    config.example_hooks = cli.example_hooks;
    config.direct_upload = cli.direct_upload;
    config.mounts = cli.fs_mounts.clone();
    config.memfault_project_key = cli.memfault_project_key.clone();
    config.memfault_locked = cli.memfault_locked;
    config.transports = vec![Transport::Udp, cli.serial_framing.transport()];
    // The mount directories exist before the endpoints are announced.
    for mount in &config.mounts {
        let dir = config.fs_dir().join(mount);
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let config = Arc::new(config);
    let flash_path = state_dir.join(Flash::FILE_NAME);
    let flash = Flash::open(&flash_path)
        .map_err(|e| format!("cannot use the flash file {}: {e}", flash_path.display()))?;
    for p in flash::PARTITIONS {
        debug!("flash: {} at {:#x}, {:#x} bytes", p.label, p.offset, p.size);
    }
    let boot_key = cli
        .boot_key
        .as_deref()
        .map(|path| {
            BootKey::load(path)
                .map_err(|e| format!("cannot use the boot key {}: {e}", path.display()))
        })
        .transpose()?;
    #[cfg(feature = "real-mcuboot")]
    if boot_key.is_some() && cli.bootloader == Bootloader::Mcuboot {
        return Err(
            "--boot-key: the real MCUboot build checks image hashes only, \
                    not signatures (docs/real-mcuboot.md)"
                .into(),
        );
    }
    if let Some(key) = &boot_key {
        info!("bootloader: images must be signed ({})", key.name());
    }

    let pool = SharedPool::new(cli.netbuf_size, cli.netbuf_count).map_err(|e| {
        format!(
            "invalid netbuf geometry {}x{}: {e:?}",
            cli.netbuf_count, cli.netbuf_size
        )
    })?;
    let sockets = cli
        .udp
        .iter()
        .map(|addr| UdpSocket::bind(addr).map_err(|e| format!("cannot bind UDP {addr}: {e}")))
        .collect::<Result<Vec<_>, _>>()?;
    let pty =
        Pty::open(cli.serial_framing).map_err(|e| format!("cannot open a pseudo-terminal: {e}"))?;
    if let Some(link) = &cli.pty_link {
        let _ = std::fs::remove_file(link);
        std::os::unix::fs::symlink(&pty.path, link).map_err(|e| {
            format!(
                "cannot link {} to {}: {e}",
                link.display(),
                pty.path.display()
            )
        })?;
    }

    let stop = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(signal, stop.clone())
            .map_err(|e| format!("cannot catch signals: {e}"))?;
    }

    let (queue_tx, queue_rx) = std::sync::mpsc::sync_channel(cli.netbuf_count);
    let shared = Arc::new(Shared {
        pool: Arc::new(pool),
        stop,
        boot_generation: AtomicU64::new(0),
        queue: queue_tx,
        udp_sockets: sockets,
    });
    let threads = Arc::new(ThreadRegistry::default());
    let device = SimDevice::boot(
        Persistent::new(flash, boot_key),
        shared.pool.clone(),
        threads.clone(),
        config.clone(),
    )
    .map_err(|e| format!("the virtual device cannot boot: flash failed ({e:?})"))?;
    let serial_writer = pty
        .writer()
        .map_err(|e| format!("cannot write the pseudo-terminal: {e}"))?;

    let mut endpoints = String::new();
    for socket in &shared.udp_sockets {
        let addr = socket.local_addr().map_err(|e| e.to_string())?;
        endpoints.push_str(&format!("udp: {addr}\n"));
    }
    endpoints.push_str(&format!("serial: {}\n", pty.path.display()));

    std::thread::scope(|scope| -> Result<(), String> {
        let smp = SmpThread {
            shared: shared.clone(),
            queue: queue_rx,
            serial: Some(serial_writer),
            console: Console::default(),
            groups: if cli.example_groups {
                GROUPS_WITH_EXAMPLES
            } else {
                GROUPS
            },
            threads: threads.clone(),
            config: config.clone(),
        };
        spawn_named(scope, &threads, "smp".into(), move || smp.run(device))
            .map_err(|e| e.to_string())?;
        for index in 0..shared.udp_sockets.len() {
            let shared = shared.clone();
            spawn_named(scope, &threads, format!("udp-rx{index}"), move || {
                udp::receive_loop(&shared, index)
            })
            .map_err(|e| e.to_string())?;
        }
        let serial_shared = shared.clone();
        let pty = &pty;
        spawn_named(scope, &threads, "serial-rx".into(), move || {
            serial::receive_loop(&serial_shared, pty)
        })
        .map_err(|e| e.to_string())?;

        let mut stdout = std::io::stdout().lock();
        let _ = stdout.write_all(endpoints.as_bytes());
        let _ = stdout.flush();
        Ok(())
    })?;

    if let Some(link) = &cli.pty_link {
        let _ = std::fs::remove_file(link);
    }
    info!("stopped");
    Ok(())
}

/// Starts a named thread that task statistics will list.
fn spawn_named<'scope>(
    scope: &'scope std::thread::Scope<'scope, '_>,
    threads: &Arc<ThreadRegistry>,
    name: String,
    body: impl FnOnce() + Send + 'scope,
) -> std::io::Result<std::thread::ScopedJoinHandle<'scope, ()>> {
    let threads = threads.clone();
    std::thread::Builder::new()
        .name(name.clone())
        .spawn_scoped(scope, move || {
            threads.register_current(&name);
            body();
        })
}
