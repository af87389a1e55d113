//! Storage erase (group 63): the virtual device's storage is the
//! `storage_partition` of its flash, its saved settings and its file systems.

use log::{info, warn};
use smp_server::groups::zephyr_basic::{BasicError, BasicPlatform};

use crate::device::SimDevice;

impl SimDevice {
    /// Erases the `storage_partition` of `flash.bin` whole, as Zephyr's
    /// `flash_area_flatten` does.
    pub fn erase_flash_storage_partition(&mut self) -> Result<(), BasicError> {
        let storage = self.storage();
        let size = storage.size();
        storage.erase(0, size).map_err(|e| {
            warn!("erase: storage partition: {e:?}");
            BasicError::FlashEraseFailed
        })
    }
}

impl BasicPlatform for SimDevice {
    fn erase_storage(&mut self) -> Result<(), BasicError> {
        self.erase_flash_storage_partition()?;
        if let Err(e) = self.groups.settings.erase_stored() {
            warn!("erase: settings: {e}");
            return Err(BasicError::FlashEraseFailed);
        }
        if let Err(e) = self.groups.fs.erase_all() {
            warn!("erase: file system: {e}");
            return Err(BasicError::FlashEraseFailed);
        }
        info!("storage erased");
        Ok(())
    }
}
