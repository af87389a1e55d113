//! What the statistics group and the device exchange: named counter groups,
//! and the group's errors.

use crate::error::Error;
use crate::header::GroupId;
use crate::request::Transport;

crate::group_errors! {
    /// Statistics group errors (`err.rc` with group 2).
    pub enum StatError for GroupId::STAT {
        /// An error no other code describes.
        Unknown = 1 => Unknown,
        /// The statistics group does not exist.
        InvalidGroup = 2 => NoEnt,
        /// show: no statistics group has the name asked for.
        InvalidStatName = 3 => NoEnt,
        /// A counter of a size that cannot be reported.
        InvalidStatSize = 4 => Inval,
        /// Walking the counters was cut short.
        WalkAborted = 5 => Unknown,
    }
}

/// Size of Zephyr's name buffer (`CONFIG_STAT_MGMT_MAX_NAME_LEN`): a group name
/// of this many bytes or more is rc 3.
pub const NAME_LEN: usize = 32;

/// The counters of one statistics group, visited in a stable order.
pub trait StatFields {
    /// Calls `visit` with each counter's name and value; an error from
    /// `visit` ends the walk and is returned.
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
    /// Its counters, reported in the order they are visited.
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

/// Calls `visit` with each name and the value at the same place: the loop
/// every [`stat_counters!`](crate::stat_counters) struct shares, rather than one
/// call per counter in each.
#[doc(hidden)]
#[inline(never)]
pub fn visit_fields(
    names: &[&str],
    values: &[u64],
    visit: &mut dyn FnMut(&str, u64) -> Result<(), Error>,
) -> Result<(), Error> {
    for (name, value) in names.iter().zip(values) {
        visit(name, *value)?;
    }
    Ok(())
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
            /// Every counter at zero.
            pub const ZERO: $name = $name { $( $field: 0 ),+ };

            /// The counter names, in reporting order.
            pub const FIELDS: &'static [&'static str] = &[$(stringify!($field)),+];
        }

        impl $crate::groups::stat::platform::StatFields for $name {
            fn for_each_field(
                &self,
                visit: &mut dyn FnMut(&str, u64) -> Result<(), $crate::error::Error>,
            ) -> Result<(), $crate::error::Error> {
                $crate::groups::stat::platform::visit_fields(
                    Self::FIELDS,
                    &[$(self.$field),+],
                    visit,
                )
            }
        }
    };
}
