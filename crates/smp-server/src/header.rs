//! The 8-byte SMP header (protocol.md §1.1–1.3).

/// Size of the SMP header on the wire.
pub const HEADER_LEN: usize = 8;

/// The operation field (3 bits).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// 0: a read request.
    Read,
    /// 1: the answer to a read; as a request, answered with rc 8.
    ReadRsp,
    /// 2: a write request.
    Write,
    /// 3: the answer to a write (and to any other op but a read); as a
    /// request, answered with rc 8.
    WriteRsp,
    /// Values 4..=7: not defined by the protocol; answered with rc 8.
    Invalid(u8),
}

impl Op {
    /// The op in the low 3 bits of `bits` (the header's first byte).
    pub fn from_bits(bits: u8) -> Self {
        match bits & 0x07 {
            0 => Op::Read,
            1 => Op::ReadRsp,
            2 => Op::Write,
            3 => Op::WriteRsp,
            other => Op::Invalid(other),
        }
    }

    /// The 3-bit value sent on the wire.
    pub fn bits(self) -> u8 {
        match self {
            Op::Read => 0,
            Op::ReadRsp => 1,
            Op::Write => 2,
            Op::WriteRsp => 3,
            Op::Invalid(v) => v & 0x07,
        }
    }

    /// The op of the answer: READ is answered with READ_RSP, anything else with
    /// WRITE_RSP (Zephyr `smp_rsp_op`).
    pub fn response(self) -> Self {
        match self {
            Op::Read => Op::ReadRsp,
            _ => Op::WriteRsp,
        }
    }
}

/// The protocol version field (2 bits).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Version {
    /// The original protocol: group errors are reported as a translated `rc`.
    V1,
    /// SMP version 2: group errors are reported as `err {group, rc}`.
    V2,
    /// Versions 2 and 3 of the field (a future protocol); answered with rc 13.
    Unsupported(u8),
}

impl Version {
    /// The version in the low 2 bits of `bits` (bits 3 and 4 of the
    /// header's first byte, shifted down).
    pub fn from_bits(bits: u8) -> Self {
        match bits & 0x03 {
            0 => Version::V1,
            1 => Version::V2,
            other => Version::Unsupported(other),
        }
    }

    /// The 2-bit value sent on the wire.
    pub fn bits(self) -> u8 {
        match self {
            Version::V1 => 0,
            Version::V2 => 1,
            Version::Unsupported(v) => v & 0x03,
        }
    }

    /// The version of the answer: min(request version, the newest we speak).
    pub fn response(self) -> Self {
        match self {
            Version::V1 => Version::V1,
            _ => Version::V2,
        }
    }
}

/// A management group number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct GroupId(pub u16);

impl GroupId {
    /// 0: OS (echo, statistics of threads and memory, date-time, reset,
    /// parameters, info, bootloader info).
    pub const OS: GroupId = GroupId(0);
    /// 1: image management (state, upload, erase, slot info).
    pub const IMAGE: GroupId = GroupId(1);
    /// 2: statistics.
    pub const STAT: GroupId = GroupId(2);
    /// 3: settings (Zephyr's settings subsystem).
    pub const SETTINGS: GroupId = GroupId(3);
    /// 8: file system (download, upload, status, hash and checksum).
    pub const FS: GroupId = GroupId(8);
    /// 9: shell command execution.
    pub const SHELL: GroupId = GroupId(9);
    /// 10: enumeration of the groups a server has.
    pub const ENUM: GroupId = GroupId(10);
    /// 63: Zephyr basic (storage erase), Zephyr's own group just below the
    /// user-defined ones (64 and up).
    pub const ZEPHYR_BASIC: GroupId = GroupId(63);
    /// 128: Memfault (device information and project key).
    pub const MEMFAULT: GroupId = GroupId(128);
}

/// A decoded SMP header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// Whether this is a read or write request or the answer to one.
    pub op: Op,
    /// The protocol version of the sender: decides how group errors are
    /// reported.
    pub version: Version,
    /// Reserved by SMP: ignored in requests, 0 in responses.
    pub flags: u8,
    /// Length of the payload that follows the header.
    pub len: u16,
    /// The management group of the command.
    pub group: GroupId,
    /// Sequence number, echoed in the answer so the client can match it to
    /// its request.
    pub seq: u8,
    /// The command within the group.
    pub id: u8,
}

