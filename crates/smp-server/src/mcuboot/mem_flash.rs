//! An in-memory NOR flash for tests, with NOR rules enforced: writes and
//! erases on their granularity, writing a byte that is not erased fails,
//! erase sets 0xFF. It records what happened, so tests can check that
//! nothing was erased or written twice.

use crate::flash::{FlashArea, FlashError};

#[derive(Clone, Debug)]
pub struct MemFlash {
    pub data: Vec<u8>,
    pub erase_size: u32,
    pub write_size: u32,
    /// Every successful erase, `(from, to)`.
    pub erases: Vec<(u32, u32)>,
    /// Every successful write, `(offset, len)`.
    pub writes: Vec<(u32, u32)>,
    /// Fail every write (a worn-out or locked device).
    pub fail_writes: bool,
    /// Fail every erase.
    pub fail_erases: bool,
}

impl MemFlash {
    /// An erased area of `size` bytes.
    pub fn new(size: u32, erase_size: u32, write_size: u32) -> Self {
        MemFlash {
            data: vec![0xFF; size as usize],
            erase_size,
            write_size,
            erases: Vec::new(),
            writes: Vec::new(),
            fail_writes: false,
            fail_erases: false,
        }
    }

    /// Puts `bytes` at `offset` as a programmer would (no NOR checks, not recorded).
    pub fn program(&mut self, offset: u32, bytes: &[u8]) {
        let o = offset as usize;
        self.data[o..o + bytes.len()].copy_from_slice(bytes);
    }

    /// Forgets the recorded erases and writes.
    pub fn clear_log(&mut self) {
        self.erases.clear();
        self.writes.clear();
    }

    fn range(&self, offset: u32, len: usize) -> Result<core::ops::Range<usize>, FlashError> {
        let start = offset as usize;
        let end = start.checked_add(len).ok_or(FlashError::OutOfBounds)?;
        if end > self.data.len() {
            return Err(FlashError::OutOfBounds);
        }
        Ok(start..end)
    }
}

impl FlashArea for MemFlash {
    fn size(&self) -> u32 {
        self.data.len() as u32
    }

    fn erase_size(&self) -> u32 {
        self.erase_size
    }

    fn write_size(&self) -> u32 {
        self.write_size
    }

    fn read(&mut self, offset: u32, bytes: &mut [u8]) -> Result<(), FlashError> {
        let r = self.range(offset, bytes.len())?;
        bytes.copy_from_slice(&self.data[r]);
        Ok(())
    }

    fn write(&mut self, offset: u32, bytes: &[u8]) -> Result<(), FlashError> {
        if offset % self.write_size != 0 || bytes.len() as u32 % self.write_size != 0 {
            return Err(FlashError::NotAligned);
        }
        let r = self.range(offset, bytes.len())?;
        if self.fail_writes || self.data[r.clone()].iter().any(|b| *b != 0xFF) {
            return Err(FlashError::Device);
        }
        self.data[r].copy_from_slice(bytes);
        self.writes.push((offset, bytes.len() as u32));
        Ok(())
    }

    fn erase(&mut self, from: u32, to: u32) -> Result<(), FlashError> {
        if from % self.erase_size != 0 || to % self.erase_size != 0 || from > to {
            return Err(FlashError::NotAligned);
        }
        let r = self.range(from, (to - from) as usize)?;
        if self.fail_erases {
            return Err(FlashError::Device);
        }
        self.data[r].fill(0xFF);
        self.erases.push((from, to));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writing_a_programmed_byte_fails() {
        let mut f = MemFlash::new(64, 16, 4);
        f.write(0, &[0, 1, 2, 3]).unwrap();
        assert_eq!(f.write(0, &[0xFF; 4]), Err(FlashError::Device));
    }

    #[test]
    fn erase_sets_ff_and_allows_writing_again() {
        let mut f = MemFlash::new(64, 16, 4);
        f.write(4, &[0; 4]).unwrap();
        f.erase(0, 16).unwrap();
        assert_eq!(f.data[4..8], [0xFF; 4]);
        f.write(4, &[1; 4]).unwrap();
    }

    #[test]
    fn granularity_is_checked() {
        let mut f = MemFlash::new(64, 16, 4);
        assert_eq!(f.write(2, &[0; 4]), Err(FlashError::NotAligned));
        assert_eq!(f.write(0, &[0; 3]), Err(FlashError::NotAligned));
        assert_eq!(f.erase(8, 16), Err(FlashError::NotAligned));
        assert_eq!(f.erase(0, 80), Err(FlashError::OutOfBounds));
        assert_eq!(f.read(60, &mut [0; 8]), Err(FlashError::OutOfBounds));
    }
}
