//! The response encoder: writes the CBOR items SMP responses are made of
//! (integers, booleans, text and byte strings, definite arrays and maps,
//! indefinite maps and arrays closed by [`Encoder::end`]) into the response
//! buffer. Same method names as minicbor's encoder, which did this in about
//! twice the Cortex-M code; minicbor remains the tests' reference.

use super::decoder::BREAK;
use super::writer::{EncodeError, Writer};

/// What writing an item gives: the encoder again, to chain the next item,
/// or a full buffer.
pub type Result<'s, 'b> = core::result::Result<&'s mut Encoder<'b>, EncodeError>;

/// Encodes into a [`Writer`].
pub struct Encoder<'b> {
    writer: Writer<'b>,
}

impl<'b> Encoder<'b> {
    /// An encoder appending to `writer` from its current position.
    pub fn new(writer: Writer<'b>) -> Self {
        Encoder { writer }
    }

    /// The buffer, and how much of it is written.
    pub fn writer(&self) -> &Writer<'b> {
        &self.writer
    }

    /// The buffer, to write a string straight into it
    /// ([`put_in_place`](super::put_in_place)).
    pub fn writer_mut(&mut self) -> &mut Writer<'b> {
        &mut self.writer
    }

    /// Ends encoding; the writer's position is the length written.
    pub fn into_writer(self) -> Writer<'b> {
        self.writer
    }

    fn put(&mut self, bytes: &[u8]) -> core::result::Result<(), EncodeError> {
        self.writer.put(bytes)
    }

    /// A head: major type and argument, in its shortest form.
    fn head(&mut self, major: u8, arg: u64) -> Result<'_, 'b> {
        let m = major << 5;
        let be = arg.to_be_bytes();
        let (initial, tail): (u8, &[u8]) = match arg {
            0..=23 => (m | arg as u8, &[]),
            24..=0xFF => (m | 24, be.get(7..).unwrap_or_default()),
            0x100..=0xFFFF => (m | 25, be.get(6..).unwrap_or_default()),
            0x1_0000..=0xFFFF_FFFF => (m | 26, be.get(4..).unwrap_or_default()),
            _ => (m | 27, &be),
        };
        self.put(&[initial])?;
        self.put(tail)?;
        Ok(self)
    }

    /// An unsigned integer (major type 0), in its shortest form.
    pub fn u64(&mut self, n: u64) -> Result<'_, 'b> {
        self.head(0, n)
    }

    /// As [`Encoder::u64`]: the width of the Rust type does not show on the
    /// wire.
    pub fn u32(&mut self, n: u32) -> Result<'_, 'b> {
        self.head(0, n.into())
    }

    /// As [`Encoder::u64`].
    pub fn u16(&mut self, n: u16) -> Result<'_, 'b> {
        self.head(0, n.into())
    }

    /// As [`Encoder::u64`].
    pub fn u8(&mut self, n: u8) -> Result<'_, 'b> {
        self.head(0, n.into())
    }

    /// A signed integer: major type 0 when non-negative, else 1 with −1 − n.
    pub fn i64(&mut self, n: i64) -> Result<'_, 'b> {
        if n >= 0 {
            self.head(0, n.unsigned_abs())
        } else {
            // −1 − n, which is !n in two's complement (never overflows).
            self.head(1, (!n).unsigned_abs())
        }
    }

    /// As [`Encoder::i64`].
    pub fn i32(&mut self, n: i32) -> Result<'_, 'b> {
        self.i64(n.into())
    }

    /// As [`Encoder::i64`].
    pub fn i8(&mut self, n: i8) -> Result<'_, 'b> {
        self.i64(n.into())
    }

    /// A boolean (`F4` false, `F5` true).
    pub fn bool(&mut self, b: bool) -> Result<'_, 'b> {
        self.put(&[if b { 0xF5 } else { 0xF4 }])?;
        Ok(self)
    }

    /// A definite-length text string.
    pub fn str(&mut self, s: &str) -> Result<'_, 'b> {
        self.head(3, s.len() as u64)?;
        self.put(s.as_bytes())?;
        Ok(self)
    }

    /// A definite-length text string from bytes the caller checked to be
    /// UTF-8 ([`Decoder::utf8`](super::Decoder::utf8)).
    pub fn text(&mut self, utf8: &[u8]) -> Result<'_, 'b> {
        self.head(3, utf8.len() as u64)?;
        self.put(utf8)?;
        Ok(self)
    }

    /// A definite-length byte string.
    pub fn bytes(&mut self, b: &[u8]) -> Result<'_, 'b> {
        self.head(2, b.len() as u64)?;
        self.put(b)?;
        Ok(self)
    }

    /// A definite array of `n` items.
    pub fn array(&mut self, n: u64) -> Result<'_, 'b> {
        self.head(4, n)
    }

    /// A definite map of `n` entries.
    pub fn map(&mut self, n: u64) -> Result<'_, 'b> {
        self.head(5, n)
    }

    /// An indefinite array, closed by [`Encoder::end`].
    pub fn begin_array(&mut self) -> Result<'_, 'b> {
        self.put(&[0x9F])?;
        Ok(self)
    }

    /// An indefinite map, closed by [`Encoder::end`].
    pub fn begin_map(&mut self) -> Result<'_, 'b> {
        self.put(&[0xBF])?;
        Ok(self)
    }

    /// The break that closes an indefinite array or map.
    pub fn end(&mut self) -> Result<'_, 'b> {
        self.put(&[BREAK])?;
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use minicbor::encode::write::{Cursor, EndOfSlice};

    type TheirEncoder<'a> = minicbor::Encoder<Cursor<&'a mut [u8]>>;
    type TheirError = minicbor::encode::Error<EndOfSlice>;

    /// What minicbor writes for the same calls.
    fn same_as_minicbor(
        ours: impl FnOnce(&mut Encoder<'_>) -> core::result::Result<(), EncodeError>,
        theirs: impl FnOnce(&mut TheirEncoder<'_>) -> core::result::Result<(), TheirError>,
    ) {
        let mut buf = [0u8; 64];
        let mut e = Encoder::new(Writer::new(&mut buf));
        ours(&mut e).unwrap();
        let n = e.into_writer().position();
        let mut want = [0u8; 64];
        let mut theirs_e = minicbor::Encoder::new(Cursor::new(&mut want[..]));
        theirs(&mut theirs_e).unwrap();
        let m = theirs_e.into_writer().position();
        assert_eq!(buf[..n], want[..m]);
    }

    #[test]
    fn integers_take_their_shortest_head_as_minicbor_writes_them() {
        for n in [
            0u64,
            23,
            24,
            255,
            256,
            65535,
            65536,
            u32::MAX.into(),
            u64::MAX,
        ] {
            same_as_minicbor(|e| e.u64(n).map(|_| ()), |e| e.u64(n).map(|_| ()));
        }
        for n in [0i64, 1, -1, -24, -25, -256, -257, i64::MIN, i64::MAX] {
            same_as_minicbor(|e| e.i64(n).map(|_| ()), |e| e.i64(n).map(|_| ()));
        }
    }

    #[test]
    fn strings_containers_and_booleans_as_minicbor_writes_them() {
        same_as_minicbor(
            |e| {
                e.begin_map()?.str("k")?.bytes(&[1, 2])?.str("a")?;
                e.array(2)?.bool(true)?.bool(false)?;
                e.str("m")?.map(1)?.u8(1)?.i32(-3)?;
                e.str("l")?.begin_array()?.u16(300)?.end()?.end()?;
                Ok(())
            },
            |e| {
                e.begin_map()?.str("k")?.bytes(&[1, 2])?.str("a")?;
                e.array(2)?.bool(true)?.bool(false)?;
                e.str("m")?.map(1)?.u8(1)?.i32(-3)?;
                e.str("l")?.begin_array()?.u16(300)?.end()?.end()?;
                Ok(())
            },
        );
    }

    #[test]
    fn a_full_buffer_is_an_error() {
        let mut buf = [0u8; 3];
        let mut e = Encoder::new(Writer::new(&mut buf));
        assert_eq!(e.str("abc").map(|_| ()), Err(EncodeError));
    }
}
