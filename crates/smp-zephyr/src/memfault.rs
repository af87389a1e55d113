//! Memfault device information (group 128): the serial number from hwinfo
//! (the chip's unique id, in hex, as the Memfault SDK's Zephyr port reports
//! it), the board as hardware version, and the Kconfig texts
//! RUST_SMP_GRP_MEMFAULT_* (the Memfault SDK's MEMFAULT_PROJECT_KEY and
//! MEMFAULT_BUILTIN_DEVICE_INFO_SOFTWARE_TYPE / _VERSION).

use smp_server::groups::memfault::{DeviceInfo, MemfaultPlatform};

use crate::config;
use crate::sys::raw;

/// Longest device id read from hwinfo (Zephyr's drivers report up to 16
/// bytes; a longer one is cut, still unique in practice).
const ID_LEN: usize = 16;

pub struct Memfault {
    /// Empty where the SoC has no hwinfo driver (native_sim): the group
    /// then reports an empty serial rather than an invented one.
    serial: [u8; 2 * ID_LEN],
    serial_len: usize,
}

impl Memfault {
    pub fn new() -> Self {
        let mut id = [0u8; ID_LEN];
        // SAFETY: `id` is valid for writes of its length.
        let n = unsafe { raw::hwinfo_get_device_id(id.as_mut_ptr(), id.len()) };
        let mut serial = [0u8; 2 * ID_LEN];
        let mut serial_len = 0;
        if n > 0 {
            for byte in &id[..(n as usize).min(ID_LEN)] {
                for nibble in [byte >> 4, byte & 0xF] {
                    serial[serial_len] = b"0123456789ABCDEF"[usize::from(nibble)];
                    serial_len += 1;
                }
            }
        } else {
            crate::log_warn!("memfault: no device id from hwinfo (%ld)", n);
        }
        Memfault { serial, serial_len }
    }

    fn serial(&self) -> &str {
        // Only ASCII hex digits were written.
        core::str::from_utf8(&self.serial[..self.serial_len]).unwrap_or("")
    }
}

impl MemfaultPlatform for Memfault {
    fn device_info(&self) -> DeviceInfo<'_> {
        DeviceInfo {
            device_serial: Some(self.serial()).filter(|s| !s.is_empty()),
            hardware_version: Some(env!("RUST_SMP_HARDWARE_PLATFORM")),
            software_type: Some(config::CONFIG_RUST_SMP_GRP_MEMFAULT_SOFTWARE_TYPE),
            software_version: Some(config::CONFIG_RUST_SMP_GRP_MEMFAULT_SOFTWARE_VERSION),
        }
    }

    fn project_key(&self) -> Option<&str> {
        Some(config::CONFIG_RUST_SMP_GRP_MEMFAULT_PROJECT_KEY).filter(|key| !key.is_empty())
    }
}
