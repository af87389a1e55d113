//! The virtual device as the core sees it: the platform traits implemented
//! over the host.

use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use log::{info, warn};
use smp_server::flash::{FlashArea, FlashError, NorFlashArea};
use smp_server::groups::os::{
    BootloaderInfo, ClockError, DateTime, OsInfo, OsPlatform, PoolInfo, TaskInfo,
};
use smp_server::mcuboot::BootConfig;
use smp_server::platform::{
    Access, BasicPlatform, FsPlatform, ImagePlatform, MemfaultPlatform, SettingsPlatform,
    ShellPlatform, StatPlatform,
};
use smp_server::{Error, MgmtErr, Platform};

use crate::boot_key::BootKey;
use crate::bootloader::{self, Slots, Verdict, BOOT_CONFIG};
use crate::flash::{Flash, FlashPartition, SLOT0_PARTITION, SLOT1_PARTITION, STORAGE_PARTITION};
use crate::groups::{DeviceConfig, Groups};
use crate::pool::SharedPool;
use crate::threads::ThreadRegistry;

/// What survives a reset of the virtual device: the flash, the bootloader's
/// key, and the clock (as an RTC keeps running).
pub struct Persistent {
    /// Offset of the device clock from the host clock, once set.
    clock_offset_ms: Option<i64>,
    flash: Flash,
    boot_key: Option<Arc<BootKey>>,
    /// Boots since the process started.
    pub boots: u64,
}

impl Persistent {
    pub fn new(flash: Flash, boot_key: Option<BootKey>) -> Self {
        Persistent {
            clock_offset_ms: None,
            flash,
            boot_key: boot_key.map(Arc::new),
            boots: 0,
        }
    }
}

pub struct SimDevice {
    pub booted: Instant,
    pub persistent: Persistent,
    pub(crate) pool: Arc<SharedPool>,
    threads: Arc<ThreadRegistry>,
    pub(crate) node_name: String,
    /// The image slots: 0 (primary, runs) and 1 (secondary, uploads).
    slots: [NorFlashArea<FlashPartition>; 2],
    storage: NorFlashArea<FlashPartition>,
    /// State of the groups beyond os, enum and image (settings, files, ...).
    pub groups: Groups,
}

impl SimDevice {
    /// Powers the device on: the emulated MCUboot runs first (it may swap
    /// images), then the device starts. Fails only when the flash does.
    pub fn boot(
        mut persistent: Persistent,
        pool: Arc<SharedPool>,
        threads: Arc<ThreadRegistry>,
        config: Arc<DeviceConfig>,
    ) -> Result<Self, FlashError> {
        persistent.boots += 1;
        let flash = &persistent.flash;
        let mut slots = [
            NorFlashArea(flash.partition(SLOT0_PARTITION)),
            NorFlashArea(flash.partition(SLOT1_PARTITION)),
        ];
        let [primary, secondary] = &mut slots;
        let report = bootloader::boot(
            &mut Slots { primary, secondary },
            persistent.boot_key.as_deref(),
        )?;
        log_boot(&report);
        let mut device = SimDevice {
            booted: Instant::now(),
            storage: NorFlashArea(flash.partition(STORAGE_PARTITION)),
            slots,
            persistent,
            pool,
            threads,
            node_name: String::from("smp-sim"),
            groups: Groups::boot(config),
        };
        // the saved settings were loaded: apply them, as settings_load() does
        device.commit_settings();
        Ok(device)
    }

    /// The storage partition of the flash (zephyr-basic erase).
    pub fn storage(&mut self) -> &mut dyn FlashArea {
        &mut self.storage
    }
}

fn log_boot(report: &bootloader::BootReport) {
    match &report.installed_own_image {
        None => {}
        Some(Verdict::Absent) => {
            info!("bootloader: slot 0 empty (first start): wrote the virtual device's own image")
        }
        Some(verdict) => warn!(
            "bootloader: slot 0 held no valid image ({verdict:?}): wrote the virtual device's own image"
        ),
    }
    if let Some(why) = &report.refused {
        info!("bootloader: refused the image in slot 1: {why}; it was erased");
    }
    if let Some(swap) = report.swap {
        let resumed = if report.resumed {
            " (resumed after a reset)"
        } else {
            ""
        };
        info!("bootloader: {swap:?} swap done{resumed}");
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

    fn image(&mut self) -> Option<&mut dyn ImagePlatform> {
        Some(self)
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

impl ImagePlatform for SimDevice {
    fn image_count(&self) -> u8 {
        1
    }

    fn slot(&mut self, slot: u8) -> Option<&mut dyn FlashArea> {
        self.slots
            .get_mut(usize::from(slot))
            .map(|area| area as &mut dyn FlashArea)
    }

    fn active_slot(&self, _image: u8) -> u8 {
        0
    }

    fn boot_config(&self) -> BootConfig {
        BOOT_CONFIG
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

    fn bootloader(&self) -> Option<BootloaderInfo> {
        Some(BootloaderInfo {
            name: "MCUboot",
            mode: BOOT_CONFIG.mode.wire_value(),
            no_downgrade: BOOT_CONFIG.downgrade_prevention,
        })
    }
}
