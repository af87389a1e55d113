//! Storage erase (group 63): the virtual device's storage is its saved
//! settings and its file systems.

use log::{info, warn};
use smp_server::groups::zephyr_basic::{BasicError, BasicPlatform};

use crate::device::SimDevice;

impl SimDevice {
    /// Erases the storage partition of the virtual device's flash.
    ///
    /// The virtual device has no flash file yet (the flash and MCUboot
    /// emulation adds one): until then the storage partition is the settings
    /// file and the file system directories, erased by the caller. Once the
    /// flash file exists, erase its storage region here.
    pub fn erase_flash_storage_partition(&mut self) -> Result<(), BasicError> {
        Ok(())
    }
}

impl BasicPlatform for SimDevice {
    fn erase_storage(&mut self) -> Result<(), BasicError> {
        if let Err(e) = self.groups.settings.erase_stored() {
            warn!("erase: settings: {e}");
            return Err(BasicError::FlashEraseFailed);
        }
        if let Err(e) = self.groups.fs.erase_all() {
            warn!("erase: file system: {e}");
            return Err(BasicError::FlashEraseFailed);
        }
        self.erase_flash_storage_partition()?;
        info!("storage erased");
        Ok(())
    }
}
