//! CBOR for SMP: the request decoding rules (protocol.md §1.4) over the
//! core's own [`Decoder`], and the response [`Encoder`] over a [`Writer`].
//!
//! A request payload is one map with text keys, definite or indefinite, in any
//! key order. Unknown keys are skipped; a known key repeated or of the wrong type
//! is rc 3; a zero-length payload is treated as `{}`.

mod decoder;
mod encoder;
mod writer;
pub use decoder::{DecodeError, Decoder, BREAK};
pub use encoder::Encoder;
pub use writer::{EncodeError, Writer};

use crate::error::{Error, MgmtErr};

/// The encoder a handler writes its response entries with. The server has
/// already opened the response map and closes it after the handler returns.
pub type Response<'b> = Encoder<'b>;

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
/// [`Field::Taken`], or leaves it and answers [`Field::Unknown`]. Keys are
/// text strings, handed over as their bytes: one that is not UTF-8 is no
/// key any command knows, and is skipped as unknown. Handlers compare them
/// in guards, `k if k == b"off" =>`: a byte-string *pattern* is compared
/// byte by byte inline, a comparison word by word or by `memcmp` (about a
/// third less code on Cortex-M).
pub fn decode_map<'b>(
    payload: &'b [u8],
    mut on_field: impl FnMut(&'b [u8], &mut Decoder<'b>) -> Result<Field, Error>,
) -> Result<(), Error> {
    walk_map(payload, &mut on_field)
}

/// What [`walk_map`] calls for each entry: the key's bytes and the decoder at
/// its value.
type OnField<'f, 'b> = dyn FnMut(&'b [u8], &mut Decoder<'b>) -> Result<Field, Error> + 'f;

/// [`decode_map`]'s loop, compiled once: every handler decodes its request
/// through it, and a generic loop would be copied into each of them.
#[inline(never)]
fn walk_map<'b>(payload: &'b [u8], on_field: &mut OnField<'_, 'b>) -> Result<(), Error> {
    if payload.is_empty() {
        return Ok(());
    }
    let mut d = Decoder::new(payload);
    let len = d.map().map_err(|_| MgmtErr::Inval)?;
    let mut remaining = len;
    loop {
        match remaining {
            Some(0) => break,
            Some(ref mut n) => *n = n.wrapping_sub(1),
            None => {
                if d.take_break().map_err(|_| MgmtErr::Inval)? {
                    break;
                }
            }
        }
        let key = d.text().map_err(|_| MgmtErr::Inval)?;
        if on_field(key, &mut d)? == Field::Unknown {
            skip(&mut d)?;
        }
    }
    Ok(())
}

/// How deep [`skip`] follows nested arrays and maps; deeper is rc 3.
const SKIP_DEPTH: usize = 16;
/// An indefinite-length container on [`skip`]'s stack.
const INDEFINITE: u64 = u64::MAX;

