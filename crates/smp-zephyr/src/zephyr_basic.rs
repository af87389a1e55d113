//! The Zephyr basic group's platform part: storage erase, the devicetree's
//! `storage_partition` erased whole through the flash map
//! (`flash_area_flatten`, as Zephyr's zephyr_basic does: an erase, or
//! writing the erased value on flash without an erase operation).
//!
//! A file system mounted on that partition (the fstab's littlefs, which also
//! holds the settings file) is unmounted first and mounted again after:
//! erasing under a mounted littlefs would leave its RAM state (caches, the
//! block allocator's view, the metadata it has read) describing blocks that
//! no longer hold it, and its next write would mix old state into the blank
//! flash. The core closes the fs group's transfer file before asking, and the
//! settings file backend keeps no file open, so nothing is open then. On
//! mount, littlefs finds a blank partition and formats it. Running settings
//! stay in RAM until the next boot, as on Zephyr.

use core::ptr;

use smp_server::groups::zephyr_basic::{BasicError, BasicPlatform};

use crate::sys::raw;

pub struct ZephyrStorage;

/// Erases the storage partition.
fn erase() -> Result<(), BasicError> {
    let mut fa: *const raw::flash_area = ptr::null();
    // SAFETY: returns a constant.
    let id = unsafe { raw::rust_smp_storage_partition_id() };
    // SAFETY: `fa` is valid for writes; on success it points to the flash
    // map's static entry for the partition.
    if unsafe { raw::flash_area_open(id, &mut fa) } < 0 || fa.is_null() {
        return Err(BasicError::FlashOpenFailed);
    }
    // SAFETY: `fa` is an open flash area (until flash_area_close below).
    let result = unsafe {
        if raw::flash_area_get_device(fa).is_null() {
            Err(BasicError::FlashConfigQueryFail)
        } else if raw::flash_area_flatten(fa, 0, (*fa).fa_size) < 0 {
            Err(BasicError::FlashEraseFailed)
        } else {
            Ok(())
        }
    };
    // SAFETY: `fa` was opened above and is not used after this.
    unsafe { raw::flash_area_close(fa) };
    result
}

/// Runs `erase` with the file system of the storage partition (the fstab
/// entry on it, if the devicetree has one) unmounted.
#[cfg(CONFIG_FILE_SYSTEM_LITTLEFS)]
fn unmounted(erase: fn() -> Result<(), BasicError>) -> Result<(), BasicError> {
    // SAFETY: returns the address of a static fstab entry, or NULL.
    let mount = unsafe { raw::rust_smp_storage_fs() };
    if mount.is_null() {
        return erase();
    }
    // SAFETY: `mount` is the fstab's static mount entry.
    match unsafe { raw::fs_unmount(mount) } {
        0 => {}
        // Not mounted (its mount failed at boot): nothing to undo.
        rc if rc == -(raw::EINVAL as i32) => return erase(),
        rc => {
            crate::log_error!("erase: cannot unmount the storage file system (%ld)", rc);
            return Err(BasicError::Unknown);
        }
    }
    let result = erase();
    // SAFETY: `mount` is the fstab's static mount entry, now unmounted.
    let rc = unsafe { raw::fs_mount(mount) };
    if rc < 0 {
        crate::log_error!(
            "erase: cannot mount the storage file system again (%ld)",
            rc
        );
        result?;
        return Err(BasicError::Unknown);
    }
    result
}

#[cfg(not(CONFIG_FILE_SYSTEM_LITTLEFS))]
fn unmounted(erase: fn() -> Result<(), BasicError>) -> Result<(), BasicError> {
    erase()
}

impl BasicPlatform for ZephyrStorage {
    fn erase_storage(&mut self) -> Result<(), BasicError> {
        unmounted(erase)?;
        crate::log_info!("storage partition erased");
        Ok(())
    }
}
