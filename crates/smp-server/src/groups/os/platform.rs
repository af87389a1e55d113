//! What the OS group and the device exchange: system information, threads,
//! memory pools, the clock, reset and the bootloader.

use super::datetime::DateTime;
use crate::error::{Error, MgmtErr};
use crate::header::GroupId;

crate::group_errors! {
    /// OS group errors (`err.rc` with group 0).
    pub enum OsError for GroupId::OS {
        /// An error no other code describes.
        Unknown = 1 => Unknown,
        /// os info: a letter in `format` it does not know, or `b` where the build
        /// time is not recorded.
        InvalidFormat = 2 => Inval,
        /// bootloader info: a `query` it does not know, or no bootloader.
        QueryYieldsNoAnswer = 3 => NoEnt,
        /// date-time: the clock has not been set.
        RtcNotSet = 4 => NoEnt,
        /// date-time: reading or setting the clock failed.
        RtcCommandFailed = 5 => Unknown,
        /// bootloader info: the query is known but has no valid value to answer
        /// with.
        QueryResponseValueNotValid = 6 => NoEnt,
    }
}

/// What the OS group asks of the platform.
pub trait OsPlatform {
    /// The texts os info (command 7) reports.
    fn info(&self) -> OsInfo<'_>;

    /// Calls `visit` for each thread, in a stable order.
    fn tasks(
        &mut self,
        visit: &mut dyn FnMut(&TaskInfo<'_>) -> Result<(), Error>,
    ) -> Result<(), Error>;

    /// Calls `visit` for each memory pool; rc 8 where the platform has none to report.
    fn memory_pools(
        &mut self,
        visit: &mut dyn FnMut(&PoolInfo<'_>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let _ = visit;
        Err(MgmtErr::NotSup.into())
    }

    /// The clock; [`ClockError::NotSet`] before anyone set it. A platform
    /// without one leaves the date-time command out of its table
    /// ([`OsCommands::datetime`](super::OsCommands::datetime)) and these defaults unused.
    fn datetime(&mut self) -> Result<DateTime, ClockError> {
        Err(ClockError::Failed)
    }

    /// Sets the clock to `now`, already checked to be a valid date and time.
    fn set_datetime(&mut self, now: DateTime) -> Result<(), ClockError> {
        let _ = now;
        Err(ClockError::Failed)
    }

    /// Decides whether the device may reset now; the reset itself happens after
    /// the response has been sent ([`AfterResponse::Reset`](crate::dispatch::AfterResponse::Reset)).
    fn prepare_reset(&mut self, force: bool, boot_mode: Option<u8>) -> Result<(), Error>;

    /// The bootloader and, for MCUboot, its mode; `None` when the device
    /// boots without one (every bootloader info query then answers
    /// err {0, 3}, as Zephyr does without CONFIG_BOOTLOADER_MCUBOOT).
    fn bootloader(&self) -> Option<BootloaderInfo>;
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
/// Why the clock could not be read or set.
pub enum ClockError {
    /// The clock has not been set since boot: err {0, 4}.
    NotSet,
    /// The clock failed, or there is none: err {0, 5}.
    Failed,
}

impl From<ClockError> for Error {
    fn from(e: ClockError) -> Self {
        match e {
            ClockError::NotSet => OsError::RtcNotSet.into(),
            ClockError::Failed => OsError::RtcCommandFailed.into(),
        }
    }
}

/// The uname-like texts of os info, one per format letter (all empty by
/// default: for a platform whose os info command is left out).
#[derive(Clone, Copy, Debug, Default)]
pub struct OsInfo<'a> {
    /// `s`
    pub kernel_name: &'a str,
    /// `n`
    pub node_name: &'a str,
    /// `r`
    pub kernel_release: &'a str,
    /// `v`
    pub kernel_version: &'a str,
    /// `b`; the letter is invalid where the build time is not recorded.
    pub build_date_time: Option<&'a str>,
    /// `m`
    pub machine: &'a str,
    /// `p`
    pub processor: &'a str,
    /// `i`
    pub hardware_platform: &'a str,
    /// `o`
    pub operating_system: &'a str,
}

/// One thread, for task statistics.
#[derive(Clone, Copy, Debug)]
pub struct TaskInfo<'a> {
    /// The key of the thread's entry in `tasks`.
    pub name: &'a str,
    /// Priority, as the kernel numbers it (Zephyr: lower runs first,
    /// negative is cooperative).
    pub prio: i32,
    /// A number telling the threads apart (Zephyr: the thread's position in
    /// the kernel's list).
    pub tid: u32,
    /// The kernel's thread state bits (Zephyr `thread_state`).
    pub state: u32,
    /// Stack size and use, in 4-byte words.
    pub stack: Option<(u32, u32)>,
    /// Execution cycles, where measured.
    pub runtime: Option<u64>,
}

/// One memory pool, for memory pool statistics.
#[derive(Clone, Copy, Debug)]
pub struct PoolInfo<'a> {
    /// The key of the pool's entry in `mpools`.
    pub name: &'a str,
    /// Size of one block, in bytes (`blksiz`).
    pub block_size: u64,
    /// Number of blocks (`nblks`).
    pub blocks: u64,
    /// Blocks free now (`nfree`).
    pub free: u64,
    /// The fewest blocks that were ever free at once (`min`).
    pub min_free: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
/// What bootloader info (command 8) reports.
pub struct BootloaderInfo {
    /// Sent as `bootloader` when no `query` is given, such as `"MCUboot"`.
    pub name: &'static str,
    /// MCUboot mode (protocol.md §2.0: -1 unknown, 0 single slot, 1 swap using
    /// scratch, 2 overwrite only, 3 swap using move, ...).
    pub mode: i8,
    /// The bootloader refuses images older than the running one; sent as
    /// `no-downgrade` beside the mode when true.
    pub no_downgrade: bool,
}

/// The longest os info output (Zephyr's MCUMGR_GRP_OS_INFO_MAX_RESPONSE_SIZE).
pub const INFO_MAX_RESPONSE_SIZE: usize = 256;
