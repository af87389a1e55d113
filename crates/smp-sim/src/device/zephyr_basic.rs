//! Storage erase (group 63): the virtual device's storage is the
//! `storage_partition` of its flash, its saved settings and its file systems.

use log::{info, warn};
use smp_server::flash::{FlashArea, NorFlashArea};
use smp_server::groups::zephyr_basic::BasicError;

use super::fs::Fs;
use super::settings::Settings;
use crate::hw::flash::{Flash, FlashPartition, STORAGE_PARTITION};

pub struct ZephyrBasic {
    storage_partition: NorFlashArea<FlashPartition>,
}

impl ZephyrBasic {
    pub fn open(flash: &Flash) -> Self {
        ZephyrBasic {
            storage_partition: NorFlashArea(flash.partition(STORAGE_PARTITION)),
        }
    }

    /// Erases the storage. The saved settings and the files are not on the
    /// storage partition here but in the state directory, so the parts that
    /// keep them are handed in.
    pub fn erase_storage(
        &mut self,
        settings: &mut Settings,
        fs: &mut Fs,
    ) -> Result<(), BasicError> {
        self.erase_storage_partition()?;
        if let Err(e) = settings.erase_stored() {
            warn!("erase: settings: {e}");
            return Err(BasicError::FlashEraseFailed);
        }
        if let Err(e) = fs.erase_all() {
            warn!("erase: file system: {e}");
            return Err(BasicError::FlashEraseFailed);
        }
        info!("storage erased");
        Ok(())
    }

    /// Erases the `storage_partition` of `flash.bin` whole, as Zephyr's
    /// `flash_area_flatten` does.
    fn erase_storage_partition(&mut self) -> Result<(), BasicError> {
        let size = self.storage_partition.size();
        self.storage_partition.erase(0, size).map_err(|e| {
            warn!("erase: storage partition: {e:?}");
            BasicError::FlashEraseFailed
        })
    }
}
