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
}
