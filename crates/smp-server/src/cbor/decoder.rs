//! The request decoder: reads the CBOR items SMP requests are made of
//! (unsigned integers, booleans, definite text and byte strings, array and
//! map heads) straight from the payload.
//!
//! minicbor's decoder does this too, and more (every type, tags, error
//! messages naming what was found), in about 2 KB more of Cortex-M code with
//! panic paths; responses are still encoded with minicbor.

/// The item is not what was asked for, or the input ends inside it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DecodeError;

/// The initial byte of the "break" that ends an indefinite-length item.
pub const BREAK: u8 = 0xFF;

/// A position in a request payload.
#[derive(Clone, Debug)]
pub struct Decoder<'b> {
    input: &'b [u8],
    pos: usize,
}

impl<'b> Decoder<'b> {
    /// A decoder at the start of `input`.
    pub fn new(input: &'b [u8]) -> Self {
        Decoder { input, pos: 0 }
    }

    /// The whole payload.
    pub fn input(&self) -> &'b [u8] {
        self.input
    }

    /// Offset of the next item in the payload.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// Moves to `pos` (at most the end of the payload), to read an item again
    /// or to skip past one.
    pub fn set_position(&mut self, pos: usize) {
        self.pos = pos.min(self.input.len());
    }

    /// The initial byte of the next item, not consumed.
    pub fn peek(&self) -> Result<u8, DecodeError> {
        self.input.get(self.pos).copied().ok_or(DecodeError)
    }

    /// Consumes a break if one is next.
    pub fn take_break(&mut self) -> Result<bool, DecodeError> {
        let is_break = self.peek()? == BREAK;
        if is_break {
            // Cannot wrap: a byte was just peeked at `pos`.
            self.pos = self.pos.wrapping_add(1);
        }
        Ok(is_break)
    }

    /// Reads the head of an item of `major` type: its argument, or `None`
    /// for an indefinite length.
    fn head(&mut self, major: u8) -> Result<Option<u64>, DecodeError> {
        let initial = self.peek()?;
        if initial >> 5 != major {
            return Err(DecodeError);
        }
        let info = initial & 0x1F;
        // The argument's bytes follow the initial byte (just peeked, so
        // `pos + 1` is at most the input's length).
        let start = self.pos.wrapping_add(1);
        let (arg, end) = match info {
            0..=23 => (Some(u64::from(info)), start),
            24..=27 => {
                // 1, 2, 4 or 8 bytes for 24..=27.
                let end = start.wrapping_add(1 << (info & 3));
                let bytes = self.input.get(start..end).ok_or(DecodeError)?;
                let arg = bytes.iter().fold(0u64, |acc, b| acc << 8 | u64::from(*b));
                (Some(arg), end)
            }
            31 => (None, start),
            _ => return Err(DecodeError),
        };
        self.pos = end;
        Ok(arg)
    }

    /// The bytes of a definite string of `major` type.
    fn string(&mut self, major: u8) -> Result<&'b [u8], DecodeError> {
        let start = self.pos;
        let len = self.head(major)?.ok_or(DecodeError)?;
        let len = usize::try_from(len).map_err(|_| DecodeError)?;
        let end = self.pos.checked_add(len).ok_or(DecodeError)?;
        let Some(bytes) = self.input.get(self.pos..end) else {
            self.pos = start;
            return Err(DecodeError);
        };
        self.pos = end;
        Ok(bytes)
    }

    /// An unsigned integer (major type 0).
    pub fn u64(&mut self) -> Result<u64, DecodeError> {
        self.head(0)?.ok_or(DecodeError)
    }

    /// A boolean (`F4` false, `F5` true).
    pub fn bool(&mut self) -> Result<bool, DecodeError> {
        let value = match self.peek()? {
            0xF4 => false,
            0xF5 => true,
            _ => return Err(DecodeError),
        };
        // Cannot wrap: the byte was just peeked.
        self.pos = self.pos.wrapping_add(1);
        Ok(value)
    }

    /// A definite-length text string's bytes, not checked to be UTF-8 (for
    /// keys and names that are only compared).
    pub fn text(&mut self) -> Result<&'b [u8], DecodeError> {
        self.string(3)
    }

    /// A definite-length text string, which must be UTF-8, as its bytes:
    /// for text that is only passed on (echo), checked without
    /// `core::str::from_utf8`, whose validator is several hundred bytes of
    /// Cortex-M code.
    pub fn utf8(&mut self) -> Result<&'b [u8], DecodeError> {
        let bytes = self.string(3)?;
        if is_utf8(bytes) {
            Ok(bytes)
        } else {
            Err(DecodeError)
        }
    }

    /// A definite-length text string, which must be UTF-8.
    pub fn str(&mut self) -> Result<&'b str, DecodeError> {
        core::str::from_utf8(self.string(3)?).map_err(|_| DecodeError)
    }

    /// A definite-length byte string.
    pub fn bytes(&mut self) -> Result<&'b [u8], DecodeError> {
        self.string(2)
    }

    /// An array's head: its length, `None` if indefinite (ended by a break).
    pub fn array(&mut self) -> Result<Option<u64>, DecodeError> {
        self.head(4)
    }

    /// A map's head: its number of entries, `None` if indefinite.
    pub fn map(&mut self) -> Result<Option<u64>, DecodeError> {
        self.head(5)
    }
}

