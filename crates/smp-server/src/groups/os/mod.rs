//! Group 0, OS (protocol.md §2.0).

mod datetime;
pub mod platform;

use crate::cbor::Decoder;

pub use datetime::DateTime;
pub use platform::{
    BootloaderInfo, ClockError, OsError, OsInfo, OsPlatform, PoolInfo, TaskInfo,
    INFO_MAX_RESPONSE_SIZE,
};

use crate::cbor::{bool_or_int, decode_map, once, Field, Response};
use crate::dispatch::{keyed, AfterResponse, Command, Ctx, Group, Request};
use crate::error::{Error, MgmtErr};
use crate::header::GroupId;
use crate::hooks::{Hooks, ResetPlan, ResetRequest};
use crate::text::Text;

/// The group's command ids.
pub mod cmd {
    /// Echoes a string back.
    pub const ECHO: u8 = 0;
    /// Console echo control: not served (rc 8), as in Zephyr.
    pub const CONSOLE_ECHO_CONTROL: u8 = 1;
    /// Thread statistics.
    pub const TASKSTAT: u8 = 2;
    /// Memory pool statistics.
    pub const MPSTAT: u8 = 3;
    /// Reads (read) or sets (write) the date and time.
    pub const DATETIME: u8 = 4;
    /// Resets the device.
    pub const RESET: u8 = 5;
    /// The buffer geometry.
    pub const MCUMGR_PARAMS: u8 = 6;
    /// System information (uname-like).
    pub const INFO: u8 = 7;
    /// Bootloader information.
    pub const BOOTLOADER_INFO: u8 = 8;
}

/// The length of the group's command table: the highest id plus one.
pub const TABLE_LEN: usize = cmd::BOOTLOADER_INFO as usize + 1;

/// The group with every command.
pub static GROUP: Group = group(&COMMANDS_ALL);

static COMMANDS_ALL: [Command; TABLE_LEN] = commands(OsCommands::ALL);

/// Which of the group's commands a server offers; the others answer rc 8,
/// and their code is left out of the image. As Zephyr's
/// `MCUMGR_GRP_OS_ECHO`, `_TASKSTAT`, `_DATETIME`, `_MCUMGR_PARAMS`, `_INFO`
/// and `_BOOTLOADER_INFO` (reset is always there).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OsCommands {
    /// Command 0, echo.
    pub echo: bool,
    /// Command 2, thread statistics.
    pub taskstat: bool,
    /// Command 3, memory pool statistics.
    pub mpstat: bool,
    /// Command 4, reading and setting the date and time.
    pub datetime: bool,
    /// Command 6, the buffer geometry.
    pub mcumgr_params: bool,
    /// Command 7, system information.
    pub info: bool,
    /// Command 8, bootloader information.
    pub bootloader_info: bool,
    /// Reset asks the application's hooks first ([`Hooks::reset`]:
    /// a veto or a delay; as Zephyr's `MCUMGR_GRP_OS_RESET_HOOK`).
    pub reset_hook: bool,
}

impl OsCommands {
    /// Every command, as in [`GROUP`].
    pub const ALL: OsCommands = OsCommands {
        echo: true,
        taskstat: true,
        mpstat: true,
        datetime: true,
        mcumgr_params: true,
        info: true,
        bootloader_info: true,
        reset_hook: true,
    };
}

/// The command table (by id) with the commands of `which`:
///
/// ```
/// use smp_server::dispatch::{Command, Group};
/// use smp_server::groups::os::{self, OsCommands};
///
/// static COMMANDS: [Command; os::TABLE_LEN] = os::commands(OsCommands { datetime: false, ..OsCommands::ALL });
/// static OS: Group = os::group(&COMMANDS);
/// ```
pub const fn commands(which: OsCommands) -> [Command; TABLE_LEN] {
    const fn pick(on: bool, command: Command) -> Command {
        if on {
            command
        } else {
            Command::NONE
        }
    }
    keyed(&[
        (cmd::ECHO, pick(which.echo, Command::read_write(echo, echo))),
        (cmd::TASKSTAT, pick(which.taskstat, Command::read(taskstat))),
        (cmd::MPSTAT, pick(which.mpstat, Command::read(mpstat))),
        (
            cmd::DATETIME,
            pick(
                which.datetime,
                Command::read_write(datetime_get, datetime_set),
            ),
        ),
        (
            cmd::RESET,
            if which.reset_hook {
                Command::write(reset::<true>)
            } else {
                Command::write(reset::<false>)
            },
        ),
        (
            cmd::MCUMGR_PARAMS,
            pick(which.mcumgr_params, Command::read(mcumgr_params)),
        ),
        (cmd::INFO, pick(which.info, Command::read(info))),
        (
            cmd::BOOTLOADER_INFO,
            pick(which.bootloader_info, Command::read(bootloader_info)),
        ),
    ])
}

