//! The virtual device's side of the groups beyond os and enum: statistics,
//! settings, file system, shell, storage erase, Memfault, and the access
//! policy. Everything persistent lives under the `--state` directory:
//!
//! - `flash.bin`: its `storage_partition` is erased with the rest by zephyr-basic,
//! - `settings`: the saved settings (written atomically),
//! - `fs/<mount>/`: one directory per file system mount point (`/lfs` by default),
//! - `device-serial`: the serial number Memfault device info reports.

mod basic;
mod fs;
mod memfault;
mod settings;
mod shell;
mod stat;

use std::io::Write;
use std::path::{Path, PathBuf};

use log::warn;
use smp_server::header::{GroupId, Op};
use smp_server::platform::Access;
use smp_server::Transport;

pub use fs::SimFs;
pub use memfault::SimMemfault;
pub use settings::SettingsStore;

/// How the virtual device was started; the same for every boot.
#[derive(Clone, Debug)]
pub struct DeviceConfig {
    pub state_dir: PathBuf,
    /// Refuse every write request except os echo (rc 11).
    pub read_only: bool,
    /// File system mount point names: `/NAME` is served from `state/fs/NAME`.
    pub mounts: Vec<String>,
    /// The key Memfault project key reports; none gives err {128, 2}.
    pub memfault_project_key: Option<String>,
    /// The Memfault group's access callback refuses every request (rc 11).
    pub memfault_locked: bool,
    /// The links the device serves (the server's traffic counters).
    pub transports: Vec<Transport>,
}

impl DeviceConfig {
    /// A configuration with the defaults of the command line.
    pub fn new(state_dir: PathBuf) -> Self {
        DeviceConfig {
            state_dir,
            read_only: false,
            mounts: vec![DEFAULT_MOUNT.into()],
            memfault_project_key: None,
            memfault_locked: false,
            transports: vec![Transport::Udp, Transport::Serial],
        }
    }

    pub fn settings_file(&self) -> PathBuf {
        self.state_dir.join("settings")
    }

    pub fn fs_dir(&self) -> PathBuf {
        self.state_dir.join("fs")
    }
}

/// The mount point the file system has unless told otherwise.
pub const DEFAULT_MOUNT: &str = "lfs";

/// Whether `name` can be a mount point: one path component of letters,
/// digits, `_` and `-`.
pub fn valid_mount_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 16
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// The groups' state for one boot of the device.
pub struct Groups {
    pub config: std::sync::Arc<DeviceConfig>,
    pub settings: SettingsStore,
    pub fs: SimFs,
    pub memfault: SimMemfault,
    /// Shell commands run since boot.
    pub shell_commands: u64,
}

impl Groups {
    /// Boots the groups: mounts the file systems and loads the saved
    /// settings, as a Zephyr application does at start-up.
    pub fn boot(config: std::sync::Arc<DeviceConfig>) -> Self {
        let settings = SettingsStore::boot(config.settings_file());
        let fs = SimFs::mount(&config.fs_dir(), &config.mounts);
        let memfault = SimMemfault::boot(&config);
        Groups {
            config,
            settings,
            fs,
            memfault,
            shell_commands: 0,
        }
    }

    /// The access policy: with `--read-only`, every write but os echo is
    /// refused.
    pub fn allow(&self, access: &Access) -> bool {
        !self.config.read_only
            || access.op != Op::Write
            || (access.group == GroupId::OS && access.id == 0)
    }
}

/// Replaces `path` with `content` atomically: a crash leaves the old file or
/// the new one, never a mix (write a temporary file, sync, rename, sync the
/// directory).
pub fn write_atomically(path: &Path, content: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp"));
    let mut file = std::fs::File::create(&tmp)?;
    file.write_all(content)?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&tmp, path)?;
    match std::fs::File::open(dir) {
        Ok(d) => {
            if let Err(e) = d.sync_all() {
                warn!("cannot sync {}: {e}", dir.display());
            }
        }
        Err(e) => warn!("cannot open {}: {e}", dir.display()),
    }
    Ok(())
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The bytes of lower- or upper-case hex; `None` if it is not hex.
pub fn unhex(text: &str) -> Option<Vec<u8>> {
    if text.len() % 2 != 0 {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
pub mod testdir;
