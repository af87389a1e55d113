//! A no_std link of the whole core: every group, every codec, the hooks, over
//! a platform whose every answer is opaque to the optimiser (`black_box`), so
//! no path is removed for being impossible. If any panic is reachable, the
//! panic handler is kept, and with it a reference to a symbol that does not
//! exist: the link fails, naming it.
#![no_std]
#![no_main]

use core::any::Any;
use core::hint::black_box;

use smp_server::codec::ble::Reassembler;
use smp_server::codec::raw_uart::RawDecoder;
use smp_server::codec::serial::{self, SerialDecoder};
use smp_server::flash::{FlashArea, FlashError};
use smp_server::groups::fs::{FsFailure, FsPlatform, OpenMode};
use smp_server::groups::memfault::{DeviceInfo, MemfaultPlatform};
use smp_server::groups::os::{
    BootloaderInfo, ClockError, DateTime, OsInfo, OsPlatform, PoolInfo, TaskInfo,
};
use smp_server::groups::settings::{SettingsFailure, SettingsPlatform};
use smp_server::groups::shell::{Argv, ShellOutput, ShellPlatform};
use smp_server::groups::stat::{StatGroup, StatPlatform};
use smp_server::groups::zephyr_basic::{BasicError, BasicPlatform};
use smp_server::groups::{
    enumeration, fs, image, memfault, os, settings, shell, stat, zephyr_basic,
};
use smp_server::mcuboot::{BootConfig, BootMode};
use smp_server::netbuf::NetBuf;
use smp_server::platform::{ImagePlatform, Platform};
use smp_server::{Error, Group, Hooks, NoHooks, Params, Server, Transport};

extern "Rust" {
    /// Defined nowhere: referenced only from the panic handler.
    fn a_panic_is_reachable_in_the_core() -> !;
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    // SAFETY: never called when the check passes; when a panic path exists
    // the link fails on this undefined symbol before anything can run.
    unsafe { a_panic_is_reachable_in_the_core() }
}

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

/// A slot in RAM.
struct Slot([u8; 4096]);

impl FlashArea for Slot {
    fn size(&self) -> u32 {
        black_box(4096)
    }
    fn erase_size(&self) -> u32 {
        black_box(4096)
    }
    fn write_size(&self) -> u32 {
        black_box(4)
    }
    fn read(&mut self, offset: u32, bytes: &mut [u8]) -> Result<(), FlashError> {
        let from = self
            .0
            .get(offset as usize..)
            .ok_or(FlashError::OutOfBounds)?;
        smp_server::bytes::copy(bytes, from);
        black_box(Ok(()))
    }
    fn write(&mut self, offset: u32, bytes: &[u8]) -> Result<(), FlashError> {
        let to = self
            .0
            .get_mut(offset as usize..)
            .ok_or(FlashError::OutOfBounds)?;
        smp_server::bytes::copy(to, bytes);
        black_box(Ok(()))
    }
    fn erase(&mut self, from: u32, to: u32) -> Result<(), FlashError> {
        black_box((from, to));
        black_box(Ok(()))
    }
}

/// Answers everything with values the optimiser cannot see through.
struct Device {
    slots: [Slot; 2],
    counters: Radio,
}

smp_server::stat_counters! {
    /// A device statistics group.
    pub struct Radio { tx, rx }
}

