//! Memfault device information.

use crate::groups::memfault::{DeviceInfo, MemfaultPlatform};
use crate::request::Transport;

pub struct FakeMemfault {
    pub allow: bool,
    pub key: Option<&'static str>,
    pub info: DeviceInfo<'static>,
    pub asked_on: Option<Transport>,
}

impl Default for FakeMemfault {
    fn default() -> Self {
        FakeMemfault {
            allow: true,
            key: Some("dummy-key"),
            info: DeviceInfo {
                device_serial: Some("SN1"),
                hardware_version: Some("evt"),
                software_type: Some("app"),
                software_version: Some("1.2.3"),
            },
            asked_on: None,
        }
    }
}

impl MemfaultPlatform for FakeMemfault {
    fn access_allowed(&mut self, transport: Transport) -> bool {
        self.asked_on = Some(transport);
        self.allow
    }

    fn device_info(&self) -> DeviceInfo<'_> {
        self.info
    }

    fn project_key(&self) -> Option<&str> {
        self.key
    }
}
