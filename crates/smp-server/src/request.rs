//! A request as the groups and the access policy see it, and the link it came in on.

use crate::header::{GroupId, Header, Op};

/// The link a request came in on (access policy and per-transport state).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Transport {
    /// SMP over a console UART: base64 lines with a CRC.
    Serial,
    /// SMP over a UART without framing (Zephyr's raw UART mode).
    RawUart,
    /// The SMP GATT service.
    Ble,
    /// UDP port 1337.
    Udp,
    /// SMP console frames beside an interactive shell on one console
    /// ([`crate::codec::shell`]).
    Shell,
}

/// One request as a handler sees it.
pub struct Request<'a> {
    /// The request's header (its op, group, id and sequence number).
    pub header: Header,
    /// The CBOR payload, exactly `header.len` bytes.
    pub payload: &'a [u8],
    /// The link the request came in on.
    pub transport: Transport,
}

/// What the access policy sees of a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Access {
    /// The link the request came in on.
    pub transport: Transport,
    /// The group asked.
    pub group: GroupId,
    /// The command id within the group.
    pub id: u8,
    /// [`Op::Read`] or [`Op::Write`]: other ops never reach a handler.
    pub op: Op,
}