/// Whether `bytes` is UTF-8 (RFC 3629: no overlong forms, no surrogates,
/// nothing above U+10FFFF), as `core::str::from_utf8` decides.
pub fn is_utf8(bytes: &[u8]) -> bool {
    let mut rest = bytes.iter();
    while let Some(&lead) = rest.next() {
        // How many continuation bytes follow the lead, and the range the
        // first of them must be in (which rules out overlong forms,
        // surrogates and code points past U+10FFFF).
        let (count, low, high) = match lead {
            0x00..=0x7F => continue,
            0xC2..=0xDF => (1, 0x80, 0xBF),
            0xE0 => (2, 0xA0, 0xBF),
            0xED => (2, 0x80, 0x9F),
            0xE1..=0xEF => (2, 0x80, 0xBF),
            0xF0 => (3, 0x90, 0xBF),
            0xF1..=0xF3 => (3, 0x80, 0xBF),
            0xF4 => (3, 0x80, 0x8F),
            _ => return false,
        };
        let (mut low, mut high) = (low, high);
        for _ in 0..count {
            match rest.next() {
                Some(&b) if (low..=high).contains(&b) => (low, high) = (0x80, 0xBF),
                _ => return false,
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsigned_integers_of_every_width() {
        for (bytes, want) in [
            (&[0x00][..], 0),
            (&[0x17], 23),
            (&[0x18, 0x18], 24),
            (&[0x19, 0x01, 0x00], 256),
            (&[0x1A, 0x00, 0x01, 0x00, 0x00], 65536),
            (&[0x1B, 0, 0, 0, 1, 0, 0, 0, 0], 1 << 32),
        ] {
            let mut d = Decoder::new(bytes);
            assert_eq!(d.u64(), Ok(want), "{bytes:02x?}");
            assert_eq!(d.position(), bytes.len());
        }
    }

    #[test]
    fn wrong_types_truncated_and_indefinite_items_are_errors() {
        for bytes in [
            &[][..],
            &[0x20],             // -1
            &[0x19, 0x01],       // truncated argument
            &[0x1C],             // reserved
            &[0x62, b'a'],       // text shorter than its head
            &[0x7F, 0x60, 0xFF], // indefinite text
            &[0x62, 0xFF, 0xFE], // not UTF-8
        ] {
            let mut d = Decoder::new(bytes);
            assert_eq!(d.u64().and(Ok(())), Err(DecodeError), "{bytes:02x?}");
            let mut d = Decoder::new(bytes);
            assert_eq!(d.str().map(|_| ()), Err(DecodeError), "{bytes:02x?}");
        }
    }

    #[test]
    fn strings_maps_arrays_booleans_and_breaks() {
        let bytes = [
            0xBF, 0x61, b'k', 0x43, 1, 2, 3, 0x9F, 0xF5, 0xF4, 0xFF, 0xA1, 0x82, 0xFF,
        ];
        let mut d = Decoder::new(&bytes);
        assert_eq!(d.map(), Ok(None));
        assert_eq!(d.str(), Ok("k"));
        assert_eq!(d.bytes(), Ok(&[1u8, 2, 3][..]));
        assert_eq!(d.array(), Ok(None));
        assert_eq!(d.take_break(), Ok(false));
        assert_eq!(d.bool(), Ok(true));
        assert_eq!(d.bool(), Ok(false));
        assert_eq!(d.take_break(), Ok(true));
        assert_eq!(d.map(), Ok(Some(1)));
        assert_eq!(d.array(), Ok(Some(2)));
        assert_eq!(d.peek(), Ok(BREAK));
    }

    #[test]
    fn utf8_is_decided_as_the_standard_library_decides() {
        let samples: &[&[u8]] = &[
            b"",
            b"echo",
            "\u{e9}t\u{e9}".as_bytes(),
            "\u{20ac}".as_bytes(),
            "\u{10348}".as_bytes(),
            "\u{10ffff}".as_bytes(),
            &[0xC0, 0x80],
            &[0xC1, 0xBF],
            &[0xE0, 0x80, 0x80],
            &[0xED, 0xA0, 0x80],
            &[0xF4, 0x90, 0x80, 0x80],
            &[0xF5, 0x80, 0x80, 0x80],
            &[0x80],
            &[0xC3],
            &[0xE2, 0x82],
            &[0xF0, 0x9F, 0x98],
            &[0xFF],
            &[b'a', 0xC3, b'b'],
        ];
        for bytes in samples {
            assert_eq!(
                is_utf8(bytes),
                core::str::from_utf8(bytes).is_ok(),
                "{bytes:02x?}"
            );
        }
        // Every 1-, 2- and 3-byte sequence from a spread of interesting bytes.
        let interesting = [
            0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0,
            0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF,
        ];
        for &a in &interesting {
            for &b in &interesting {
                for &c in &interesting {
                    for bytes in [&[a][..], &[a, b][..], &[a, b, c][..]] {
                        assert_eq!(
                            is_utf8(bytes),
                            core::str::from_utf8(bytes).is_ok(),
                            "{bytes:02x?}"
                        );
                    }
                    for &d in &interesting[..12] {
                        let four = [a, b, c, d];
                        assert_eq!(
                            is_utf8(&four),
                            core::str::from_utf8(&four).is_ok(),
                            "{four:02x?}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn utf8_text_is_its_bytes_and_other_text_an_error() {
        let mut d = Decoder::new(&[0x63, 0xE2, 0x82, 0xAC]);
        assert_eq!(d.utf8(), Ok("\u{20ac}".as_bytes()));
        let mut d = Decoder::new(&[0x62, 0xC0, 0x80]);
        assert_eq!(d.utf8(), Err(DecodeError));
    }
}
