//! The virtual device as the core sees it: the platform traits implemented
//! over the host.

use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use smp_server::groups::os::{
    BootloaderInfo, ClockError, DateTime, OsInfo, OsPlatform, PoolInfo, TaskInfo,
};
use smp_server::platform::{
    Access, BasicPlatform, FsPlatform, MemfaultPlatform, SettingsPlatform, ShellPlatform,
    StatPlatform,
};
use smp_server::{Error, MgmtErr, Platform};

use crate::groups::{DeviceConfig, Groups};
use crate::pool::SharedPool;
use crate::threads::ThreadRegistry;

/// What survives a reset of the virtual device (as an RTC keeps running).
#[derive(Default)]
pub struct Persistent {
    /// Offset of the device clock from the host clock, once set.
    clock_offset_ms: Option<i64>,
    /// Boots since the process started.
    pub boots: u64,
}

pub struct SimDevice {
    pub booted: Instant,
    pub persistent: Persistent,
    pub(crate) pool: Arc<SharedPool>,
    threads: Arc<ThreadRegistry>,
    pub(crate) node_name: String,
    /// State of the groups beyond os and enum (settings, files, ...).
    pub groups: Groups,
}

impl SimDevice {
    pub fn boot(
        mut persistent: Persistent,
        pool: Arc<SharedPool>,
        threads: Arc<ThreadRegistry>,
        config: Arc<DeviceConfig>,
    ) -> Self {
        persistent.boots += 1;
        let mut device = SimDevice {
            booted: Instant::now(),
            persistent,
            pool,
            threads,
            node_name: String::from("smp-sim"),
            groups: Groups::boot(config),
        };
        // the saved settings were loaded: apply them, as settings_load() does
        device.commit_settings();
        device
    }
}

fn host_now_ms() -> i64 {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(now.as_millis()).unwrap_or(i64::MAX)
}

impl Platform for SimDevice {
    fn os(&mut self) -> &mut dyn OsPlatform {
        self
    }

    fn stat(&mut self) -> Option<&mut dyn StatPlatform> {
        Some(self)
    }

    fn settings(&mut self) -> Option<&mut dyn SettingsPlatform> {
        Some(self)
    }

    fn fs(&mut self) -> Option<&mut dyn FsPlatform> {
        Some(&mut self.groups.fs)
    }

    fn shell(&mut self) -> Option<&mut dyn ShellPlatform> {
        Some(self)
    }

    fn basic(&mut self) -> Option<&mut dyn BasicPlatform> {
        Some(self)
    }

    fn memfault(&mut self) -> Option<&mut dyn MemfaultPlatform> {
        Some(&mut self.groups.memfault)
    }

    fn allow(&mut self, access: &Access) -> bool {
        self.groups.allow(access)
    }
}

impl OsPlatform for SimDevice {
    fn info(&self) -> OsInfo<'_> {
        OsInfo {
            kernel_name: "smp-sim",
            node_name: &self.node_name,
            kernel_release: env!("CARGO_PKG_VERSION"),
            kernel_version: concat!(
                "smp-sim ",
                env!("CARGO_PKG_VERSION"),
                " (virtual MCUmgr device)"
            ),
            build_date_time: None,
            machine: std::env::consts::ARCH,
            processor: std::env::consts::ARCH,
            hardware_platform: "virtual",
            operating_system: std::env::consts::OS,
        }
    }

    fn tasks(
        &mut self,
        visit: &mut dyn FnMut(&TaskInfo<'_>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        self.threads.for_each(visit)
    }

    fn memory_pools(
        &mut self,
        visit: &mut dyn FnMut(&PoolInfo<'_>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let (free, min_free) = self.pool.usage();
        visit(&PoolInfo {
            name: "netbuf",
            block_size: self.pool.buf_size() as u64,
            blocks: self.pool.buf_count() as u64,
            free: free as u64,
            min_free: min_free as u64,
        })
    }

    fn datetime(&mut self) -> Result<DateTime, ClockError> {
        let offset = self.persistent.clock_offset_ms.ok_or(ClockError::NotSet)?;
        DateTime::from_unix_millis(host_now_ms().saturating_add(offset)).ok_or(ClockError::Failed)
    }

    fn set_datetime(&mut self, now: DateTime) -> Result<(), ClockError> {
        self.persistent.clock_offset_ms = Some(now.to_unix_millis() - host_now_ms());
        Ok(())
    }

    fn prepare_reset(&mut self, _force: bool, boot_mode: Option<u8>) -> Result<(), Error> {
        match boot_mode {
            // The virtual device has no bootloader serial recovery to boot into.
            None | Some(0) => Ok(()),
            Some(_) => Err(MgmtErr::NotSup.into()),
        }
    }

    fn bootloader(&self) -> BootloaderInfo {
        // No MCUboot emulation yet: name the bootloader format, mode unknown.
        BootloaderInfo {
            name: "MCUboot",
            mode: -1,
            no_downgrade: false,
        }
    }
}
