//! What the Memfault group and the device exchange: device information, the
//! project key, the access callback, and the group's errors.

use crate::header::GroupId;
use crate::request::Transport;

crate::group_errors! {
    /// Memfault group errors (`err.rc` with group 128).
    pub enum MemfaultError for GroupId::MEMFAULT {
        /// An error no other code describes.
        Unknown = 1 => Unknown,
        /// project key: none is configured.
        NoProjectKey = 2 => NoEnt,
    }
}

/// `memfault_platform_get_device_info()`; a missing field is sent as `""`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DeviceInfo<'a> {
    /// The device's unique id in the Memfault project.
    pub device_serial: Option<&'a str>,
    /// The hardware revision, such as the board's name.
    pub hardware_version: Option<&'a str>,
    /// Which firmware of the device this is, such as `"app"`.
    pub software_type: Option<&'a str>,
    /// Sent as `current_version`.
    pub software_version: Option<&'a str>,
}

/// What the Memfault group asks of the platform.
pub trait MemfaultPlatform {
    /// The group's access callback (`memfault_mcumgr_set_access_callback`):
    /// `false` answers every command of the group with rc 11.
    fn access_allowed(&mut self, transport: Transport) -> bool {
        let _ = transport;
        true
    }

    /// What device info (command 0) reports.
    fn device_info(&self) -> DeviceInfo<'_>;

    /// The project key; `None` or empty when none is configured.
    fn project_key(&self) -> Option<&str>;
}
