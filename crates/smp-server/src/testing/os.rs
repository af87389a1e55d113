//! The os part of the test device: texts, threads, pools, a clock, reset and
//! the bootloader, all set by the test.

use crate::error::{Error, MgmtErr};
use crate::groups::os::{
    BootloaderInfo, ClockError, DateTime, OsInfo, OsPlatform, PoolInfo, TaskInfo,
};

pub struct FakeOs {
    pub clock: Option<DateTime>,
    pub clock_fails: bool,
    pub build_time: Option<&'static str>,
    pub node_name: &'static str,
    pub tasks: &'static [TaskInfo<'static>],
    pub pools: Option<&'static [PoolInfo<'static>]>,
    pub reset_refusal: Option<Error>,
    pub reset_asked: Option<(bool, Option<u8>)>,
    /// `None`: a device without a bootloader.
    pub bootloader: Option<BootloaderInfo>,
}

impl Default for FakeOs {
    fn default() -> Self {
        FakeOs {
            clock: None,
            clock_fails: false,
            build_time: None,
            node_name: "unknown",
            tasks: &[],
            pools: None,
            reset_refusal: None,
            reset_asked: None,
            bootloader: Some(BootloaderInfo {
                name: "MCUboot",
                mode: 3,
                no_downgrade: false,
            }),
        }
    }
}

impl OsPlatform for FakeOs {
    fn info(&self) -> OsInfo<'_> {
        OsInfo {
            kernel_name: "Zephyr",
            node_name: self.node_name,
            kernel_release: "v4.1.99",
            kernel_version: "v4.1.99-123",
            build_date_time: self.build_time,
            machine: "arm",
            processor: "cortex-m4",
            hardware_platform: "nrf52840dk@1.0",
            operating_system: "Zephyr",
        }
    }

    fn tasks(
        &mut self,
        visit: &mut dyn FnMut(&TaskInfo<'_>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        self.tasks.iter().try_for_each(visit)
    }

    fn memory_pools(
        &mut self,
        visit: &mut dyn FnMut(&PoolInfo<'_>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        self.pools
            .ok_or(MgmtErr::NotSup)?
            .iter()
            .try_for_each(visit)
    }

    fn datetime(&mut self) -> Result<DateTime, ClockError> {
        if self.clock_fails {
            return Err(ClockError::Failed);
        }
        self.clock.ok_or(ClockError::NotSet)
    }

    fn set_datetime(&mut self, now: DateTime) -> Result<(), ClockError> {
        if self.clock_fails {
            return Err(ClockError::Failed);
        }
        self.clock = Some(now);
        Ok(())
    }

    fn prepare_reset(&mut self, force: bool, boot_mode: Option<u8>) -> Result<(), Error> {
        self.reset_asked = Some((force, boot_mode));
        match self.reset_refusal {
            Some(e) if !force => Err(e),
            _ => Ok(()),
        }
    }

    fn bootloader(&self) -> Option<BootloaderInfo> {
        self.bootloader
    }
}
