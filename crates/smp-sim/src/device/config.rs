//! How the virtual device was started, and where its persistent state lives
//! under the `--state` directory:
//!
//! - `flash.bin`: the flash (`hw::flash`); zephyr-basic erases its `storage_partition`,
//! - `settings`: the saved settings (written atomically),
//! - `fs/<mount>/`: one directory per file system mount point (`/lfs` by default),
//! - `device-serial`: the serial number Memfault device info reports.

use std::path::PathBuf;

use smp_server::Transport;

use super::fs::DEFAULT_MOUNT;
use crate::hw::Bootloader;

/// How the virtual device was started; the same for every boot.
#[derive(Clone, Debug)]
pub struct DeviceConfig {
    pub state_dir: PathBuf,
    /// The bootloader run at every boot.
    pub bootloader: Bootloader,
    /// Refuse every write request except os echo (rc 11).
    pub read_only: bool,
    /// The fs group confined to these comma-separated directories (none:
    /// unconfined).
    pub fs_roots: String,
    /// The example use of every hook (`crate::hooks`).
    pub example_hooks: bool,
    /// An upload's `image` N > 0 names absolute slot N − 1.
    pub direct_upload: bool,
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
            bootloader: Bootloader::Emulated,
            read_only: false,
            fs_roots: String::new(),
            example_hooks: false,
            direct_upload: false,
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
