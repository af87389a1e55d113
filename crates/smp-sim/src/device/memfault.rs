//! Memfault device information (group 128).
//!
//! The serial number is made once, at the first start with a state
//! directory, and kept in `state/device-serial`.

use std::path::Path;

use log::warn;
use smp_server::groups::memfault::{DeviceInfo, MemfaultPlatform};
use smp_server::Transport;

use super::config::DeviceConfig;
use super::state_file::{hex, write_atomically};

pub const HARDWARE_VERSION: &str = "smp-sim-virtual";
pub const SOFTWARE_TYPE: &str = "smp-sim";

pub struct Memfault {
    serial: String,
    project_key: Option<String>,
    locked: bool,
}

impl Memfault {
    pub fn boot(config: &DeviceConfig) -> Self {
        Memfault {
            serial: device_serial(&config.state_dir),
            project_key: config.memfault_project_key.clone(),
            locked: config.memfault_locked,
        }
    }
}

/// The saved serial number, or a new random one saved for next time.
fn device_serial(state_dir: &Path) -> String {
    let file = state_dir.join("device-serial");
    if let Ok(text) = std::fs::read_to_string(&file) {
        let serial = text.trim();
        if !serial.is_empty() {
            return serial.to_owned();
        }
    }
    let mut random = [0u8; 8];
    if let Err(e) = std::fs::File::open("/dev/urandom")
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut random))
    {
        warn!("memfault: no random serial number: {e}");
    }
    let serial = format!("SIM-{}", hex(&random).to_uppercase());
    if let Err(e) = write_atomically(&file, format!("{serial}\n").as_bytes()) {
        warn!("memfault: cannot save the serial number: {e}");
    }
    serial
}

impl MemfaultPlatform for Memfault {
    fn access_allowed(&mut self, _transport: Transport) -> bool {
        !self.locked
    }

    fn device_info(&self) -> DeviceInfo<'_> {
        DeviceInfo {
            device_serial: Some(&self.serial),
            hardware_version: Some(HARDWARE_VERSION),
            software_type: Some(SOFTWARE_TYPE),
            software_version: Some(env!("CARGO_PKG_VERSION")),
        }
    }

    fn project_key(&self) -> Option<&str> {
        self.project_key.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::device::testdir::TestDir;

    #[test]
    fn the_serial_number_is_kept_across_boots() {
        let dir = TestDir::new();
        let config = DeviceConfig::new(dir.path().to_owned());
        let first = Memfault::boot(&config).serial;
        assert!(first.starts_with("SIM-") && first.len() == 20, "{first}");
        assert_eq!(Memfault::boot(&config).serial, first);
    }
}