/// The group over a command table made by [`commands`].
pub const fn group(commands: &'static [Command; TABLE_LEN]) -> Group {
    Group {
        id: GroupId::OS,
        name: "os mgmt",
        commands,
    }
}

fn echo(_: &mut Ctx<'_>, req: &Request<'_>, rsp: &mut Response<'_>) -> Result<(), Error> {
    let mut d = None;
    decode_map(req.payload, |key, dec| match key {
        k if k == b"d" => once(&mut d, dec.utf8()),
        _ => Ok(Field::Unknown),
    })?;
    rsp.str("r")?.text(d.ok_or(MgmtErr::Inval)?)?;
    Ok(())
}

fn taskstat(ctx: &mut Ctx<'_>, _: &Request<'_>, rsp: &mut Response<'_>) -> Result<(), Error> {
    rsp.str("tasks")?.begin_map()?;
    ctx.platform.os().tasks(&mut |t| {
        rsp.str(t.name)?.begin_map()?;
        rsp.str("prio")?.i32(t.prio)?;
        rsp.str("tid")?.u32(t.tid)?;
        rsp.str("state")?.u32(t.state)?;
        if let Some((size, used)) = t.stack {
            rsp.str("stksiz")?.u32(size)?.str("stkuse")?.u32(used)?;
        }
        if let Some(runtime) = t.runtime {
            rsp.str("runtime")?.u64(runtime)?;
        }
        rsp.end()?;
        Ok(())
    })?;
    rsp.end()?;
    Ok(())
}

fn mpstat(ctx: &mut Ctx<'_>, _: &Request<'_>, rsp: &mut Response<'_>) -> Result<(), Error> {
    rsp.str("mpools")?.begin_map()?;
    ctx.platform.os().memory_pools(&mut |p| {
        rsp.str(p.name)?.begin_map()?;
        rsp.str("blksiz")?.u64(p.block_size)?;
        rsp.str("nblks")?.u64(p.blocks)?;
        rsp.str("nfree")?.u64(p.free)?;
        rsp.str("min")?.u64(p.min_free)?;
        rsp.end()?;
        Ok(())
    })?;
    rsp.end()?;
    Ok(())
}

fn datetime_get(ctx: &mut Ctx<'_>, _: &Request<'_>, rsp: &mut Response<'_>) -> Result<(), Error> {
    let now = ctx.platform.os().datetime()?;
    rsp.str("datetime")?.str(&now.format())?;
    Ok(())
}

fn datetime_set(ctx: &mut Ctx<'_>, req: &Request<'_>, _: &mut Response<'_>) -> Result<(), Error> {
    let mut text = None;
    decode_map(req.payload, |key, dec| match key {
        k if k == b"datetime" => once(&mut text, dec.str()),
        _ => Ok(Field::Unknown),
    })?;
    let now = text.and_then(DateTime::parse).ok_or(MgmtErr::Inval)?;
    ctx.platform.os().set_datetime(now)?;
    Ok(())
}

/// `HOOK`: whether the application's reset hook is asked ([`OsCommands::reset_hook`]).
fn reset<const HOOK: bool>(
    ctx: &mut Ctx<'_>,
    req: &Request<'_>,
    _: &mut Response<'_>,
) -> Result<(), Error> {
    let (mut force, mut boot_mode) = (None, None);
    decode_map(req.payload, |key, dec: &mut Decoder<'_>| match key {
        k if k == b"force" => once(&mut force, bool_or_int(dec)),
        k if k == b"boot_mode" => once(&mut boot_mode, crate::cbor::uint::<u8>(dec)),
        _ => Ok(Field::Unknown),
    })?;
    let force = force.unwrap_or(false);
    ctx.platform.os().prepare_reset(force, boot_mode)?;
    let plan = if HOOK {
        ctx.hooks.reset(&ResetRequest { force, boot_mode })?
    } else {
        ResetPlan::NOW
    };
    *ctx.after_response = Some(AfterResponse::Reset {
        boot_mode,
        delay_ms: plan.delay_ms,
    });
    Ok(())
}

fn mcumgr_params(ctx: &mut Ctx<'_>, _: &Request<'_>, rsp: &mut Response<'_>) -> Result<(), Error> {
    rsp.str("buf_size")?.u64(ctx.params.buf_size as u64)?;
    rsp.str("buf_count")?.u64(ctx.params.buf_count as u64)?;
    Ok(())
}

