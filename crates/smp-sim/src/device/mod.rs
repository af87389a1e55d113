//! The virtual device as the core sees it: `SimDevice`, the core's
//! `Platform`, made of one part per group, all built by [`SimDevice::boot`].
//!
//! A part that holds everything its group answers with implements the
//! group's platform trait and is handed to the core as it is (image,
//! settings, stat, fs, memfault). The groups whose commands reach into other
//! parts are implemented here, over the parts: os info names the node after
//! a setting, the shell reads and writes settings and lists files, storage
//! erase wipes the saved settings and the files with the storage partition.

pub mod boot;
pub mod config;
pub mod fs;
mod image;
mod memfault;
mod os;
mod settings;
mod shell;
mod stat;
mod state_file;
#[cfg(test)]
mod testdir;
mod zephyr_basic;

use std::any::Any;
use std::sync::Arc;
use std::time::{Duration, Instant};

use smp_server::flash::FlashError;
use smp_server::groups::os::{
    BootloaderInfo, ClockError, DateTime, OsInfo, OsPlatform, PoolInfo, TaskInfo,
};
use smp_server::groups::shell::{Argv, ShellOutput};
use smp_server::groups::zephyr_basic::BasicError;
use smp_server::platform::{
    BasicPlatform, FsPlatform, ImagePlatform, MemfaultPlatform, SettingsPlatform, ShellPlatform,
    StatPlatform,
};
use smp_server::{Error, Platform};

use crate::hw::bootloader::boot_key::BootKey;
use crate::hw::flash::Flash;
use crate::threads::ThreadRegistry;
use crate::transport::pool::SharedPool;
use config::DeviceConfig;
use fs::Fs;
use image::Image;
use memfault::Memfault;
use os::{Clock, Os};
use settings::Settings;
use shell::Shell;
use stat::Stat;
use zephyr_basic::ZephyrBasic;

/// What survives a reset of the virtual device: the flash, the bootloader's
/// key, and the clock (as an RTC keeps running).
pub struct Persistent {
    clock: Clock,
    flash: Flash,
    boot_key: Option<BootKey>,
    /// Boots since the process started.
    boots: u64,
}

impl Persistent {
    pub fn new(flash: Flash, boot_key: Option<BootKey>) -> Self {
        Persistent {
            clock: Clock::default(),
            flash,
            boot_key,
            boots: 0,
        }
    }
}

pub struct SimDevice {
    booted: Instant,
    persistent: Persistent,

    os: Os,
    image: Image,
    settings: Settings,
    stat: Stat,
    zephyr_basic: ZephyrBasic,
    fs: Fs,
    memfault: Memfault,
    /// The application's state: the example group's counter (in RAM, 0 at
    /// every boot).
    counter: counter_group::Counter,
}

impl SimDevice {
    /// Powers the device on: the emulated MCUboot runs first (it may swap
    /// images), then the parts start as a Zephyr application's do: the saved
    /// settings are loaded and committed, the file systems mounted. Fails
    /// only when the flash does.
    pub fn boot(
        mut persistent: Persistent,
        pool: Arc<SharedPool>,
        threads: Arc<ThreadRegistry>,
        config: Arc<DeviceConfig>,
    ) -> Result<Self, FlashError> {
        persistent.boots += 1;
        let mut image = Image::open(
            &persistent.flash,
            config.direct_upload,
            config.bootloader.boot_config(),
        );
        boot::run(
            config.bootloader,
            &mut image.bootloader_slots(),
            persistent.boot_key.as_ref(),
        )?;
        let booted = Instant::now();
        Ok(SimDevice {
            os: Os::new(threads, pool.clone()),
            image,
            settings: Settings::boot(config.settings_file()),
            stat: Stat::new(persistent.boots, booted, pool, config.transports.clone()),
            zephyr_basic: ZephyrBasic::open(&persistent.flash),
            fs: Fs::mount(&config.fs_dir(), &config.mounts),
            memfault: Memfault::boot(&config),
            counter: counter_group::Counter::default(),
            booted,
            persistent,
        })
    }

    pub fn uptime(&self) -> Duration {
        self.booted.elapsed()
    }

    /// Cuts the power: what lives in RAM is gone.
    pub fn power_off(self) -> Persistent {
        self.persistent
    }
}

impl Platform for SimDevice {
    fn os(&mut self) -> &mut dyn OsPlatform {
        self
    }

    fn image(&mut self) -> Option<&mut dyn ImagePlatform> {
        Some(&mut self.image)
    }

    fn stat(&mut self) -> Option<&mut dyn StatPlatform> {
        Some(&mut self.stat)
    }

    fn settings(&mut self) -> Option<&mut dyn SettingsPlatform> {
        Some(&mut self.settings)
    }

    fn fs(&mut self) -> Option<&mut dyn FsPlatform> {
        Some(&mut self.fs)
    }

    fn shell(&mut self) -> Option<&mut dyn ShellPlatform> {
        Some(self)
    }

    fn basic(&mut self) -> Option<&mut dyn BasicPlatform> {
        Some(self)
    }

    fn memfault(&mut self) -> Option<&mut dyn MemfaultPlatform> {
        Some(&mut self.memfault)
    }

    fn app(&mut self) -> Option<&mut dyn Any> {
        Some(&mut self.counter)
    }
}

impl OsPlatform for SimDevice {
    fn info(&self) -> OsInfo<'_> {
        Os::info(self.settings.node_name())
    }

    fn tasks(
        &mut self,
        visit: &mut dyn FnMut(&TaskInfo<'_>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        self.os.tasks(visit)
    }

    fn memory_pools(
        &mut self,
        visit: &mut dyn FnMut(&PoolInfo<'_>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        self.os.memory_pools(visit)
    }

    fn datetime(&mut self) -> Result<DateTime, ClockError> {
        self.persistent.clock.now()
    }

    fn set_datetime(&mut self, now: DateTime) -> Result<(), ClockError> {
        self.persistent.clock.set(now);
        Ok(())
    }

    fn prepare_reset(&mut self, _force: bool, boot_mode: Option<u8>) -> Result<(), Error> {
        Os::prepare_reset(boot_mode)
    }

    fn bootloader(&self) -> Option<BootloaderInfo> {
        Some(Os::bootloader(self.image.boot_config()))
    }
}

impl ShellPlatform for SimDevice {
    fn execute(&mut self, argv: &Argv<'_>, out: &mut ShellOutput<'_>) -> i32 {
        self.stat.count_shell_command();
        let mut shell = Shell {
            settings: &mut self.settings,
            fs: &self.fs,
            booted: self.booted,
        };
        shell.execute(argv, out)
    }
}

impl SimDevice {
    /// Runs a command line typed at the serial link's shell
    /// (`--serial-framing shell`).
    pub fn run_shell_command(&mut self, args: &[&str], out: &mut String) -> i32 {
        let mut shell = Shell {
            settings: &mut self.settings,
            fs: &self.fs,
            booted: self.booted,
        };
        shell.run(args, out)
    }
}

impl BasicPlatform for SimDevice {
    fn erase_storage(&mut self) -> Result<(), BasicError> {
        self.zephyr_basic
            .erase_storage(&mut self.settings, &mut self.fs)
    }
}