impl Header {
    /// Parses the first 8 bytes of `bytes`; `None` when fewer are present.
    pub fn parse(bytes: &[u8]) -> Option<Self> {
        let b: &[u8; HEADER_LEN] = bytes.get(..HEADER_LEN)?.try_into().ok()?;
        Some(Header {
            op: Op::from_bits(b[0]),
            version: Version::from_bits(b[0] >> 3),
            flags: b[1],
            len: u16::from_be_bytes([b[2], b[3]]),
            group: GroupId(u16::from_be_bytes([b[4], b[5]])),
            seq: b[6],
            id: b[7],
        })
    }

    /// The 8 bytes of this header, `len` and `group` big-endian.
    pub fn encode(&self) -> [u8; HEADER_LEN] {
        let len = self.len.to_be_bytes();
        let group = self.group.0.to_be_bytes();
        [
            (self.version.bits() << 3) | self.op.bits(),
            self.flags,
            len[0],
            len[1],
            group[0],
            group[1],
            self.seq,
            self.id,
        ]
    }

    /// Total packet size announced by this header (header plus payload).
    pub fn packet_len(&self) -> usize {
        HEADER_LEN + usize::from(self.len)
    }

    /// The header of the answer to this request, before its length is known:
    /// same group, id and seq, flags 0, response op and version.
    pub fn response(&self) -> Self {
        Header {
            op: self.op.response(),
            version: self.version.response(),
            flags: 0,
            len: 0,
            group: self.group,
            seq: self.seq,
            id: self.id,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_v2_write_echo_header() {
        let h = Header::parse(&[0x0A, 0x00, 0x00, 0x06, 0x00, 0x00, 0x01, 0x00]).unwrap();
        assert_eq!(h.op, Op::Write);
        assert_eq!(h.version, Version::V2);
        assert_eq!(h.len, 6);
        assert_eq!(h.group, GroupId::OS);
        assert_eq!(h.seq, 1);
        assert_eq!(h.id, 0);
    }

    #[test]
    fn round_trips_every_field() {
        let h = Header {
            op: Op::WriteRsp,
            version: Version::V2,
            flags: 0,
            len: 0x1234,
            group: GroupId(0x0080),
            seq: 0xFE,
            id: 7,
        };
        assert_eq!(h.encode(), [0x0B, 0x00, 0x12, 0x34, 0x00, 0x80, 0xFE, 0x07]);
        assert_eq!(Header::parse(&h.encode()), Some(h));
    }

    #[test]
    fn fewer_than_eight_bytes_is_no_header() {
        assert_eq!(Header::parse(&[0x02, 0x00, 0x00, 0x09]), None);
    }

    #[test]
    fn read_is_answered_with_read_rsp_and_anything_else_with_write_rsp() {
        assert_eq!(Op::Read.response(), Op::ReadRsp);
        assert_eq!(Op::Write.response(), Op::WriteRsp);
        assert_eq!(Op::ReadRsp.response(), Op::WriteRsp);
        assert_eq!(Op::Invalid(7).response(), Op::WriteRsp);
    }

    #[test]
    fn response_version_is_at_most_v2_field_value_one() {
        assert_eq!(Version::V1.response(), Version::V1);
        assert_eq!(Version::V2.response(), Version::V2);
        assert_eq!(Version::Unsupported(2).response(), Version::V2);
        assert_eq!(Version::Unsupported(3).response(), Version::V2);
    }

    #[test]
    fn response_header_echoes_group_id_seq_with_flags_zero() {
        let req = Header::parse(&[0x08, 0xAA, 0x00, 0x00, 0x00, 0x0A, 0x33, 0x02]).unwrap();
        let rsp = req.response();
        assert_eq!(
            rsp.encode(),
            [0x09, 0x00, 0x00, 0x00, 0x00, 0x0A, 0x33, 0x02]
        );
    }
}
