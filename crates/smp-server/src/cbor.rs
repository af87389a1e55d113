//! Request decoding rules over minicbor (protocol.md §1.4), and the response
//! writer.
//!
//! A request payload is one map with text keys, definite or indefinite, in any
//! key order. Unknown keys are skipped; a known key repeated or of the wrong type
//! is rc 3; a zero-length payload is treated as `{}`.

use minicbor::data::Type;
use minicbor::encode::write::{Cursor, EndOfSlice};
use minicbor::{Decoder, Encoder};

use crate::error::{Error, MgmtErr};

/// The encoder a handler writes its response entries with. The server has
/// already opened the response map and closes it after the handler returns.
pub type Response<'b> = Encoder<Cursor<&'b mut [u8]>>;

/// Encoding errors: the only one is running out of buffer (→ rc 7).
pub type EncodeError = minicbor::encode::Error<EndOfSlice>;

/// What a field callback did with the entry it was shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    /// The key is one the command knows; its value was consumed.
    Taken,
    /// The key is not one the command knows; the value is skipped.
    Unknown,
}

/// Walks the request map, calling `on_field(key, decoder)` for each entry.
///
/// The callback consumes the value of keys it knows and answers
/// [`Field::Taken`], or leaves it and answers [`Field::Unknown`].
pub fn decode_map<'b>(
    payload: &'b [u8],
    mut on_field: impl FnMut(&'b str, &mut Decoder<'b>) -> Result<Field, Error>,
) -> Result<(), Error> {
    if payload.is_empty() {
        return Ok(());
    }
    let mut d = Decoder::new(payload);
    let len = d.map().map_err(|_| MgmtErr::Inval)?;
    let mut remaining = len;
    loop {
        match remaining {
            Some(0) => break,
            Some(ref mut n) => *n -= 1,
            None => {
                if d.datatype().map_err(|_| MgmtErr::Inval)? == Type::Break {
                    break;
                }
            }
        }
        let key = d.str().map_err(|_| MgmtErr::Inval)?;
        if on_field(key, &mut d)? == Field::Unknown {
            d.skip().map_err(|_| MgmtErr::Inval)?;
        }
    }
    Ok(())
}

/// Stores a decoded value for a known key: a repeated key or a value of the
/// wrong type is rc 3.
pub fn once<T, E>(slot: &mut Option<T>, value: Result<T, E>) -> Result<Field, Error> {
    if slot.is_some() {
        return Err(MgmtErr::Inval.into());
    }
    *slot = Some(value.map_err(|_| MgmtErr::Inval)?);
    Ok(Field::Taken)
}

/// Decodes a boolean that some clients send as the integer 0 or 1.
pub fn bool_or_int(d: &mut Decoder<'_>) -> Result<bool, MgmtErr> {
    match d.datatype().map_err(|_| MgmtErr::Inval)? {
        Type::Bool => d.bool().map_err(|_| MgmtErr::Inval),
        Type::U8 | Type::U16 | Type::U32 | Type::U64 => match d.u64() {
            Ok(0) => Ok(false),
            Ok(1) => Ok(true),
            _ => Err(MgmtErr::Inval),
        },
        _ => Err(MgmtErr::Inval),
    }
}

/// The kind of string [`put_in_place`] writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StrKind {
    /// A byte string (major type 2).
    Bytes,
    /// A text string (major type 3): the filler must write whole UTF-8 characters.
    Text,
}

/// Bytes a CBOR head takes for an argument of `n`.
pub fn head_len(n: usize) -> usize {
    match n {
        0..=23 => 1,
        24..=0xFF => 2,
        0x100..=0xFFFF => 3,
        _ if n as u64 <= u64::from(u32::MAX) => 5,
        _ => 9,
    }
}

