//! Error values: SMP-level `rc` codes and the per-group codes with their v1
//! translation (protocol.md §1.5–1.9).
//!
//! Handlers never build error payloads: they return an [`Error`] and the server
//! shapes it into `{"rc": N}` or `{"err": {"group": G, "rc": R}}`.

use crate::header::GroupId;

/// SMP-level result codes (`MGMT_ERR_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u16)]
pub enum MgmtErr {
    Unknown = 1,
    NoMem = 2,
    Inval = 3,
    Timeout = 4,
    NoEnt = 5,
    BadState = 6,
    MsgSize = 7,
    NotSup = 8,
    Corrupt = 9,
    Busy = 10,
    AccessDenied = 11,
    UnsupportedTooOld = 12,
    UnsupportedTooNew = 13,
}

impl MgmtErr {
    pub fn code(self) -> u16 {
        self as u16
    }
}

/// A group-level error: reported as `err {group, rc}` to SMP v2 requests and as
/// the translated `rc` to v1 requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GroupErr {
    pub group: GroupId,
    pub rc: u16,
    /// The SMP-level code a v1 request gets instead.
    pub v1: MgmtErr,
    /// One more field some commands send beside `err` (fs upload's expected `len`).
    pub detail: Option<(&'static str, u64)>,
}

/// Why a command failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error {
    Mgmt(MgmtErr),
    Group(GroupErr),
}

impl From<MgmtErr> for Error {
    fn from(e: MgmtErr) -> Self {
        Error::Mgmt(e)
    }
}

impl From<GroupErr> for Error {
    fn from(e: GroupErr) -> Self {
        Error::Group(e)
    }
}

/// Declares a group's error enum with its wire numbers and v1 translation.
///
/// ```ignore
/// group_errors! {
///     /// OS group errors.
///     pub enum OsError for GroupId::OS {
///         Unknown = 1 => Unknown,
///         InvalidFormat = 2 => Inval,
///     }
/// }
/// ```
#[macro_export]
macro_rules! group_errors {
    (
        $(#[$meta:meta])*
        pub enum $name:ident for $group:path {
            $( $(#[$vmeta:meta])* $variant:ident = $code:literal => $v1:ident ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[repr(u16)]
        pub enum $name {
            $( $(#[$vmeta])* $variant = $code ),+
        }

        impl $name {
            /// The group this error belongs to.
            pub const GROUP: $crate::header::GroupId = $group;

            /// The number sent as `err.rc`.
            pub fn code(self) -> u16 {
                self as u16
            }

            /// The SMP-level code a v1 request receives instead.
            pub fn v1(self) -> $crate::error::MgmtErr {
                match self {
                    $( $name::$variant => $crate::error::MgmtErr::$v1 ),+
                }
            }

            /// This error with one more field sent beside `err`.
            pub fn with_detail(self, key: &'static str, value: u64) -> $crate::error::Error {
                let mut e: $crate::error::GroupErr = self.into();
                e.detail = Some((key, value));
                $crate::error::Error::Group(e)
            }
        }

        impl From<$name> for $crate::error::GroupErr {
            fn from(e: $name) -> Self {
                $crate::error::GroupErr { group: $group, rc: e.code(), v1: e.v1(), detail: None }
            }
        }

        impl From<$name> for $crate::error::Error {
            fn from(e: $name) -> Self {
                $crate::error::Error::Group(e.into())
            }
        }
    };
}