/// Skips the data item at the decoder's position, whatever it is: integers,
/// floats, simple values, definite or indefinite strings, arrays and maps
/// (nested up to 16 levels) and tags. Malformed or truncated input is
/// rc 3. (minicbor's own `skip` does the same in about 2 KB of Cortex-M code;
/// this walks the heads directly.)
pub fn skip(d: &mut Decoder<'_>) -> Result<(), MgmtErr> {
    let input = d.input();
    let mut pos = d.position();
    // Items still to skip in each open container, innermost last.
    let mut open = [0u64; SKIP_DEPTH];
    let mut depth = 0usize;
    loop {
        let initial = *input.get(pos).ok_or(MgmtErr::Inval)?;
        // Cannot wrap: `pos` indexed a byte of `input`.
        pos = pos.wrapping_add(1);
        let (major, info) = (initial >> 5, initial & 0x1F);
        let complete = if initial == 0xFF {
            // A break closes the innermost container, which must be indefinite.
            let top = depth.checked_sub(1).ok_or(MgmtErr::Inval)?;
            if open.get(top) != Some(&INDEFINITE) {
                return Err(MgmtErr::Inval);
            }
            depth = top;
            true
        } else {
            let arg = match info {
                0..=23 => u64::from(info),
                24..=27 => {
                    // 1, 2, 4 or 8 bytes for 24..=27.
                    let end = pos.wrapping_add(1 << (info & 3));
                    let bytes = input.get(pos..end).ok_or(MgmtErr::Inval)?;
                    pos = end;
                    bytes.iter().fold(0u64, |acc, b| acc << 8 | u64::from(*b))
                }
                31 if matches!(major, 2..=5) => INDEFINITE,
                _ => return Err(MgmtErr::Inval),
            };
            match major {
                // Strings: definite ones are skipped whole; the chunks of an
                // indefinite one are items of a container ended by a break.
                2 | 3 if arg != INDEFINITE => {
                    let len = usize::try_from(arg).map_err(|_| MgmtErr::Inval)?;
                    pos = pos
                        .checked_add(len)
                        .filter(|end| *end <= input.len())
                        .ok_or(MgmtErr::Inval)?;
                    true
                }
                2..=5 => {
                    let items = if major == 5 && arg != INDEFINITE {
                        arg.checked_mul(2).ok_or(MgmtErr::Inval)?
                    } else {
                        arg
                    };
                    if items == 0 {
                        true
                    } else {
                        *open.get_mut(depth).ok_or(MgmtErr::Inval)? = items;
                        // Below SKIP_DEPTH: `open` has that many entries.
                        depth = depth.wrapping_add(1);
                        false
                    }
                }
                // A tag: the item that follows is its content.
                6 => false,
                _ => true,
            }
        };
        if !complete {
            continue;
        }
        // One item done: count it in the containers it completes.
        loop {
            let Some(top) = depth.checked_sub(1) else {
                d.set_position(pos);
                return Ok(());
            };
            let left = open.get_mut(top).ok_or(MgmtErr::Inval)?;
            if *left == INDEFINITE {
                break;
            }
            // At least 1: a container is closed when its count reaches 0.
            *left = left.wrapping_sub(1);
            if *left > 0 {
                break;
            }
            depth = top;
        }
    }
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

/// Decodes an unsigned integer into `T`; one that does not fit is an error.
pub fn uint<T: TryFrom<u64>>(d: &mut Decoder<'_>) -> Result<T, MgmtErr> {
    let n = d.u64().map_err(|_| MgmtErr::Inval)?;
    T::try_from(n).map_err(|_| MgmtErr::Inval)
}

/// Decodes a boolean that some clients send as the integer 0 or 1.
pub fn bool_or_int(d: &mut Decoder<'_>) -> Result<bool, MgmtErr> {
    // false, true, or an unsigned integer (major type 0) that must be 0 or 1.
    match d.peek().map_err(|_| MgmtErr::Inval)? {
        0xF4 | 0xF5 => d.bool().map_err(|_| MgmtErr::Inval),
        initial if initial >> 5 == 0 => match d.u64() {
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

/// The CBOR head of a string of `n` bytes with major type bits `major`, and
/// its length.
fn str_head(major: u8, n: usize) -> ([u8; 9], usize) {
    let used = head_len(n);
    let code = match used {
        1 => n as u8,
        2 => 24,
        3 => 25,
        5 => 26,
        _ => 27,
    };
    // The argument's bytes: the last `used - 1` of its big-endian u64.
    let bytes = (n as u64).to_be_bytes();
    let argument = bytes.get(9usize.saturating_sub(used)..).unwrap_or_default();
    let mut head = [0u8; 9];
    if let Some((first, rest)) = head.split_first_mut() {
        *first = major | code;
        crate::bytes::copy(rest, argument);
    }
    (head, used)
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
    // Positions and sizes inside the response buffer: none exceeds its
    // length (and a head is never longer than the room it describes), so
    // the sums and the difference below cannot wrap.
    let mut cap = max.min(room);
    let mut head = head_len(cap);
    if cap.wrapping_add(head) > room {
        cap = room.wrapping_sub(head);
        head = head_len(cap);
    }
    let start = pos.wrapping_add(head);
    let buf = cursor.get_mut();
    let window = buf
        .get_mut(start..start.wrapping_add(cap))
        .ok_or(MgmtErr::MsgSize)?;
    let n = fill(window)?.min(cap);
    let major: u8 = match kind {
        StrKind::Bytes => 2 << 5,
        StrKind::Text => 3 << 5,
    };
    let (head_bytes, used) = str_head(major, n);
    crate::bytes::copy(
        buf.get_mut(pos..).unwrap_or_default(),
        head_bytes.get(..used).unwrap_or_default(),
    );
    // The head written is no longer than the one reserved (n <= cap), so the
    // data moves down, within the buffer.
    let to = pos.wrapping_add(used);
    crate::bytes::move_down(buf, start, to, n);
    cursor.set_position(to.wrapping_add(n));
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Decodes the fields of `{"d": tstr, "n": uint}`.
    fn decode_dn(payload: &[u8]) -> Result<(Option<&str>, Option<u32>), Error> {
        let (mut d, mut n) = (None, None);
        decode_map(payload, |key, dec| match key {
            k if k == b"d" => once(&mut d, dec.str()),
            k if k == b"n" => once(&mut n, uint::<u32>(dec)),
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

    /// Where `skip` leaves a decoder that starts at 0 (or its error).
    fn skipped(bytes: &[u8]) -> Result<usize, MgmtErr> {
        let mut d = Decoder::new(bytes);
        skip(&mut d).map(|()| d.position())
    }

    #[test]
    fn skip_steps_over_exactly_one_item_of_every_kind() {
        let items: &[&[u8]] = &[
            &[0x17],                                           // 23
            &[0x18, 0xFF],                                     // 255
            &[0x3B, 1, 2, 3, 4, 5, 6, 7, 8],                   // negative, 8-byte argument
            &[0xF4],                                           // false
            &[0xF9, 0x3C, 0x00],                               // half float 1.0
            &[0xFB, 0, 0, 0, 0, 0, 0, 0, 0],                   // double 0.0
            &[0x43, 1, 2, 3],                                  // h'010203'
            &[0x7F, 0x61, b'a', 0x62, b'b', b'c', 0xFF],       // (_ "a", "bc")
            &[0x80],                                           // []
            &[0x83, 0x01, 0x82, 0x02, 0x03, 0xA0],             // [1, [2, 3], {}]
            &[0x9F, 0x9F, 0xFF, 0xBF, 0x01, 0x02, 0xFF, 0xFF], // [_ [_ ], {_ 1: 2}]
            &[0xA2, 0x61, b'k', 0x80, 0x01, 0xC1, 0x02],       // {"k": [], 1: 1(2)}
            &[0xD8, 0x20, 0xC0, 0x61, b'x'],                   // 32(0("x"))
        ];
        for item in items {
            let mut bytes = item.to_vec();
            bytes.push(0x05); // the next item, left alone
            assert_eq!(skipped(&bytes), Ok(item.len()), "{item:02x?}");
            let mut theirs = minicbor::Decoder::new(&bytes);
            if theirs.skip().is_ok() {
                assert_eq!(theirs.position(), item.len(), "minicbor on {item:02x?}");
            }
        }
    }

    #[test]
    fn skip_refuses_truncated_malformed_and_too_deep_items() {
        let bad: &[&[u8]] = &[
            &[],
            &[0x18],                                                 // argument missing
            &[0x44, 1, 2], // string shorter than its head says
            &[0x5B, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], // absurd length
            &[0x82, 0x01], // array one item short
            &[0xBF, 0x01], // indefinite map never closed
            &[0xFF],       // a lone break
            &[0x81, 0xFF], // a break in a definite array
            &[0x1C],       // reserved additional information
            &[0x1F],       // indefinite integer
            &[0xC1],       // a tag with nothing after it
        ];
        for item in bad {
            assert_eq!(skipped(item), Err(MgmtErr::Inval), "{item:02x?}");
        }
        let deep = [0x81u8; SKIP_DEPTH + 1];
        let mut nested = deep.to_vec();
        nested.push(0x00);
        assert_eq!(skipped(&nested), Err(MgmtErr::Inval));
        assert_eq!(skipped(&nested[1..]), Ok(SKIP_DEPTH + 1));
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
        let mut enc = Encoder::new(Writer::new(&mut tx[..]));
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
        let mut enc = Encoder::new(Writer::new(&mut tx[..]));
        let r = put_in_place(&mut enc, StrKind::Text, 8, 0, |out| {
            out[..2].copy_from_slice(b"hi");
            Ok(2)
        });
        assert_eq!(r, Ok(2));
        assert_eq!(&tx[..3], &[0x62, b'h', b'i']);
    }
}