/// Writes a string whose content `fill` produces straight into the response
/// buffer, so no second buffer is needed: `fill` gets a slice of at most `max`
/// bytes, trimmed so that `reserve` bytes stay free after the string for the
/// entries that follow, and returns how many bytes it wrote. The head is then
/// written in its shortest form. Returns the string's length; rc 7 when not
/// even an empty string fits.
pub fn put_in_place(
    rsp: &mut Response<'_>,
    kind: StrKind,
    max: usize,
    reserve: usize,
    fill: impl FnOnce(&mut [u8]) -> Result<usize, Error>,
) -> Result<usize, Error> {
    let cursor = rsp.writer_mut();
    let pos = cursor.position();
    let room = cursor
        .get_ref()
        .len()
        .saturating_sub(pos)
        .saturating_sub(reserve);
    if room == 0 {
        return Err(MgmtErr::MsgSize.into());
    }
    let mut cap = max.min(room);
    let mut head = head_len(cap);
    if cap + head > room {
        cap = room - head;
        head = head_len(cap);
    }
    let start = pos + head;
    let buf = cursor.get_mut();
    let n = fill(&mut buf[start..start + cap])?.min(cap);
    let major: u8 = match kind {
        StrKind::Bytes => 2 << 5,
        StrKind::Text => 3 << 5,
    };
    let used = head_len(n);
    let len = n as u64;
    match used {
        1 => buf[pos] = major | n as u8,
        2 => buf[pos..pos + 2].copy_from_slice(&[major | 24, n as u8]),
        3 => {
            buf[pos] = major | 25;
            buf[pos + 1..pos + 3].copy_from_slice(&(len as u16).to_be_bytes());
        }
        5 => {
            buf[pos] = major | 26;
            buf[pos + 1..pos + 5].copy_from_slice(&(len as u32).to_be_bytes());
        }
        _ => {
            buf[pos] = major | 27;
            buf[pos + 1..pos + 9].copy_from_slice(&len.to_be_bytes());
        }
    }
    buf.copy_within(start..start + n, pos + used);
    cursor.set_position(pos + used + n);
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Decodes the fields of `{"d": tstr, "n": uint}`.
    fn decode_dn(payload: &[u8]) -> Result<(Option<&str>, Option<u32>), Error> {
        let (mut d, mut n) = (None, None);
        decode_map(payload, |key, dec| match key {
            "d" => once(&mut d, dec.str()),
            "n" => once(&mut n, dec.u32()),
            _ => Ok(Field::Unknown),
        })?;
        Ok((d, n))
    }

    #[test]
    fn definite_map() {
        // {"d": "hi", "n": 5}
        let p = [0xA2, 0x61, b'd', 0x62, b'h', b'i', 0x61, b'n', 0x05];
        assert_eq!(decode_dn(&p), Ok((Some("hi"), Some(5))));
    }

    #[test]
    fn indefinite_map_in_any_order() {
        // {_ "n": 5, "d": "hi"}
        let p = [0xBF, 0x61, b'n', 0x05, 0x61, b'd', 0x62, b'h', b'i', 0xFF];
        assert_eq!(decode_dn(&p), Ok((Some("hi"), Some(5))));
    }

    #[test]
    fn unknown_keys_are_skipped_whatever_their_value() {
        // {_ "x": {_ "y": [1, 2]}, "d": "hi", "z": h'00'}
        let p = [
            0xBF, 0x61, b'x', 0xBF, 0x61, b'y', 0x82, 0x01, 0x02, 0xFF, 0x61, b'd', 0x62, b'h',
            b'i', 0x61, b'z', 0x41, 0x00, 0xFF,
        ];
        assert_eq!(decode_dn(&p), Ok((Some("hi"), None)));
    }

    #[test]
    fn zero_length_payload_is_an_empty_map() {
        assert_eq!(decode_dn(&[]), Ok((None, None)));
    }

    #[test]
    fn duplicate_known_key_is_einval() {
        // {"d": "a", "d": "b"}
        let p = [0xA2, 0x61, b'd', 0x61, b'a', 0x61, b'd', 0x61, b'b'];
        assert_eq!(decode_dn(&p), Err(MgmtErr::Inval.into()));
    }

    #[test]
    fn wrongly_typed_known_key_is_einval() {
        // {"d": 1}
        assert_eq!(
            decode_dn(&[0xA1, 0x61, b'd', 0x01]),
            Err(MgmtErr::Inval.into())
        );
        // {"n": -1}: integers are unsigned
        assert_eq!(
            decode_dn(&[0xA1, 0x61, b'n', 0x20]),
            Err(MgmtErr::Inval.into())
        );
    }

    #[test]
    fn not_a_map_is_einval() {
        assert_eq!(decode_dn(&[0x82, 0x01, 0x02]), Err(MgmtErr::Inval.into()));
        assert_eq!(decode_dn(&[0x61, b'd']), Err(MgmtErr::Inval.into()));
    }

    #[test]
    fn truncated_map_is_einval() {
        assert_eq!(
            decode_dn(&[0xA2, 0x61, b'd', 0x61]),
            Err(MgmtErr::Inval.into())
        );
        assert_eq!(decode_dn(&[0xBF, 0x61, b'd']), Err(MgmtErr::Inval.into()));
    }

    #[test]
    fn non_text_key_is_einval() {
        assert_eq!(decode_dn(&[0xA1, 0x01, 0x02]), Err(MgmtErr::Inval.into()));
    }

    #[test]
    fn huge_declared_map_length_ends_at_the_input() {
        assert_eq!(
            decode_dn(&[0xBB, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]),
            Err(MgmtErr::Inval.into())
        );
    }

    #[test]
    fn bool_accepts_true_false_and_integers_zero_and_one() {
        for (bytes, want) in [
            (&[0xF5][..], Ok(true)),
            (&[0xF4][..], Ok(false)),
            (&[0x01][..], Ok(true)),
            (&[0x00][..], Ok(false)),
            (&[0x02][..], Err(MgmtErr::Inval)),
            (&[0x61, b'y'][..], Err(MgmtErr::Inval)),
        ] {
            assert_eq!(bool_or_int(&mut Decoder::new(bytes)), want, "{bytes:02x?}");
        }
    }

    fn in_place(
        tx: &mut [u8],
        max: usize,
        reserve: usize,
        content: &[u8],
    ) -> (Result<usize, Error>, Vec<u8>) {
        let mut enc = Encoder::new(Cursor::new(&mut tx[..]));
        let r = put_in_place(&mut enc, StrKind::Bytes, max, reserve, |out| {
            let n = out.len().min(content.len());
            out[..n].copy_from_slice(&content[..n]);
            Ok(n)
        });
        let end = enc.writer().position();
        (r, tx[..end].to_vec())
    }

    #[test]
    fn in_place_string_uses_the_shortest_head() {
        let mut tx = [0u8; 64];
        let (r, out) = in_place(&mut tx, 100, 0, b"abc");
        assert_eq!(r, Ok(3));
        assert_eq!(out, [0x43, b'a', b'b', b'c']);
    }

    #[test]
    fn in_place_string_is_cut_to_leave_the_reserve() {
        let mut tx = [0u8; 30];
        let (r, out) = in_place(&mut tx, 100, 4, &[7u8; 40]);
        // 26 bytes of room: a 2-byte head and 24 bytes
        assert_eq!(r, Ok(24));
        assert_eq!(out.len(), 26);
        assert_eq!(&out[..2], &[0x58, 24]);
    }

    #[test]
    fn in_place_string_of_256_bytes_takes_a_three_byte_head() {
        let mut tx = [0u8; 400];
        let (r, out) = in_place(&mut tx, 256, 0, &[1u8; 300]);
        assert_eq!(r, Ok(256));
        assert_eq!(&out[..3], &[0x59, 0x01, 0x00]);
        assert_eq!(out.len(), 259);
    }

    #[test]
    fn in_place_string_without_room_is_rc_7() {
        let mut tx = [0u8; 4];
        let (r, _) = in_place(&mut tx, 10, 4, b"x");
        assert_eq!(r, Err(MgmtErr::MsgSize.into()));
    }

    #[test]
    fn in_place_text_string_has_major_type_3() {
        let mut tx = [0u8; 8];
        let mut enc = Encoder::new(Cursor::new(&mut tx[..]));
        let r = put_in_place(&mut enc, StrKind::Text, 8, 0, |out| {
            out[..2].copy_from_slice(b"hi");
            Ok(2)
        });
        assert_eq!(r, Ok(2));
        assert_eq!(&tx[..3], &[0x62, b'h', b'i']);
    }
}