impl OsPlatform for Device {
    fn info(&self) -> OsInfo<'_> {
        black_box(OsInfo {
            kernel_name: "Zephyr",
            node_name: "n",
            kernel_release: "r",
            kernel_version: "v",
            build_date_time: Some("b"),
            machine: "m",
            processor: "p",
            hardware_platform: "h",
            operating_system: "o",
        })
    }
    fn tasks(
        &mut self,
        visit: &mut dyn FnMut(&TaskInfo<'_>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        visit(black_box(&TaskInfo {
            name: "main",
            prio: 0,
            tid: 1,
            state: 0,
            stack: Some((1, 2)),
            runtime: Some(4),
        }))
    }
    fn memory_pools(
        &mut self,
        visit: &mut dyn FnMut(&PoolInfo<'_>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        visit(black_box(&PoolInfo {
            name: "pool",
            block_size: 1,
            blocks: 2,
            free: 3,
            min_free: 4,
        }))
    }
    fn datetime(&mut self) -> Result<DateTime, ClockError> {
        black_box(Err(ClockError::NotSet))
    }
    fn set_datetime(&mut self, now: DateTime) -> Result<(), ClockError> {
        black_box(now);
        black_box(Ok(()))
    }
    fn prepare_reset(&mut self, force: bool, boot_mode: Option<u8>) -> Result<(), Error> {
        black_box((force, boot_mode));
        black_box(Ok(()))
    }
    fn bootloader(&self) -> Option<BootloaderInfo> {
        black_box(Some(BootloaderInfo {
            name: "MCUboot",
            mode: 3,
            no_downgrade: false,
        }))
    }
}

impl ImagePlatform for Device {
    fn image_count(&self) -> u8 {
        black_box(1)
    }
    fn slot(&mut self, slot: u8) -> Option<&mut dyn FlashArea> {
        self.slots
            .get_mut(usize::from(black_box(slot)))
            .map(|s| s as &mut dyn FlashArea)
    }
    fn active_slot(&self, image: u8) -> u8 {
        black_box(image)
    }
    fn boot_config(&self) -> BootConfig {
        black_box(BootConfig {
            mode: BootMode::SwapUsingMove,
            max_align: 8,
            downgrade_prevention: false,
        })
    }
    fn version_cmp_use_build(&self) -> bool {
        black_box(false)
    }
    fn direct_upload(&self) -> bool {
        black_box(false)
    }
}

impl StatPlatform for Device {
    fn transports(&self) -> &[Transport] {
        black_box(&[Transport::Udp, Transport::Serial])
    }
    fn for_each_group(
        &mut self,
        visit: &mut dyn FnMut(StatGroup<'_>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        visit(StatGroup {
            name: "radio",
            counters: &self.counters,
        })
    }
}

impl SettingsPlatform for Device {
    fn read(&mut self, name: &str, out: &mut [u8]) -> Result<usize, SettingsFailure> {
        black_box((name, &out));
        black_box(Ok(out.len()))
    }
    fn write(&mut self, name: &str, value: &[u8]) -> Result<(), SettingsFailure> {
        black_box((name, value));
        black_box(Ok(()))
    }
    fn delete(&mut self, name: &str) -> Result<(), SettingsFailure> {
        black_box(name);
        black_box(Ok(()))
    }
    fn commit(&mut self) -> Result<(), SettingsFailure> {
        black_box(Ok(()))
    }
    fn load(&mut self) -> Result<(), SettingsFailure> {
        black_box(Ok(()))
    }
    fn save(&mut self, name: Option<&str>) -> Result<(), SettingsFailure> {
        black_box(name);
        black_box(Ok(()))
    }
}

impl FsPlatform for Device {
    fn now_ms(&mut self) -> u64 {
        black_box(0)
    }
    fn file_size(&mut self, path: &str) -> Result<u64, FsFailure> {
        black_box(path);
        black_box(Ok(100))
    }
    fn open(&mut self, path: &str, mode: OpenMode) -> Result<(), FsFailure> {
        black_box((path, mode));
        black_box(Ok(()))
    }
    fn read(&mut self, offset: u64, buf: &mut [u8]) -> Result<usize, FsFailure> {
        black_box((offset, &buf));
        black_box(Ok(buf.len()))
    }
    fn truncate(&mut self) -> Result<(), FsFailure> {
        black_box(Ok(()))
    }
    fn append(&mut self, data: &[u8]) -> Result<(), FsFailure> {
        black_box(data);
        black_box(Ok(()))
    }
    fn close(&mut self) {
        black_box(());
    }
    fn read_range(
        &mut self,
        path: &str,
        offset: u64,
        len: u64,
        sink: &mut dyn FnMut(&[u8]),
    ) -> Result<u64, FsFailure> {
        black_box((path, offset));
        sink(black_box(&[1, 2, 3]));
        black_box(Ok(len))
    }
}

