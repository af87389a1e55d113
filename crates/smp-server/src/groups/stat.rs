//! Group 2, statistics (protocol.md §2.2).
//!
//! A statistics group is a name and a fixed list of named counters. Groups are
//! declared in Rust without heap with [`stat_counters!`](crate::stat_counters),
//! which turns a list of field names into a struct of `u64` counters and its
//! static name table. The server publishes its own groups (traffic per
//! transport, transfer bytes, counted in [`Server::process`](crate::Server::process)
//! and by the groups); the platform adds its own through [`StatPlatform`].
//!
//! Errors are reported under group 2, not under group 63 as Zephyr's
//! `stat_mgmt.c` does (protocol.md §1.9).

use crate::cbor::{decode_map, once, Field, Response};
use crate::dispatch::{Command, Ctx, Group, Request, Transport};
use crate::error::{Error, MgmtErr};
use crate::header::GroupId;

crate::group_errors! {
    /// Statistics group errors (`err.rc` with group 2).
    pub enum StatError for GroupId::STAT {
        Unknown = 1 => Unknown,
        InvalidGroup = 2 => NoEnt,
        InvalidStatName = 3 => NoEnt,
        InvalidStatSize = 4 => Inval,
        WalkAborted = 5 => Unknown,
    }
}

/// Size of Zephyr's name buffer (`CONFIG_STAT_MGMT_MAX_NAME_LEN`): a group name
/// of this many bytes or more is rc 3.
pub const NAME_LEN: usize = 32;

/// The counters of one statistics group, visited in a stable order.
pub trait StatFields {
    fn for_each_field(
        &self,
        visit: &mut dyn FnMut(&str, u64) -> Result<(), Error>,
    ) -> Result<(), Error>;
}

/// One statistics group as the platform shows it.
#[derive(Clone, Copy)]
pub struct StatGroup<'a> {
    /// At most [`NAME_LEN`]` - 1` bytes, or clients cannot ask for it.
    pub name: &'a str,
    pub counters: &'a dyn StatFields,
}

/// What the statistics group asks of the platform.
pub trait StatPlatform {
    /// The links the device serves: the server publishes one traffic group for
    /// each (`smp_udp`, `smp_serial`, ...).
    fn transports(&self) -> &[Transport];

