//! Flash partitions of the devicetree's fixed-partitions, opened through
//! Zephyr's flash map, as the core's [`FlashArea`].
//!
//! The core's `NorFlashArea` adapts embedded-storage's `NorFlash`, whose
//! granularity is a compile-time constant; a flash map area's granularity is
//! known only at run time (the driver's write block size, its page layout), so
//! this implements the core's object-safe trait directly.

use core::ffi::c_void;

use smp_server::flash::{FlashArea, FlashError};

use crate::sys::raw;

/// One opened partition.
pub struct Partition {
    area: *const raw::flash_area,
    size: u32,
    write_size: u32,
    erase_size: u32,
    erased: u8,
}

impl Partition {
    /// Opens the partition whose flash map id is `id`; `None` (logged) when
    /// it cannot be opened or its flash driver is not ready.
    pub fn open(id: u8) -> Option<Self> {
        let mut area: *const raw::flash_area = core::ptr::null();
        // SAFETY: a valid out pointer; flash_area_open only reads the static
        // flash map.
        let rc = unsafe { raw::flash_area_open(id, &mut area) };
        if rc != 0 || area.is_null() {
            crate::log_error!("flash: cannot open flash area %ld (%ld)", id, rc);
            return None;
        }
        // SAFETY: flash_area_open succeeded: `area` points into the static
        // flash map, valid for the program's lifetime.
        let (offset, size, dev) = unsafe { ((*area).fa_off, (*area).fa_size, (*area).fa_dev) };
        let dev = dev as *const zephyr::raw::device;
        // SAFETY: `dev` is the area's device, a static device object.
        if !unsafe { zephyr::raw::device_is_ready(dev) } {
            crate::log_error!("flash: the driver of flash area %ld is not ready", id);
            return None;
        }
        // SAFETY: a ready flash device.
        let write_size = unsafe { zephyr::raw::flash_get_write_block_size(dev) } as u32;
        let mut page = zephyr::raw::flash_pages_info::default();
        // SAFETY: a ready flash device and a valid out pointer.
        let rc = unsafe { zephyr::raw::flash_get_page_info_by_offs(dev, offset as _, &mut page) };
        if rc != 0 {
            crate::log_error!("flash: no page layout for flash area %ld (%ld)", id, rc);
            return None;
        }
        // SAFETY: an opened area.
        let erased = unsafe { raw::flash_area_erased_val(area) };
        Some(Partition {
            area,
            size: size as u32,
            write_size: write_size.max(1),
            erase_size: page.size as u32,
            erased,
        })
    }

    fn check(&self, offset: u32, len: usize) -> Result<(), FlashError> {
        match offset.checked_add(len as u32) {
            Some(end) if len <= self.size as usize && end <= self.size => Ok(()),
            _ => Err(FlashError::OutOfBounds),
        }
    }
}

/// Whether `v` is a multiple of `unit` (never for a zero unit).
fn aligned(v: u32, unit: u32) -> bool {
    v.checked_rem(unit) == Some(0)
}

/// Zephyr's flash calls answer 0 or a negative errno.
fn result(rc: i32) -> Result<(), FlashError> {
    match rc {
        0 => Ok(()),
        rc if rc == -(zephyr::raw::EINVAL as i32) => Err(FlashError::NotAligned),
        _ => Err(FlashError::Device),
    }
}

impl FlashArea for Partition {
    fn size(&self) -> u32 {
        self.size
    }

    fn erase_size(&self) -> u32 {
        self.erase_size
    }

    fn write_size(&self) -> u32 {
        self.write_size
    }

    fn erased_value(&self) -> u8 {
        self.erased
    }

    fn read(&mut self, offset: u32, bytes: &mut [u8]) -> Result<(), FlashError> {
        self.check(offset, bytes.len())?;
        // SAFETY: an opened area; `bytes` is valid for writes of its length,
        // and the range lies inside the area (checked above).
        result(unsafe {
            raw::flash_area_read(
                self.area,
                offset as _,
                bytes.as_mut_ptr() as *mut c_void,
                bytes.len(),
            )
        })
    }

    fn write(&mut self, offset: u32, bytes: &[u8]) -> Result<(), FlashError> {
        self.check(offset, bytes.len())?;
        if !aligned(offset, self.write_size) || !aligned(bytes.len() as u32, self.write_size) {
            return Err(FlashError::NotAligned);
        }
        // SAFETY: an opened area; `bytes` is valid for reads of its length,
        // and the range lies inside the area.
        result(unsafe {
            raw::flash_area_write(
                self.area,
                offset as _,
                bytes.as_ptr() as *const c_void,
                bytes.len(),
            )
        })
    }

    fn erase(&mut self, from: u32, to: u32) -> Result<(), FlashError> {
        if from > to {
            return Err(FlashError::OutOfBounds);
        }
        self.check(from, (to - from) as usize)?;
        if !aligned(from, self.erase_size) || !aligned(to, self.erase_size) {
            return Err(FlashError::NotAligned);
        }
        // SAFETY: an opened area; the range lies inside it.
        result(unsafe { raw::flash_area_erase(self.area, from as _, (to - from) as usize) })
    }
}
