//! The device as the core sees it: the platform traits over Zephyr.

use core::any::Any;
use core::ffi::c_void;

use smp_server::groups::os::{BootloaderInfo, OsInfo, OsPlatform, TaskInfo};
#[cfg(CONFIG_RUST_SMP_GRP_OS_DATETIME)]
use smp_server::groups::os::{ClockError, DateTime};
use smp_server::{Error, Platform};

/// os info's texts, only with the command: the trait object's vtable would
/// keep them in the image otherwise.
#[cfg(CONFIG_RUST_SMP_GRP_OS_INFO)]
mod os_info {
    use smp_server::groups::os::OsInfo;

    /// Texts of os info, fixed at build time (`build.rs` reads them from
    /// the Zephyr build): the same values Zephyr's own os_mgmt reports.
    const KERNEL_RELEASE: &str = env!("RUST_SMP_BUILD_VERSION");
    const KERNEL_VERSION: &str = env!("RUST_SMP_KERNEL_VERSION");
    const MACHINE: &str = env!("RUST_SMP_ARCH");
    const PROCESSOR: &str = env!("RUST_SMP_PROCESSOR");
    const HARDWARE_PLATFORM: &str = env!("RUST_SMP_HARDWARE_PLATFORM");
    /// As Zephyr's os_mgmt: the network hostname with one
    /// (CONFIG_NET_HOSTNAME_ENABLE, `node_name()`), else the Bluetooth name with
    /// Bluetooth (bt_get_name(), which is CONFIG_BT_DEVICE_NAME unless names are
    /// dynamic, and this app does not change it), else "unknown".
    #[cfg(all(CONFIG_BT, not(CONFIG_NET_HOSTNAME_ENABLE)))]
    const NODE_NAME: &str = env!("RUST_SMP_BT_DEVICE_NAME");
    #[cfg(not(any(CONFIG_BT, CONFIG_NET_HOSTNAME_ENABLE)))]
    const NODE_NAME: &str = "unknown";

    /// The node name os info reports (see [`NODE_NAME`]).
    #[cfg(not(CONFIG_NET_HOSTNAME_ENABLE))]
    fn node_name() -> &'static str {
        NODE_NAME
    }

    /// The network hostname, read at each query: with NET_HOSTNAME_UNIQUE or
    /// NET_HOSTNAME_DYNAMIC it changes after boot.
    #[cfg(CONFIG_NET_HOSTNAME_ENABLE)]
    fn node_name() -> &'static str {
        // SAFETY: returns the network stack's static, NUL-terminated hostname
        // buffer (or NULL).
        let name = unsafe { crate::sys::raw::net_hostname_get() };
        if name.is_null() {
            return "unknown";
        }
        // SAFETY: a NUL-terminated string in a static buffer. Setting a dynamic
        // hostname rewrites it in place; a query racing that may read a mix of
        // the two names, as Zephyr's own os_mgmt may.
        unsafe { core::ffi::CStr::from_ptr(name) }
            .to_str()
            .unwrap_or("unknown")
    }

    pub(super) fn info() -> OsInfo<'static> {
        OsInfo {
            kernel_name: "Zephyr",
            node_name: node_name(),
            kernel_release: KERNEL_RELEASE,
            kernel_version: KERNEL_VERSION,
            #[cfg(CONFIG_RUST_SMP_GRP_OS_INFO_BUILD_DATE_TIME)]
            build_date_time: Some(env!("RUST_SMP_BUILD_DATE_TIME")),
            #[cfg(not(CONFIG_RUST_SMP_GRP_OS_INFO_BUILD_DATE_TIME))]
            build_date_time: None,
            machine: MACHINE,
            processor: PROCESSOR,
            hardware_platform: HARDWARE_PLATFORM,
            operating_system: "Zephyr",
        }
    }
}

