//! What the OS group and the device exchange: system information, threads,
//! memory pools, the clock, reset and the bootloader.

use super::datetime::DateTime;
use crate::error::{Error, MgmtErr};
use crate::header::GroupId;

crate::group_errors! {
    /// OS group errors (`err.rc` with group 0).
    pub enum OsError for GroupId::OS {
        Unknown = 1 => Unknown,
        InvalidFormat = 2 => Inval,
        QueryYieldsNoAnswer = 3 => NoEnt,
        RtcNotSet = 4 => NoEnt,
        RtcCommandFailed = 5 => Unknown,
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
pub enum ClockError {
    NotSet,
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

/// The uname-like texts of os info, one per format letter.
#[derive(Clone, Copy, Debug)]
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
    pub name: &'a str,
    pub prio: i32,
    pub tid: u32,
    pub state: u32,
    /// Stack size and use, in 4-byte words.
    pub stack: Option<(u32, u32)>,
    /// Execution cycles, where measured.
    pub runtime: Option<u64>,
}

/// One memory pool, for memory pool statistics.
#[derive(Clone, Copy, Debug)]
pub struct PoolInfo<'a> {
    pub name: &'a str,
    pub block_size: u64,
    pub blocks: u64,
    pub free: u64,
    pub min_free: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BootloaderInfo {
    pub name: &'static str,
    /// MCUboot mode (protocol.md §2.0: -1 unknown, 0 single slot, 1 swap using
    /// scratch, 2 overwrite only, 3 swap using move, ...).
    pub mode: i8,
    pub no_downgrade: bool,
}

/// The longest os info output (Zephyr's MCUMGR_GRP_OS_INFO_MAX_RESPONSE_SIZE).
pub const INFO_MAX_RESPONSE_SIZE: usize = 256;
