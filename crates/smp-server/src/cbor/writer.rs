//! The response buffer the encoder writes into.

use crate::error::{Error, MgmtErr};

/// The response buffer is full (→ rc 7).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EncodeError;

/// A response that outgrows its buffer is answered with rc 7.
impl From<EncodeError> for Error {
    fn from(_: EncodeError) -> Self {
        Error::Mgmt(MgmtErr::MsgSize)
    }
}

/// The response buffer an [`Encoder`](super::Encoder) writes into, and how much of it is
/// written.
pub struct Writer<'b> {
    buf: &'b mut [u8],
    pos: usize,
}

impl<'b> Writer<'b> {
    /// Nothing written yet; the length of `buf` caps the response.
    pub fn new(buf: &'b mut [u8]) -> Self {
        Writer { buf, pos: 0 }
    }

    /// Bytes written so far.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// Moves the end of what is written (within the buffer).
    pub fn set_position(&mut self, pos: usize) {
        self.pos = pos.min(self.buf.len());
    }

    /// The whole buffer.
    pub fn get_ref(&self) -> &[u8] {
        self.buf
    }

    /// The whole buffer, to write into in place.
    pub fn get_mut(&mut self) -> &mut [u8] {
        self.buf
    }
}

impl Writer<'_> {
    /// Appends `bytes`, or nothing if they do not all fit.
    pub fn put(&mut self, bytes: &[u8]) -> Result<(), EncodeError> {
        let end = self.pos.checked_add(bytes.len()).ok_or(EncodeError)?;
        crate::bytes::copy(self.buf.get_mut(self.pos..end).ok_or(EncodeError)?, bytes);
        self.pos = end;
        Ok(())
    }
}