pub struct ZephyrDevice<'a> {
    /// The application's state, for its own groups (`Ctx::app`).
    app: Option<&'a mut dyn Any>,
    /// The date-time command's clock (RTC or RAM).
    #[cfg(CONFIG_RUST_SMP_GRP_OS_DATETIME)]
    clock: crate::clock::Clock,
    #[cfg(CONFIG_RUST_SMP_GRP_IMG)]
    slots: crate::image::Slots,
    #[cfg(CONFIG_RUST_SMP_GRP_STAT)]
    stats: crate::stat::Stats,
    #[cfg(CONFIG_RUST_SMP_GRP_MEMFAULT)]
    memfault: crate::memfault::Memfault,
    #[cfg(CONFIG_RUST_SMP_GRP_SETTINGS)]
    settings: crate::settings::ZephyrSettings,
    #[cfg(CONFIG_RUST_SMP_GRP_FS)]
    fs: crate::fs::ZephyrFs,
    #[cfg(CONFIG_RUST_SMP_GRP_SHELL)]
    shell: crate::shell::ZephyrShell,
    #[cfg(CONFIG_RUST_SMP_GRP_ZBASIC)]
    storage: crate::zephyr_basic::ZephyrStorage,
}

impl<'a> ZephyrDevice<'a> {
    /// Opens what the enabled groups use (flash partitions, the settings
    /// store, ...) and loads the settings. Called once, by the SMP thread,
    /// which then owns the device.
    pub fn new(app: Option<&'a mut dyn Any>) -> Self {
        ZephyrDevice {
            app,
            #[cfg(CONFIG_RUST_SMP_GRP_OS_DATETIME)]
            clock: crate::clock::Clock::new(),
            #[cfg(CONFIG_RUST_SMP_GRP_IMG)]
            slots: crate::image::Slots::open(),
            #[cfg(CONFIG_RUST_SMP_GRP_STAT)]
            stats: crate::stat::Stats::default(),
            #[cfg(CONFIG_RUST_SMP_GRP_MEMFAULT)]
            memfault: crate::memfault::Memfault::new(),
            #[cfg(CONFIG_RUST_SMP_GRP_SETTINGS)]
            settings: crate::settings::ZephyrSettings::boot(),
            #[cfg(CONFIG_RUST_SMP_GRP_FS)]
            fs: crate::fs::ZephyrFs::new(),
            #[cfg(CONFIG_RUST_SMP_GRP_SHELL)]
            shell: crate::shell::ZephyrShell::new(),
            #[cfg(CONFIG_RUST_SMP_GRP_ZBASIC)]
            storage: crate::zephyr_basic::ZephyrStorage,
        }
    }
}

impl ZephyrDevice<'_> {
    /// The device's statistics (the SMP thread records its transports'
    /// start-up there).
    #[cfg(CONFIG_RUST_SMP_GRP_STAT_LINKS)]
    pub fn stats(&mut self) -> &mut crate::stat::Stats {
        &mut self.stats
    }
}

impl Platform for ZephyrDevice<'_> {
    fn os(&mut self) -> &mut dyn OsPlatform {
        self
    }

    fn app(&mut self) -> Option<&mut dyn Any> {
        self.app.as_deref_mut()
    }

    #[cfg(CONFIG_RUST_SMP_GRP_IMG)]
    fn image(&mut self) -> Option<&mut dyn smp_server::platform::ImagePlatform> {
        Some(&mut self.slots)
    }

    #[cfg(CONFIG_RUST_SMP_GRP_STAT)]
    fn stat(&mut self) -> Option<&mut dyn smp_server::platform::StatPlatform> {
        Some(&mut self.stats)
    }

    #[cfg(CONFIG_RUST_SMP_GRP_MEMFAULT)]
    fn memfault(&mut self) -> Option<&mut dyn smp_server::platform::MemfaultPlatform> {
        Some(&mut self.memfault)
    }

    #[cfg(CONFIG_RUST_SMP_GRP_SETTINGS)]
    fn settings(&mut self) -> Option<&mut dyn smp_server::platform::SettingsPlatform> {
        Some(&mut self.settings)
    }

    #[cfg(CONFIG_RUST_SMP_GRP_FS)]
    fn fs(&mut self) -> Option<&mut dyn smp_server::platform::FsPlatform> {
        Some(&mut self.fs)
    }

    #[cfg(CONFIG_RUST_SMP_GRP_SHELL)]
    fn shell(&mut self) -> Option<&mut dyn smp_server::platform::ShellPlatform> {
        Some(&mut self.shell)
    }

    #[cfg(CONFIG_RUST_SMP_GRP_ZBASIC)]
    fn basic(&mut self) -> Option<&mut dyn smp_server::platform::BasicPlatform> {
        Some(&mut self.storage)
    }
}

