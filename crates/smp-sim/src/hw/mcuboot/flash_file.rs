//! The real MCUboot over another device's flash file, once
//! (`--mcuboot-boot-file`): a native_sim firmware's `flash.bin`, with the
//! slots of its devicetree, so that what that firmware wrote is booted by
//! MCUboot's own code.

use std::path::Path;

use smp_server::flash::{FlashArea, FlashError};

use super::{boot_go, BootFailed, McubootChoice};
use crate::hw::bootloader::Slots;

/// One slot of the file in memory, with NOR rules (writes only onto erased
/// bytes, erases of whole sectors).
struct Area<'a> {
    bytes: &'a mut [u8],
    sector_size: u32,
    write_size: u32,
}

impl Area<'_> {
    fn range(&self, offset: u32, len: usize) -> Result<std::ops::Range<usize>, FlashError> {
        let start = offset as usize;
        let end = start.checked_add(len).ok_or(FlashError::OutOfBounds)?;
        if end > self.bytes.len() {
            return Err(FlashError::OutOfBounds);
        }
        Ok(start..end)
    }
}

impl FlashArea for Area<'_> {
    fn size(&self) -> u32 {
        self.bytes.len() as u32
    }
    fn erase_size(&self) -> u32 {
        self.sector_size
    }
    fn write_size(&self) -> u32 {
        self.write_size
    }
    fn read(&mut self, offset: u32, bytes: &mut [u8]) -> Result<(), FlashError> {
        let range = self.range(offset, bytes.len())?;
        bytes.copy_from_slice(&self.bytes[range]);
        Ok(())
    }
    fn write(&mut self, offset: u32, bytes: &[u8]) -> Result<(), FlashError> {
        let range = self.range(offset, bytes.len())?;
        let target = &mut self.bytes[range];
        if target.iter().any(|b| *b != 0xFF) {
            return Err(FlashError::Device);
        }
        target.copy_from_slice(bytes);
        Ok(())
    }
    fn erase(&mut self, from: u32, to: u32) -> Result<(), FlashError> {
        if from % self.sector_size != 0 || to % self.sector_size != 0 || to < from {
            return Err(FlashError::NotAligned);
        }
        let range = self.range(from, (to - from) as usize)?;
        self.bytes[range].fill(0xFF);
        Ok(())
    }
}

/// The flash file's geometry: the two slots (`offset`, `size`), the sector
/// and the write sizes.
#[derive(Clone, Copy, Debug)]
pub struct Layout {
    pub slots: [(u32, u32); 2],
    pub sector_size: u32,
    pub write_size: u32,
}

impl Layout {
    /// `OFF:SIZE,OFF:SIZE` (hex with 0x, or decimal).
    pub fn parse_slots(text: &str) -> Result<[(u32, u32); 2], String> {
        let number = |s: &str| {
            let s = s.trim();
            match s.strip_prefix("0x") {
                Some(hex) => u32::from_str_radix(hex, 16),
                None => s.parse(),
            }
            .map_err(|e| format!("{s}: {e}"))
        };
        let slot = |s: &str| -> Result<(u32, u32), String> {
            let (off, size) = s.split_once(':').ok_or(format!("{s}: not OFF:SIZE"))?;
            Ok((number(off)?, number(size)?))
        };
        let (a, b) = text
            .split_once(',')
            .ok_or(format!("{text}: not OFF:SIZE,OFF:SIZE"))?;
        Ok([slot(a)?, slot(b)?])
    }
}

/// Boots the file once with the real MCUboot and writes back what it did:
/// `None` when it finds no bootable image (a board would hang).
pub fn boot_file(path: &Path, layout: &Layout) -> Result<Option<(McubootChoice, bool)>, String> {
    let mut data = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let [(off0, size0), (off1, size1)] = layout.slots;
    let (end0, end1) = (
        off0 as usize + size0 as usize,
        off1 as usize + size1 as usize,
    );
    if end0 > off1 as usize || end1 > data.len() || layout.sector_size == 0 {
        return Err(format!(
            "slots {:#x}+{size0:#x} and {off1:#x}+{size1:#x}: not two slots in order inside the {} bytes of {}",
            off0,
            data.len(),
            path.display()
        ));
    }
    let (head, rest) = data.split_at_mut(off1 as usize);
    let mut primary = Area {
        bytes: &mut head[off0 as usize..end0],
        sector_size: layout.sector_size,
        write_size: layout.write_size,
    };
    let mut secondary = Area {
        bytes: &mut rest[..size1 as usize],
        sector_size: layout.sector_size,
        write_size: layout.write_size,
    };
    let mut slots = Slots {
        primary: &mut primary,
        secondary: &mut secondary,
    };
    let result = match boot_go(&mut slots, [off0, off1]) {
        Ok(choice) => choice,
        Err(BootFailed::Flash) => return Err("a flash operation of MCUboot failed".into()),
        Err(BootFailed::NoBootableImage) => None,
    };
    std::fs::write(path, &data).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(result)
}