impl ShellPlatform for Device {
    fn execute(&mut self, argv: &Argv<'_>, out: &mut ShellOutput<'_>) -> i32 {
        for arg in argv.iter() {
            let _ = core::fmt::Write::write_str(out, arg);
        }
        black_box(0)
    }
}

impl BasicPlatform for Device {
    fn erase_storage(&mut self) -> Result<(), BasicError> {
        black_box(Ok(()))
    }
}

impl MemfaultPlatform for Device {
    fn device_info(&self) -> DeviceInfo<'_> {
        black_box(DeviceInfo {
            device_serial: Some("s"),
            hardware_version: Some("h"),
            software_type: Some("t"),
            software_version: Some("v"),
        })
    }
    fn project_key(&self) -> Option<&str> {
        black_box(Some("key"))
    }
}

impl Platform for Device {
    fn os(&mut self) -> &mut dyn OsPlatform {
        self
    }
    fn image(&mut self) -> Option<&mut dyn ImagePlatform> {
        black_box(Some(self))
    }
    fn stat(&mut self) -> Option<&mut dyn StatPlatform> {
        black_box(Some(self))
    }
    fn settings(&mut self) -> Option<&mut dyn SettingsPlatform> {
        black_box(Some(self))
    }
    fn fs(&mut self) -> Option<&mut dyn FsPlatform> {
        black_box(Some(self))
    }
    fn shell(&mut self) -> Option<&mut dyn ShellPlatform> {
        black_box(Some(self))
    }
    fn basic(&mut self) -> Option<&mut dyn BasicPlatform> {
        black_box(Some(self))
    }
    fn memfault(&mut self) -> Option<&mut dyn MemfaultPlatform> {
        black_box(Some(self))
    }
    fn app(&mut self) -> Option<&mut dyn Any> {
        black_box(None)
    }
}

/// The only root the linker keeps: every request buffer through every codec
/// and the server, with and without hooks.
#[no_mangle]
pub extern "C" fn check_entry() -> ! {
    let mut device = Device {
        slots: [Slot([0xFF; 4096]), Slot([0xFF; 4096])],
        counters: Radio::default(),
    };
    let mut server = Server::new(
        GROUPS,
        Params {
            buf_size: 512,
            buf_count: 2,
        },
    );
    let mut storage = [0u8; 512];
    let mut tx = [0u8; 512];
    let mut frame = [0u8; 600];
    let mut hooks = NoHooks;
    loop {
        let input: [u8; 512] = black_box([0; 512]);
        #[cfg(feature = "deliberate-panic")]
        black_box(input[black_box(512)]);
        let transport = black_box(Transport::Udp);
        let hooks: &mut dyn Hooks = black_box(&mut hooks);
        let mut emit = |rsp: &[u8]| {
            serial::encode(rsp, &mut |line: &[u8]| {
                smp_server::bytes::copy(&mut frame, line);
                black_box(&frame);
            });
        };
        black_box(server.process_with_hooks(
            &mut device,
            hooks,
            transport,
            &input,
            &mut tx,
            &mut emit,
        ));

        let mut buf = NetBuf::new(&mut storage);
        let mut serial_decoder = SerialDecoder::new();
        for byte in input {
            black_box(serial_decoder.push(byte, &mut buf));
        }
        let mut raw = RawDecoder::new(black_box(100));
        for byte in input {
            black_box(raw.push(byte, black_box(0), &mut buf));
        }
        let mut ble = Reassembler::new();
        let _ = black_box(ble.push(&input, &mut buf));
    }
}