impl OsPlatform for ZephyrDevice<'_> {
    // This and bootloader() only with their commands (see os_info).
    #[cfg(CONFIG_RUST_SMP_GRP_OS_INFO)]
    fn info(&self) -> OsInfo<'_> {
        os_info::info()
    }

    #[cfg(not(CONFIG_RUST_SMP_GRP_OS_INFO))]
    fn info(&self) -> OsInfo<'_> {
        OsInfo::default()
    }

    fn tasks(
        &mut self,
        visit: &mut dyn FnMut(&TaskInfo<'_>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        tasks(visit)
    }

    /// The server's own receive buffers: the Bluetooth request slots
    /// (`smp_ble_rx`) and the serial link's receive ring (`smp_serial_rx`,
    /// one-byte blocks), where the build has them (RUST_SMP_GRP_OS_MPSTAT
    /// needs one). UDP requests wait in the socket, not in a pool of the
    /// server's.
    #[cfg(CONFIG_RUST_SMP_GRP_OS_MPSTAT)]
    fn memory_pools(
        &mut self,
        visit: &mut dyn FnMut(&smp_server::groups::os::PoolInfo<'_>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        use smp_server::groups::os::PoolInfo;
        let _ = &visit;
        #[cfg(CONFIG_RUST_SMP_TRANSPORT_BT)]
        {
            let (size, blocks, free, min_free) = crate::ble::pool();
            visit(&PoolInfo {
                name: "smp_ble_rx",
                block_size: size as u64,
                blocks: blocks as u64,
                free: free as u64,
                min_free: min_free as u64,
            })?;
        }
        #[cfg(any(
            CONFIG_RUST_SMP_TRANSPORT_UART_INTERRUPT,
            CONFIG_RUST_SMP_TRANSPORT_UART_ASYNC,
            CONFIG_RUST_SMP_TRANSPORT_SHELL
        ))]
        {
            let (blocks, free, min_free) = crate::serial_rx::pool();
            visit(&PoolInfo {
                name: "smp_serial_rx",
                block_size: 1,
                blocks: blocks as u64,
                free: free as u64,
                min_free: min_free as u64,
            })?;
        }
        Ok(())
    }

    // Only with the command: the trait object's vtable would keep them (and
    // the calendar code) in the image otherwise.
    #[cfg(CONFIG_RUST_SMP_GRP_OS_DATETIME)]
    fn datetime(&mut self) -> Result<DateTime, ClockError> {
        self.clock.now()
    }

    #[cfg(CONFIG_RUST_SMP_GRP_OS_DATETIME)]
    fn set_datetime(&mut self, now: DateTime) -> Result<(), ClockError> {
        self.clock.set(now)
    }

    /// With RUST_SMP_GRP_OS_RESET_BOOT_MODE every boot mode is taken: it is
    /// written just before the reboot (smp.rs), so that a reset the
    /// application's hook refuses leaves the next boot as it was.
    fn prepare_reset(&mut self, _force: bool, boot_mode: Option<u8>) -> Result<(), Error> {
        match boot_mode {
            None | Some(0) => Ok(()),
            #[cfg(CONFIG_RUST_SMP_GRP_OS_RESET_BOOT_MODE)]
            Some(_) => Ok(()),
            // No retained boot mode (CONFIG_RETENTION_BOOT_MODE) to boot into.
            #[cfg(not(CONFIG_RUST_SMP_GRP_OS_RESET_BOOT_MODE))]
            Some(_) => Err(smp_server::MgmtErr::NotSup.into()),
        }
    }

    /// MCUboot with the mode this image was built for; without MCUboot
    /// (native_sim) every query answers err {0, 3}, as Zephyr does.
    fn bootloader(&self) -> Option<BootloaderInfo> {
        #[cfg(all(CONFIG_BOOTLOADER_MCUBOOT, CONFIG_RUST_SMP_GRP_OS_BOOTLOADER_INFO))]
        {
            let config = crate::boot::BOOT_CONFIG;
            Some(BootloaderInfo {
                name: "MCUboot",
                mode: config.mode.wire_value(),
                no_downgrade: config.downgrade_prevention,
            })
        }
        #[cfg(not(all(CONFIG_BOOTLOADER_MCUBOOT, CONFIG_RUST_SMP_GRP_OS_BOOTLOADER_INFO)))]
        None
    }
}

