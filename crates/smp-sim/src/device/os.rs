//! OS management (group 0): os info names the virtual device, task statistics
//! list its threads (from `/proc/self/task`), memory pool statistics report the
//! netbuf pool, the clock is the host clock plus an offset, reset takes no
//! boot mode, and the bootloader is the emulated MCUboot.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use smp_server::groups::os::{BootloaderInfo, ClockError, DateTime, OsInfo, PoolInfo, TaskInfo};
use smp_server::mcuboot::BootConfig;
use smp_server::{Error, MgmtErr};

use crate::threads::ThreadRegistry;
use crate::transport::pool::SharedPool;

/// What the os group reports of one boot of the device.
pub struct Os {
    threads: Arc<ThreadRegistry>,
    pool: Arc<SharedPool>,
}

impl Os {
    pub fn new(threads: Arc<ThreadRegistry>, pool: Arc<SharedPool>) -> Self {
        Os { threads, pool }
    }

    /// Os info, with the node name the settings give the device.
    pub fn info(node_name: &str) -> OsInfo<'_> {
        OsInfo {
            kernel_name: "smp-sim",
            node_name,
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

    pub fn tasks(
        &self,
        visit: &mut dyn FnMut(&TaskInfo<'_>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        self.threads.for_each(visit)
    }

    pub fn memory_pools(
        &self,
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

    pub fn prepare_reset(boot_mode: Option<u8>) -> Result<(), Error> {
        match boot_mode {
            // The virtual device has no bootloader serial recovery to boot into.
            None | Some(0) => Ok(()),
            Some(_) => Err(MgmtErr::NotSup.into()),
        }
    }

    pub fn bootloader(config: BootConfig) -> BootloaderInfo {
        BootloaderInfo {
            name: "MCUboot",
            mode: config.mode.wire_value(),
            no_downgrade: config.downgrade_prevention,
        }
    }
}

/// The device clock: the host clock plus the offset datetime set gave it;
/// "not set" until then. It keeps running across resets, like an RTC.
#[derive(Default)]
pub struct Clock {
    offset_ms: Option<i64>,
}

impl Clock {
    pub fn now(&self) -> Result<DateTime, ClockError> {
        let offset = self.offset_ms.ok_or(ClockError::NotSet)?;
        DateTime::from_unix_millis(host_now_ms().saturating_add(offset)).ok_or(ClockError::Failed)
    }

    pub fn set(&mut self, now: DateTime) {
        self.offset_ms = Some(now.to_unix_millis() - host_now_ms());
    }
}

fn host_now_ms() -> i64 {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(now.as_millis()).unwrap_or(i64::MAX)
}
