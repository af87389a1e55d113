//! Flash as the groups use it: one object-safe trait per flash area (an image
//! slot, the storage partition), with an adapter from any
//! `embedded_storage::nor_flash::NorFlash`.
//!
//! `NorFlash` carries its granularity as associated constants, so it cannot be
//! a trait object; groups take `&mut dyn FlashArea` instead and platforms wrap
//! their drivers in [`NorFlashArea`].

use embedded_storage::nor_flash::{NorFlash, NorFlashError, NorFlashErrorKind};

/// Why a flash operation failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlashError {
    /// Offset or length not aligned to the read, write or erase granularity.
    NotAligned,
    /// Outside the area.
    OutOfBounds,
    /// The device reported a failure (including writing a byte that is not erased).
    Device,
}

impl<E: NorFlashError> From<E> for FlashError {
    fn from(e: E) -> Self {
        match e.kind() {
            NorFlashErrorKind::NotAligned => FlashError::NotAligned,
            NorFlashErrorKind::OutOfBounds => FlashError::OutOfBounds,
            _ => FlashError::Device,
        }
    }
}

/// One flash area, addressed from 0.
pub trait FlashArea {
    /// Size of the area in bytes.
    fn size(&self) -> u32;
    /// Erase granularity (sector size).
    fn erase_size(&self) -> u32;
    /// Write granularity: writes start and end on multiples of it.
    fn write_size(&self) -> u32;
    /// The value erased bytes read as.
    fn erased_value(&self) -> u8 {
        0xFF
    }
    /// Fills `bytes` from `offset`: any offset and length inside the area,
    /// down to single trailer bytes.
    fn read(&mut self, offset: u32, bytes: &mut [u8]) -> Result<(), FlashError>;
    /// Writes `bytes` at `offset` into erased flash, offset and length
    /// multiples of [`FlashArea::write_size`].
    fn write(&mut self, offset: u32, bytes: &[u8]) -> Result<(), FlashError>;
    /// Erases `[from, to)`, both multiples of [`FlashArea::erase_size`].
    fn erase(&mut self, from: u32, to: u32) -> Result<(), FlashError>;
}

/// A `NorFlash` driver seen as a [`FlashArea`].
pub struct NorFlashArea<F>(pub F);

impl<F: NorFlash> FlashArea for NorFlashArea<F> {
    fn size(&self) -> u32 {
        self.0.capacity() as u32
    }

    fn erase_size(&self) -> u32 {
        F::ERASE_SIZE as u32
    }

    fn write_size(&self) -> u32 {
        F::WRITE_SIZE as u32
    }

    fn read(&mut self, offset: u32, bytes: &mut [u8]) -> Result<(), FlashError> {
        Ok(self.0.read(offset, bytes)?)
    }

    fn write(&mut self, offset: u32, bytes: &[u8]) -> Result<(), FlashError> {
        Ok(self.0.write(offset, bytes)?)
    }

    fn erase(&mut self, from: u32, to: u32) -> Result<(), FlashError> {
        Ok(self.0.erase(from, to)?)
    }
}

/// The part of an area from `base` on, addressed from 0: the image of a slot
/// whose image does not start at the slot's beginning (swap using offset
/// keeps the secondary slot's image one sector in). Its end is the area's,
/// so a trailer laid out from the end is the same bytes through either.
pub struct Window<'a> {
    area: &'a mut dyn FlashArea,
    base: u32,
}

impl<'a> Window<'a> {
    /// The window of `area` from `base` (a multiple of its erase size, or 0).
    pub fn new(area: &'a mut dyn FlashArea, base: u32) -> Self {
        Window { area, base }
    }

    fn at(&self, offset: u32) -> Result<u32, FlashError> {
        self.base.checked_add(offset).ok_or(FlashError::OutOfBounds)
    }
}

impl FlashArea for Window<'_> {
    fn size(&self) -> u32 {
        self.area.size().saturating_sub(self.base)
    }

    fn erase_size(&self) -> u32 {
        self.area.erase_size()
    }

    fn write_size(&self) -> u32 {
        self.area.write_size()
    }

    fn erased_value(&self) -> u8 {
        self.area.erased_value()
    }

    fn read(&mut self, offset: u32, bytes: &mut [u8]) -> Result<(), FlashError> {
        let at = self.at(offset)?;
        self.area.read(at, bytes)
    }

    fn write(&mut self, offset: u32, bytes: &[u8]) -> Result<(), FlashError> {
        let at = self.at(offset)?;
        self.area.write(at, bytes)
    }

    fn erase(&mut self, from: u32, to: u32) -> Result<(), FlashError> {
        let (from, to) = (self.at(from)?, self.at(to)?);
        self.area.erase(from, to)
    }
}