/// Task statistics from Zephyr's thread list.
#[cfg(CONFIG_RUST_SMP_GRP_OS_TASKSTAT)]
fn tasks(visit: &mut dyn FnMut(&TaskInfo<'_>) -> Result<(), Error>) -> Result<(), Error> {
    #[cfg(CONFIG_RUST_SMP_GRP_OS_TASKSTAT_STACK_INFO)]
    use zephyr::raw::k_thread_stack_space_get;
    use zephyr::raw::{k_thread, k_thread_foreach, k_thread_priority_get};

    struct Walk<'a> {
        visit: &'a mut dyn FnMut(&TaskInfo<'_>) -> Result<(), Error>,
        index: u32,
        result: Result<(), Error>,
    }

    extern "C" fn one(thread: *const k_thread, user_data: *mut c_void) {
        // SAFETY: user_data is the `Walk` passed to k_thread_foreach below,
        // alive and not otherwise borrowed for the whole walk.
        let walk = unsafe { &mut *(user_data as *mut Walk<'_>) };
        if walk.result.is_err() {
            return;
        }
        // SAFETY: k_thread_foreach hands out live threads, under its lock.
        let t = unsafe { &*thread };
        // smp_server's Text, not core::fmt, whose machinery would cost a
        // kilobyte or more of flash for this one number.
        let mut index_name = smp_server::text::Text::<10>::new();
        let _ = index_name.push_u32(walk.index, 1);
        #[cfg(CONFIG_RUST_SMP_GRP_OS_TASKSTAT_USE_THREAD_NAME_FOR_NAME)]
        // SAFETY: CONFIG_THREAD_NAME: `name` is a NUL-terminated array
        // (k_thread_name_set always terminates it).
        let name = match unsafe { core::ffi::CStr::from_ptr(t.name.as_ptr()) }.to_str() {
            // Names are the keys of the answer's map: a thread nobody named
            // (drivers' threads) gets its index, as Zephyr names every thread
            // without CONFIG_THREAD_NAME, rather than an empty key that a
            // second unnamed thread would collide with.
            Ok("") => index_name.as_str(),
            Ok(name) => name,
            Err(_) => "?",
        };
        #[cfg(not(CONFIG_RUST_SMP_GRP_OS_TASKSTAT_USE_THREAD_NAME_FOR_NAME))]
        let name = index_name.as_str();
        #[cfg(CONFIG_RUST_SMP_GRP_OS_TASKSTAT_STACK_INFO)]
        let stack = {
            let mut unused = 0usize;
            // SAFETY: a live thread, and a valid out pointer.
            let stack_ok = unsafe { k_thread_stack_space_get(thread, &mut unused) } == 0;
            let size = t.stack_info.size;
            stack_ok.then(|| ((size / 4) as u32, (size.saturating_sub(unused) / 4) as u32))
        };
        #[cfg(not(CONFIG_RUST_SMP_GRP_OS_TASKSTAT_STACK_INFO))]
        let stack = None;
        // SAFETY: a live thread.
        let prio = unsafe { k_thread_priority_get(thread as *mut k_thread) };
        walk.result = (walk.visit)(&TaskInfo {
            name,
            prio,
            tid: walk.index,
            state: u32::from(t.base.thread_state),
            stack,
            runtime: None,
        });
        walk.index += 1;
    }

    let mut walk = Walk {
        visit,
        index: 0,
        result: Ok(()),
    };
    // SAFETY: `one` only reads the threads it is given; `walk` outlives the
    // call (k_thread_foreach returns after the last callback).
    unsafe { k_thread_foreach(Some(one), &mut walk as *mut Walk<'_> as *mut c_void) };
    walk.result
}

#[cfg(not(CONFIG_RUST_SMP_GRP_OS_TASKSTAT))]
fn tasks(_: &mut dyn FnMut(&TaskInfo<'_>) -> Result<(), Error>) -> Result<(), Error> {
    Err(smp_server::MgmtErr::NotSup.into())
}
