//! The virtual device's flash: one file, `flash.bin`, laid out as the
//! nrf52840dk_nrf52840's internal flash, with NOR rules enforced.
//!
//! Every operation goes straight to the file (`pwrite`), so a process killed
//! at any point leaves the flash exactly as a power cut between two flash
//! operations would. An in-memory copy serves reads.
//!
//! NOR rules: writes and erases are checked for bounds and alignment (4-byte
//! write blocks, 4096-byte sectors), erasing sets bytes to 0xFF, and writing a
//! byte that is not erased is an error (stricter than the nRF52840's NVMC,
//! which lets bits go from 1 to 0 a few times: software that relies on that
//! would be wrong on most NOR parts).

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::Read;
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use embedded_storage::nor_flash::{
    check_erase, check_read, check_write, ErrorType, NorFlash, NorFlashError, NorFlashErrorKind,
    ReadNorFlash,
};
use nix::fcntl::{Flock, FlockArg};

/// Size of the whole flash (nRF52840: 1 MiB).
pub const FLASH_SIZE: u32 = 0x10_0000;
/// Erase granularity (nRF52840 page).
pub const SECTOR_SIZE: u32 = 4096;
/// Write granularity (nRF52840 NVMC word).
pub const WRITE_SIZE: u32 = 4;
/// The value of an erased byte.
pub const ERASED: u8 = 0xFF;

/// One fixed partition of the flash (a Zephyr devicetree `partition`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Partition {
    pub label: &'static str,
    pub offset: u32,
    pub size: u32,
}

/// nrf52840dk_nrf52840's `boot_partition` (MCUboot itself).
pub const BOOT_PARTITION: Partition = Partition {
    label: "boot_partition",
    offset: 0x0,
    size: 0xC000,
};
/// `slot0_partition`: the primary slot, the image that runs.
pub const SLOT0_PARTITION: Partition = Partition {
    label: "slot0_partition",
    offset: 0xC000,
    size: 0x76000,
};
/// `slot1_partition`: the secondary slot, where uploads go.
pub const SLOT1_PARTITION: Partition = Partition {
    label: "slot1_partition",
    offset: 0x82000,
    size: 0x76000,
};
/// `storage_partition`: settings and file systems.
pub const STORAGE_PARTITION: Partition = Partition {
    label: "storage_partition",
    offset: 0xF8000,
    size: 0x8000,
};

/// All partitions, in address order.
pub const PARTITIONS: [Partition; 4] = [
    BOOT_PARTITION,
    SLOT0_PARTITION,
    SLOT1_PARTITION,
    STORAGE_PARTITION,
];

/// Why a flash operation failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SimFlashError {
    NotAligned,
    OutOfBounds,
    /// A write touched a byte that is not erased (address within the flash).
    NotErased {
        address: u32,
    },
    /// The simulated power is off (tests cutting power mid-operation).
    PowerLost,
    /// The backing file failed.
    Io(std::io::ErrorKind),
}

impl NorFlashError for SimFlashError {
    fn kind(&self) -> NorFlashErrorKind {
        match self {
            SimFlashError::NotAligned => NorFlashErrorKind::NotAligned,
            SimFlashError::OutOfBounds => NorFlashErrorKind::OutOfBounds,
            _ => NorFlashErrorKind::Other,
        }
    }
}

impl From<NorFlashErrorKind> for SimFlashError {
    fn from(kind: NorFlashErrorKind) -> Self {
        match kind {
            NorFlashErrorKind::NotAligned => SimFlashError::NotAligned,
            _ => SimFlashError::OutOfBounds,
        }
    }
}

impl fmt::Display for SimFlashError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SimFlashError::NotAligned => write!(f, "flash access not aligned"),
            SimFlashError::OutOfBounds => write!(f, "flash access out of bounds"),
            SimFlashError::NotErased { address } => {
                write!(
                    f,
                    "flash write to a byte that is not erased at {address:#x}"
                )
            }
            SimFlashError::PowerLost => write!(f, "flash power lost"),
            SimFlashError::Io(kind) => write!(f, "flash file I/O failed: {kind}"),
        }
    }
}

/// Simulated power cuts: the budget of write/erase operations left before
/// the power goes, and whether the operation hit by the cut is half done.
#[derive(Clone, Copy, Debug, Default)]
struct PowerCut {
    ops_left: Option<u64>,
    torn: bool,
    lost: bool,
}

/// The flash chip: its contents, mirrored to the backing file if any.
struct Chip {
    data: Vec<u8>,
    /// The backing file, locked so that two devices cannot share it.
    file: Option<Flock<File>>,
    /// Write and erase operations performed since the chip was opened.
    ops: u64,
    power: PowerCut,
}

