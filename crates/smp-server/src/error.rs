//! Error values: SMP-level `rc` codes and the per-group codes with their v1
//! translation (protocol.md §1.5–1.9).
//!
//! Handlers never build error payloads: they return an [`Error`] and the server
//! shapes it into `{"rc": N}` or `{"err": {"group": G, "rc": R}}`.

use crate::header::GroupId;

/// SMP-level result codes (`MGMT_ERR_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum MgmtErr {
    /// 1: an error no other code describes (`EUNKNOWN`).
    Unknown = 1,
    /// 2: not enough memory for the operation (`ENOMEM`).
    NoMem = 2,
    /// 3: the request is malformed: not a map, a known key repeated, of the
    /// wrong type or out of range, a required key missing (`EINVAL`).
    Inval = 3,
    /// 4: the operation timed out (`ETIMEOUT`).
    Timeout = 4,
    /// 5: no such entry: file, setting, image or item (`ENOENT`).
    NoEnt = 5,
    /// 6: the current state does not allow the command (`EBADSTATE`).
    BadState = 6,
    /// 7: the response does not fit the buffer (`EMSGSIZE`).
    MsgSize = 7,
    /// 8: the command is not supported: no such group, id or op, or the
    /// platform lacks the group's part (`ENOTSUP`).
    NotSup = 8,
    /// 9: the packet is shorter than its header says (`ECORRUPT`).
    Corrupt = 9,
    /// 10: the command waits on another one still in progress, such as a
    /// transfer from another transport (`EBUSY`).
    Busy = 10,
    /// 11: the platform's access policy refused the command (`EACCESSDENIED`).
    AccessDenied = 11,
    /// 12: the request's protocol version is older than the server accepts
    /// (`UNSUPPORTED_TOO_OLD`); this server accepts every version up to v2.
    UnsupportedTooOld = 12,
    /// 13: the request's protocol version is newer than v2
    /// (`UNSUPPORTED_TOO_NEW`).
    UnsupportedTooNew = 13,
}

impl MgmtErr {
    /// The number sent as `rc`.
    pub fn code(self) -> u16 {
        self as u16
    }
}

/// A group-level error: reported as `err {group, rc}` to SMP v2 requests and as
/// the translated `rc` to v1 requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GroupErr {
    /// The group the code belongs to, sent as `err.group`.
    pub group: GroupId,
    /// The group's own code, sent as `err.rc`.
    pub rc: u16,
    /// The SMP-level code a v1 request gets instead.
    pub v1: MgmtErr,
}

/// Why a command failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error {
    /// An SMP-level error: `{"rc": N}` whatever the request's version.
    Mgmt(MgmtErr),
    /// A group error: `err {group, rc}` to v2 requests, its v1 code as
    /// `rc` to v1 requests.
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
            $(
                $(#[$vmeta])*
                #[doc = concat!(
                    "Sent as `err.rc` ", stringify!($code),
                    "; a v1 request gets `MgmtErr::", stringify!($v1), "` instead."
                )]
                $variant = $code
            ),+
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
        }

        impl From<$name> for $crate::error::GroupErr {
            fn from(e: $name) -> Self {
                $crate::error::GroupErr { group: $group, rc: e.code(), v1: e.v1() }
            }
        }

        impl From<$name> for $crate::error::Error {
            fn from(e: $name) -> Self {
                $crate::error::Error::Group(e.into())
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every handler and helper passes a `Result<_, Error>` around: small
    /// enough for two registers, it is returned in them rather than through
    /// memory (about 1 KB less code on Cortex-M).
    #[test]
    fn a_result_with_an_error_fits_two_32_bit_registers() {
        assert!(core::mem::size_of::<Result<(), Error>>() <= 8);
        assert!(core::mem::size_of::<Result<u8, Error>>() <= 8);
    }
}