    /// Calls `visit` for each statistics group of the device, in a stable order.
    fn for_each_group(
        &mut self,
        visit: &mut dyn FnMut(StatGroup<'_>) -> Result<(), Error>,
    ) -> Result<(), Error>;
}

/// Declares a struct of named `u64` counters that is a [`StatFields`]: the
/// field names are the counter names the statistics group reports.
///
/// ```
/// smp_server::stat_counters! {
///     /// Radio counters.
///     pub struct Radio { tx_frames, rx_frames }
/// }
/// let mut radio = Radio::default();
/// radio.tx_frames += 1;
/// assert_eq!(Radio::FIELDS, &["tx_frames", "rx_frames"]);
/// ```
#[macro_export]
macro_rules! stat_counters {
    (
        $(#[$meta:meta])*
        pub struct $name:ident { $( $(#[$fmeta:meta])* $field:ident ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
        pub struct $name {
            $( $(#[$fmeta])* pub $field: u64 ),+
        }

        impl $name {
            /// The counter names, in reporting order.
            pub const FIELDS: &'static [&'static str] = &[$(stringify!($field)),+];
        }

        impl $crate::groups::stat::StatFields for $name {
            fn for_each_field(
                &self,
                visit: &mut dyn FnMut(&str, u64) -> Result<(), $crate::error::Error>,
            ) -> Result<(), $crate::error::Error> {
                $( visit(stringify!($field), self.$field)?; )+
                Ok(())
            }
        }
    };
}

crate::stat_counters! {
    /// Traffic of one transport, counted by [`Server::process`](crate::Server::process).
    pub struct LinkCounters {
        /// SMP packets received (headers parsed, truncated ones included).
        rx_pkts,
        /// Bytes handed to the server (headers and payloads).
        rx_bytes,
        /// Response packets sent.
        tx_pkts,
        /// Response bytes sent.
        tx_bytes,
        /// Responses that carried an error (`rc` or `err`).
        err_rsps,
        /// Requests left unanswered because not even an error fitted the buffer.
        no_rsps,
    }
}

crate::stat_counters! {
    /// Payload bytes moved by transfers.
    pub struct TransferCounters {
        /// File bytes written by fs upload.
        fs_upload_bytes,
        /// File bytes sent by fs download.
        fs_download_bytes,
        /// Image bytes written by image upload (chunks dropped as stale or
        /// duplicate not counted).
        img_upload_bytes,
    }
}

/// Every transport the server knows, in the order their groups are listed
/// when the platform does not say which it has.
pub const ALL_TRANSPORTS: [Transport; 4] = [
    Transport::Serial,
    Transport::RawUart,
    Transport::Ble,
    Transport::Udp,
];

/// Name of the transfer counters group.
pub const TRANSFER_GROUP: &str = "smp_transfer";

/// Name of the traffic group of a transport.
pub fn link_group_name(transport: Transport) -> &'static str {
    match transport {
        Transport::Serial => "smp_serial",
        Transport::RawUart => "smp_raw_uart",
        Transport::Ble => "smp_ble",
        Transport::Udp => "smp_udp",
    }
}

/// The server's own counters.
#[derive(Clone, Debug, Default)]
pub struct ServerStats {
    links: [LinkCounters; 4],
    pub transfer: TransferCounters,
}

fn link_index(transport: Transport) -> usize {
    match transport {
        Transport::Serial => 0,
        Transport::RawUart => 1,
        Transport::Ble => 2,
        Transport::Udp => 3,
    }
}

impl ServerStats {
    pub fn link(&self, transport: Transport) -> &LinkCounters {
        &self.links[link_index(transport)]
    }

    pub fn link_mut(&mut self, transport: Transport) -> &mut LinkCounters {
        &mut self.links[link_index(transport)]
    }
}

pub static GROUP: Group = Group {
    id: GroupId::STAT,
    name: "stat mgmt",
    commands: &[Command::read(show), Command::read(list)],
};

/// Visits the server's groups, then the platform's.
fn for_each_group(
    ctx: &mut Ctx<'_>,
    visit: &mut dyn FnMut(StatGroup<'_>) -> Result<(), Error>,
) -> Result<(), Error> {
    let mut served = [false; 4];
    match ctx.platform.stat() {
        Some(stat) => {
            for t in stat.transports() {
                served[link_index(*t)] = true;
            }
        }
        None => served = [true; 4],
    }
    for t in ALL_TRANSPORTS.iter().filter(|t| served[link_index(**t)]) {
        visit(StatGroup {
            name: link_group_name(*t),
            counters: ctx.state.stats.link(*t),
        })?;
    }
    visit(StatGroup {
        name: TRANSFER_GROUP,
        counters: &ctx.state.stats.transfer,
    })?;
    match ctx.platform.stat() {
        Some(stat) => stat.for_each_group(visit),
        None => Ok(()),
    }
}

fn show(ctx: &mut Ctx<'_>, req: &Request<'_>, rsp: &mut Response<'_>) -> Result<(), Error> {
    let mut name = None;
    decode_map(req.payload, |key, dec| match key {
        "name" => once(&mut name, dec.str()),
        _ => Ok(Field::Unknown),
    })?;
    let name = name
        .filter(|n| !n.is_empty() && n.len() < NAME_LEN)
        .ok_or(MgmtErr::Inval)?;
    let mut found = false;
    for_each_group(ctx, &mut |group| {
        if found || group.name != name {
            return Ok(());
        }
        found = true;
        rsp.str("name")?.str(name)?;
        rsp.str("fields")?.begin_map()?;
        group.counters.for_each_field(&mut |field, value| {
            rsp.str(field)?.u64(value)?;
            Ok(())
        })?;
        rsp.end()?;
        Ok(())
    })?;
    if !found {
        return Err(StatError::InvalidStatName.into());
    }
    Ok(())
}

fn list(ctx: &mut Ctx<'_>, _: &Request<'_>, rsp: &mut Response<'_>) -> Result<(), Error> {
    rsp.str("stat_list")?.begin_array()?;
    for_each_group(ctx, &mut |group| {
        rsp.str(group.name)?;
        Ok(())
    })?;
    rsp.end()?;
    Ok(())
}

#[cfg(test)]
mod tests;