impl Chip {
    /// Counts one write or erase; `Ok(false)` means the power goes during it
    /// and only a torn part of it may be done.
    fn spend_op(&mut self) -> Result<bool, SimFlashError> {
        if self.power.lost {
            return Err(SimFlashError::PowerLost);
        }
        self.ops += 1;
        match &mut self.power.ops_left {
            Some(0) => {
                self.power.lost = true;
                Ok(false)
            }
            Some(n) => {
                *n -= 1;
                Ok(true)
            }
            None => Ok(true),
        }
    }

    /// Stores `bytes` at absolute `address`, in memory and in the file.
    fn store(&mut self, address: u32, bytes: &[u8]) -> Result<(), SimFlashError> {
        let start = address as usize;
        self.data[start..start + bytes.len()].copy_from_slice(bytes);
        if let Some(file) = &self.file {
            file.write_all_at(bytes, u64::from(address))
                .map_err(|e| SimFlashError::Io(e.kind()))?;
        }
        Ok(())
    }

    fn read(&self, address: u32, bytes: &mut [u8]) -> Result<(), SimFlashError> {
        if self.power.lost {
            return Err(SimFlashError::PowerLost);
        }
        let start = address as usize;
        bytes.copy_from_slice(&self.data[start..start + bytes.len()]);
        Ok(())
    }

    fn write(&mut self, address: u32, bytes: &[u8]) -> Result<(), SimFlashError> {
        let start = address as usize;
        if let Some(i) = self.data[start..start + bytes.len()]
            .iter()
            .position(|&b| b != ERASED)
        {
            return Err(SimFlashError::NotErased {
                address: address + i as u32,
            });
        }
        if self.spend_op()? {
            self.store(address, bytes)
        } else {
            if self.power.torn {
                self.store(address, &bytes[..bytes.len() / 2])?;
            }
            Err(SimFlashError::PowerLost)
        }
    }

    fn erase(&mut self, from: u32, to: u32) -> Result<(), SimFlashError> {
        let len = (to - from) as usize;
        let (len, result) = if self.spend_op()? {
            (len, Ok(()))
        } else if self.power.torn {
            (len / 2, Err(SimFlashError::PowerLost))
        } else {
            (0, Err(SimFlashError::PowerLost))
        };
        self.store(from, &vec![ERASED; len])?;
        result
    }
}

/// The whole flash device, shared by its partitions.
#[derive(Clone)]
pub struct Flash {
    chip: Arc<Mutex<Chip>>,
}

impl fmt::Debug for Flash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Flash").finish_non_exhaustive()
    }
}

/// Why the flash file could not be opened.
#[derive(Debug)]
pub enum OpenError {
    Io(std::io::Error),
    /// Another process holds the file.
    InUse,
    /// The file exists with another size than the flash.
    WrongSize(u64),
}

impl fmt::Display for OpenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OpenError::Io(e) => write!(f, "{e}"),
            OpenError::InUse => write!(f, "it is in use by another smp-sim"),
            OpenError::WrongSize(size) => write!(
                f,
                "it holds {size} bytes, not the {FLASH_SIZE} of the virtual device's flash"
            ),
        }
    }
}

impl Flash {
    /// The name of the flash file in the state directory.
    pub const FILE_NAME: &'static str = "flash.bin";

    /// Opens (or creates, fully erased) the flash file `path` and locks it.
    pub fn open(path: &Path) -> Result<Self, OpenError> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(OpenError::Io)?;
        let file = Flock::lock(file, FlockArg::LockExclusiveNonblock).map_err(|(_, errno)| {
            if errno == nix::errno::Errno::EWOULDBLOCK {
                OpenError::InUse
            } else {
                OpenError::Io(errno.into())
            }
        })?;
        let len = file.metadata().map_err(OpenError::Io)?.len();
        let data = if len == 0 {
            let data = vec![ERASED; FLASH_SIZE as usize];
            file.write_all_at(&data, 0).map_err(OpenError::Io)?;
            data
        } else if len == u64::from(FLASH_SIZE) {
            let mut data = Vec::with_capacity(FLASH_SIZE as usize);
            (&*file).read_to_end(&mut data).map_err(OpenError::Io)?;
            data
        } else {
            return Err(OpenError::WrongSize(len));
        };
        Ok(Self::from_chip(data, Some(file)))
    }

    /// A flash held in memory only, fully erased.
    #[cfg(test)]
    pub fn in_memory() -> Self {
        Self::from_chip(vec![ERASED; FLASH_SIZE as usize], None)
    }

    fn from_chip(data: Vec<u8>, file: Option<Flock<File>>) -> Self {
        Flash {
            chip: Arc::new(Mutex::new(Chip {
                data,
                file,
                ops: 0,
                power: PowerCut::default(),
            })),
        }
    }

    fn chip(&self) -> MutexGuard<'_, Chip> {
        self.chip.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// One partition of this flash as a NOR flash device.
    pub fn partition(&self, partition: Partition) -> FlashPartition {
        FlashPartition {
            flash: self.clone(),
            partition,
        }
    }

    /// Write and erase operations so far.
    #[cfg(test)]
    pub fn ops(&self) -> u64 {
        self.chip().ops
    }

    /// The power goes during the write or erase after the next `ops` ones;
    /// `torn`: that operation is half done instead of not at all. Every
    /// operation fails from then on until [`Flash::restore_power`].
    #[cfg(test)]
    pub fn cut_power_after(&self, ops: u64, torn: bool) {
        self.chip().power = PowerCut {
            ops_left: Some(ops),
            torn,
            lost: false,
        };
    }

    /// Whether a cut set by [`Flash::cut_power_after`] happened.
    #[cfg(test)]
    pub fn power_lost(&self) -> bool {
        self.chip().power.lost
    }

    #[cfg(test)]
    pub fn restore_power(&self) {
        self.chip().power = PowerCut::default();
    }

    /// A copy of the whole contents.
    #[cfg(test)]
    pub fn snapshot(&self) -> Vec<u8> {
        self.chip().data.clone()
    }

    /// Replaces the whole contents (test set-up; no NOR rules).
    #[cfg(test)]
    pub fn restore(&self, data: &[u8]) {
        let mut chip = self.chip();
        chip.store(0, data).expect("restore the flash contents");
    }
}