/// The format letters in output order.
const INFO_LETTERS: &[u8] = b"snrvbmpio";

fn info(ctx: &mut Ctx<'_>, req: &Request<'_>, rsp: &mut Response<'_>) -> Result<(), Error> {
    let mut format = None;
    decode_map(req.payload, |key, dec| match key {
        k if k == b"format" => once(&mut format, dec.str()),
        _ => Ok(Field::Unknown),
    })?;
    let format = format.unwrap_or("s");
    let hooks = &mut *ctx.hooks;
    let info = ctx.platform.os().info();
    let wanted = parse_info_format(format, info.build_date_time.is_some(), hooks)?;
    let mut out: Text<INFO_MAX_RESPONSE_SIZE> = Text::new();
    for (i, letter) in INFO_LETTERS.iter().enumerate() {
        if wanted & (1 << i) == 0 {
            continue;
        }
        let text = match letter {
            b's' => info.kernel_name,
            b'n' => info.node_name,
            b'r' => info.kernel_release,
            b'v' => info.kernel_version,
            b'b' => info.build_date_time.unwrap_or_default(),
            b'm' => info.machine,
            b'p' => info.processor,
            b'i' => info.hardware_platform,
            _ => info.operating_system,
        };
        append(&mut out, text)?;
    }
    // The application's letters follow, in the order asked, each once.
    let letters = format.as_bytes();
    for (i, &letter) in letters.iter().enumerate() {
        let repeated = letters.get(..i).is_some_and(|seen| has(seen, letter));
        if is_builtin(letter) || repeated {
            continue;
        }
        if let Some(text) = hooks.os_info(char::from(letter)) {
            append(&mut out, text)?;
        }
    }
    rsp.str("output")?.str(&out)?;
    Ok(())
}

/// A letter the group answers itself (or `a`, all of them).
fn is_builtin(letter: u8) -> bool {
    letter == b'a' || has(INFO_LETTERS, letter)
}

/// Whether `bytes` holds `byte`: a plain loop, as the format is a few
/// letters (`<[u8]>::contains` is a memchr, 160 bytes of Cortex-M code).
#[allow(clippy::manual_contains)]
fn has(bytes: &[u8], byte: u8) -> bool {
    bytes.iter().any(|b| *b == byte)
}

/// `text` after a space (none before the first field).
fn append(out: &mut Text<INFO_MAX_RESPONSE_SIZE>, text: &str) -> Result<(), Error> {
    let sep = if out.is_empty() { "" } else { " " };
    out.push_str(sep)
        .and_then(|()| out.push_str(text))
        .map_err(|_| MgmtErr::MsgSize.into())
}

/// The set of the group's letters asked for, as bits in [`INFO_LETTERS`]
/// order; a letter neither the group nor the application's hooks know is
/// err {0, 2}.
fn parse_info_format(
    format: &str,
    has_build_time: bool,
    hooks: &mut dyn Hooks,
) -> Result<u16, Error> {
    let all = if has_build_time {
        0x1FF
    } else {
        0x1FF & !(1 << 4)
    };
    let mut wanted = 0u16;
    for &c in format.as_bytes() {
        wanted |= match c {
            b'a' => all,
            b'b' if !has_build_time => return Err(OsError::InvalidFormat.into()),
            _ => match INFO_LETTERS.iter().position(|l| *l == c) {
                Some(i) => 1 << i,
                // The application's letters are ASCII, as the group's.
                None if c.is_ascii() && hooks.os_info(char::from(c)).is_some() => 0,
                None => return Err(OsError::InvalidFormat.into()),
            },
        };
    }
    Ok(wanted)
}

fn bootloader_info(
    ctx: &mut Ctx<'_>,
    req: &Request<'_>,
    rsp: &mut Response<'_>,
) -> Result<(), Error> {
    let mut query = None;
    decode_map(req.payload, |key, dec| match key {
        k if k == b"query" => once(&mut query, dec.str()),
        _ => Ok(Field::Unknown),
    })?;
    let boot = ctx
        .platform
        .os()
        .bootloader()
        .ok_or(OsError::QueryYieldsNoAnswer)?;
    match query {
        None => {
            rsp.str("bootloader")?.str(boot.name)?;
        }
        Some("mode") => {
            rsp.str("mode")?.i8(boot.mode)?;
            if boot.no_downgrade {
                rsp.str("no-downgrade")?.bool(true)?;
            }
        }
        Some(_) => return Err(OsError::QueryYieldsNoAnswer.into()),
    }
    Ok(())
}

#[cfg(test)]
mod tests;
