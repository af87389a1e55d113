//! The device the server targets run against, chosen by the first
//! [`CONFIG_LEN`] bytes of the input, so that one corpus covers the buffer
//! sizes, transports, image layouts and boot modes a real device may have.
//! The seeds start with `00 00`: the unit tests' own bench.

use smp_server::groups::os::{PoolInfo, TaskInfo};
use smp_server::mcuboot::BootMode;
use smp_server::netbuf::MIN_NETBUF_SIZE;
use smp_server::testing::{Bench, FakeImage, PARAMS};
use smp_server::Transport;

/// Bytes of configuration in front of the requests.
pub const CONFIG_LEN: usize = 2;

/// Response buffer sizes: the unit tests' (also what the server reports as
/// its buffer size), the smallest the server accepts, a large one, and one
/// in between where most responses must be cut short.
const TX_SIZES: [usize; 4] = [PARAMS.buf_size, MIN_NETBUF_SIZE, 2048, 100];

const TRANSPORTS: [Transport; 4] = [
    Transport::Udp,
    Transport::Serial,
    Transport::Ble,
    Transport::RawUart,
];

/// Every boot mode, the unit tests' first.
const BOOT_MODES: [BootMode; 10] = [
    BootMode::SwapUsingMove,
    BootMode::SingleSlot,
    BootMode::SwapUsingScratch,
    BootMode::OverwriteOnly,
    BootMode::DirectXip,
    BootMode::DirectXipWithRevert,
    BootMode::RamLoad,
    BootMode::FirmwareLoader,
    BootMode::SingleSlotRamLoad,
    BootMode::SwapUsingOffset,
];

/// Threads and pools for the os group's statistics (the unit tests' bench
/// has none).
static TASKS: &[TaskInfo<'static>] = &[
    TaskInfo {
        name: "main",
        prio: 0,
        tid: 1,
        state: 0,
        stack: Some((256, 100)),
        runtime: Some(1234),
    },
    TaskInfo {
        name: "a thread with a long name that fills the response",
        prio: -1,
        tid: 2,
        state: 4,
        stack: None,
        runtime: None,
    },
];
static POOLS: &[PoolInfo<'static>] = &[PoolInfo {
    name: "pool",
    block_size: 64,
    blocks: 16,
    free: 3,
    min_free: 1,
}];

/// What the first two bytes of the input select.
#[derive(Clone, Copy, Debug)]
pub struct BenchConfig {
    pub tx_size: usize,
    pub transport: Transport,
    /// Two image pairs instead of one.
    pub dual: bool,
    pub direct_upload: bool,
    pub downgrade_prevention: bool,
    pub use_build: bool,
    pub mode: BootMode,
}

impl BenchConfig {
    /// The configuration and the rest of the input; `None` when the input is
    /// shorter than the configuration.
    ///
    /// Byte 0: bits 0–1 response buffer size, bit 2 two images, bit 3 direct
    /// upload, bits 4–5 transport, bit 6 downgrade prevention, bit 7 build
    /// numbers compared. Byte 1: boot mode (modulo 10).
    pub fn split(data: &[u8]) -> Option<(Self, &[u8])> {
        let (&[flags, mode], rest) = data.split_first_chunk::<CONFIG_LEN>()?;
        let bit = |n: u8| flags & (1 << n) != 0;
        let config = BenchConfig {
            tx_size: TX_SIZES[usize::from(flags & 0x03)],
            dual: bit(2),
            direct_upload: bit(3),
            transport: TRANSPORTS[usize::from((flags >> 4) & 0x03)],
            downgrade_prevention: bit(6),
            use_build: bit(7),
            mode: BOOT_MODES[usize::from(mode) % BOOT_MODES.len()],
        };
        Some((config, rest))
    }

    /// The unit tests' full bench, set up as configured, with a few files,
    /// a setting, threads and pools for the requests to find.
    pub fn bench(&self) -> Bench {
        let mut bench = Bench::full();
        bench.tx_size = self.tx_size;
        bench.transport = self.transport;
        let mut image = if self.dual {
            FakeImage::dual()
        } else {
            FakeImage::single()
        };
        image.direct_upload = self.direct_upload;
        image.use_build = self.use_build;
        image.config.mode = self.mode;
        image.config.downgrade_prevention = self.downgrade_prevention;
        bench.dev.image = Some(image);

        let os = &mut bench.dev.base;
        os.tasks = TASKS;
        os.pools = Some(POOLS);
        if let Some(bootloader) = &mut os.bootloader {
            bootloader.mode = self.mode.wire_value();
            bootloader.no_downgrade = self.downgrade_prevention;
        }
        // The files and setting the unit tests most often start from.
        let files = &mut bench.fs().files;
        files.insert("/lfs/a".into(), b"hello world".to_vec());
        files.insert("/lfs/big".into(), (0..1000u32).map(|i| i as u8).collect());
        files.insert("/lfs/e".into(), Vec::new());
        bench
            .settings()
            .running
            .insert("app/x".into(), b"hello".to_vec());
        bench
    }
}