/// One partition: a NOR flash device addressed from 0.
pub struct FlashPartition {
    flash: Flash,
    partition: Partition,
}

impl ErrorType for FlashPartition {
    type Error = SimFlashError;
}

impl ReadNorFlash for FlashPartition {
    const READ_SIZE: usize = 1;

    fn read(&mut self, offset: u32, bytes: &mut [u8]) -> Result<(), SimFlashError> {
        check_read(self, offset, bytes.len())?;
        self.flash
            .chip()
            .read(self.partition.offset + offset, bytes)
    }

    fn capacity(&self) -> usize {
        self.partition.size as usize
    }
}

impl NorFlash for FlashPartition {
    const WRITE_SIZE: usize = WRITE_SIZE as usize;
    const ERASE_SIZE: usize = SECTOR_SIZE as usize;

    fn erase(&mut self, from: u32, to: u32) -> Result<(), SimFlashError> {
        check_erase(self, from, to)?;
        let base = self.partition.offset;
        self.flash.chip().erase(base + from, base + to)
    }

    fn write(&mut self, offset: u32, bytes: &[u8]) -> Result<(), SimFlashError> {
        check_write(self, offset, bytes.len())?;
        self.flash
            .chip()
            .write(self.partition.offset + offset, bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slot0() -> FlashPartition {
        Flash::in_memory().partition(SLOT0_PARTITION)
    }

    #[test]
    fn partitions_tile_the_flash_on_sector_boundaries() {
        let mut end = 0;
        for p in PARTITIONS {
            assert_eq!(p.offset, end, "{} starts where the previous ends", p.label);
            assert_eq!(p.offset % SECTOR_SIZE, 0);
            assert_eq!(p.size % SECTOR_SIZE, 0);
            end = p.offset + p.size;
        }
        assert_eq!(end, FLASH_SIZE);
    }

    #[test]
    fn new_flash_reads_erased() {
        let mut p = slot0();
        let mut buf = [0u8; 16];
        p.read(0x100, &mut buf).unwrap();
        assert_eq!(buf, [ERASED; 16]);
    }

    #[test]
    fn write_then_read_back() {
        let mut p = slot0();
        p.write(8, &[1, 2, 3, 4, 5, 6, 7, 8]).unwrap();
        let mut buf = [0u8; 10];
        p.read(7, &mut buf).unwrap();
        assert_eq!(buf, [0xFF, 1, 2, 3, 4, 5, 6, 7, 8, 0xFF]);
    }

    #[test]
    fn writing_a_byte_that_is_not_erased_fails_and_changes_nothing() {
        let mut p = slot0();
        p.write(0, &[0xFF, 0xFF, 0x00, 0xFF]).unwrap();
        assert_eq!(
            p.write(0, &[0x11, 0x22, 0x00, 0x44]),
            Err(SimFlashError::NotErased {
                address: SLOT0_PARTITION.offset + 2
            })
        );
        let mut buf = [0u8; 4];
        p.read(0, &mut buf).unwrap();
        assert_eq!(buf, [0xFF, 0xFF, 0x00, 0xFF]);
    }

    #[test]
    fn writes_must_be_aligned_to_the_write_block() {
        let mut p = slot0();
        assert_eq!(p.write(2, &[0; 4]), Err(SimFlashError::NotAligned));
        assert_eq!(p.write(0, &[0; 3]), Err(SimFlashError::NotAligned));
    }

    #[test]
    fn erases_must_be_aligned_to_sectors() {
        let mut p = slot0();
        assert_eq!(p.erase(0, 100), Err(SimFlashError::NotAligned));
        assert_eq!(p.erase(4, SECTOR_SIZE), Err(SimFlashError::NotAligned));
    }

    #[test]
    fn accesses_beyond_the_partition_are_out_of_bounds() {
        let mut p = slot0();
        let size = SLOT0_PARTITION.size;
        assert_eq!(p.write(size, &[0; 4]), Err(SimFlashError::OutOfBounds));
        assert_eq!(
            p.erase(size - SECTOR_SIZE, size + SECTOR_SIZE),
            Err(SimFlashError::OutOfBounds)
        );
        assert_eq!(
            p.read(size - 2, &mut [0; 4]),
            Err(SimFlashError::OutOfBounds)
        );
    }

    #[test]
    fn erase_sets_whole_sectors_to_ff() {
        let mut p = slot0();
        p.write(0, &[0; 8]).unwrap();
        p.write(SECTOR_SIZE, &[0; 8]).unwrap();
        p.erase(0, SECTOR_SIZE).unwrap();
        let mut buf = [0u8; 8];
        p.read(0, &mut buf).unwrap();
        assert_eq!(buf, [ERASED; 8]);
        p.read(SECTOR_SIZE, &mut buf).unwrap();
        assert_eq!(buf, [0; 8], "the next sector is untouched");
        p.write(0, &[7; 8]).unwrap();
    }

    #[test]
    fn partitions_do_not_overlap() {
        let flash = Flash::in_memory();
        let mut slot0 = flash.partition(SLOT0_PARTITION);
        let mut slot1 = flash.partition(SLOT1_PARTITION);
        slot0.write(SLOT0_PARTITION.size - 4, &[1; 4]).unwrap();
        slot1.write(0, &[2; 4]).unwrap();
        let mut buf = [0u8; 4];
        slot0.read(SLOT0_PARTITION.size - 4, &mut buf).unwrap();
        assert_eq!(buf, [1; 4]);
        slot1.erase(0, SECTOR_SIZE).unwrap();
        slot0.read(SLOT0_PARTITION.size - 4, &mut buf).unwrap();
        assert_eq!(buf, [1; 4]);
    }

    #[test]
    fn contents_persist_in_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(Flash::FILE_NAME);
        {
            let flash = Flash::open(&path).unwrap();
            flash
                .partition(STORAGE_PARTITION)
                .write(16, b"persist!")
                .unwrap();
        }
        let flash = Flash::open(&path).unwrap();
        let mut buf = [0u8; 8];
        flash
            .partition(STORAGE_PARTITION)
            .read(16, &mut buf)
            .unwrap();
        assert_eq!(&buf, b"persist!");
        assert_eq!(
            std::fs::metadata(&path).unwrap().len(),
            u64::from(FLASH_SIZE)
        );
    }

    #[test]
    fn a_flash_file_in_use_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(Flash::FILE_NAME);
        let _first = Flash::open(&path).unwrap();
        assert!(matches!(Flash::open(&path), Err(OpenError::InUse)));
    }

    #[test]
    fn a_flash_file_of_the_wrong_size_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(Flash::FILE_NAME);
        std::fs::write(&path, [0u8; 100]).unwrap();
        assert!(matches!(Flash::open(&path), Err(OpenError::WrongSize(100))));
    }

    #[test]
    fn after_a_power_cut_every_operation_fails() {
        let flash = Flash::in_memory();
        let mut p = flash.partition(SLOT0_PARTITION);
        flash.cut_power_after(1, false);
        p.write(0, &[0; 4]).unwrap();
        assert_eq!(p.write(4, &[0; 4]), Err(SimFlashError::PowerLost));
        assert_eq!(p.read(0, &mut [0; 4]), Err(SimFlashError::PowerLost));
        assert!(flash.power_lost());
        flash.restore_power();
        let mut buf = [0u8; 8];
        p.read(0, &mut buf).unwrap();
        assert_eq!(
            buf,
            [0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF],
            "the cut write did nothing"
        );
    }

    #[test]
    fn a_torn_write_leaves_half_of_it() {
        let flash = Flash::in_memory();
        let mut p = flash.partition(SLOT0_PARTITION);
        flash.cut_power_after(0, true);
        assert_eq!(p.write(0, &[0; 8]), Err(SimFlashError::PowerLost));
        flash.restore_power();
        let mut buf = [0u8; 8];
        p.read(0, &mut buf).unwrap();
        assert_eq!(buf, [0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF]);
    }
}
