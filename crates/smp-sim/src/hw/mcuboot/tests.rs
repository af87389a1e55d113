//! The real MCUboot on the virtual device's flash, in memory: what it
//! reports of a boot.

use sha2::{Digest, Sha256};
use smp_server::flash::{FlashArea, NorFlashArea};
use smp_server::mcuboot::{self, ImageVersion, SwapType, TrailerLayout};

use super::*;
use crate::hw::flash::{Flash, FlashPartition, ERASED};

struct Device {
    _flash: Flash,
    primary: NorFlashArea<FlashPartition>,
    secondary: NorFlashArea<FlashPartition>,
}

impl Device {
    fn new() -> Self {
        let flash = Flash::in_memory();
        Device {
            primary: NorFlashArea(flash.partition(SLOT0_PARTITION)),
            secondary: NorFlashArea(flash.partition(SLOT1_PARTITION)),
            _flash: flash,
        }
    }

    fn boot(&mut self) -> McubootReport {
        let mut slots = Slots {
            primary: &mut self.primary,
            secondary: &mut self.secondary,
        };
        boot(&mut slots).expect("a bootable image")
    }

    /// Writes `image` to slot 1 and marks it for test.
    fn upload_for_test(&mut self, image: &[u8]) {
        let area = &mut self.secondary;
        area.erase(0, area.size()).unwrap();
        let mut padded = image.to_vec();
        padded.resize(image.len().div_ceil(4) * 4, ERASED);
        area.write(0, &padded).unwrap();
        let layout = TrailerLayout::new(area.size(), 8);
        mcuboot::set_next(area, &layout, false, false, 0).unwrap();
    }
}

/// An unsigned image of `version`: 0x200-byte header, body, SHA-256 TLV.
fn image(version: [u8; 2]) -> Vec<u8> {
    let body_len = 5000u32;
    let mut image = vec![0u8; 0x200];
    image[..4].copy_from_slice(&0x96f3_b83du32.to_le_bytes());
    image[8..10].copy_from_slice(&0x200u16.to_le_bytes());
    image[12..16].copy_from_slice(&body_len.to_le_bytes());
    image[20..22].copy_from_slice(&version);
    image.extend((0..body_len).map(|i| i as u8));
    let hash = Sha256::digest(&image);
    image.extend_from_slice(&0x6907u16.to_le_bytes());
    image.extend_from_slice(&40u16.to_le_bytes());
    image.extend_from_slice(&0x10u16.to_le_bytes());
    image.extend_from_slice(&32u16.to_le_bytes());
    image.extend_from_slice(&hash);
    image
}

#[test]
fn a_new_flash_gets_the_devices_own_image() {
    let report = Device::new().boot();
    assert!(report.installed_own_image);
    assert_eq!(report.choice.version, factory::VERSION);
    assert_eq!(report.choice.swap, SwapType::None);
}

#[test]
fn a_test_image_is_swapped_in_and_booted() {
    let mut dev = Device::new();
    dev.boot();
    dev.upload_for_test(&image([2, 5]));
    let report = dev.boot();
    assert_eq!(
        report.choice,
        McubootChoice {
            slot: 0,
            version: ImageVersion::new(2, 5, 0, 0),
            swap: SwapType::Test,
        }
    );
    assert!(!report.installed_own_image && !report.resumed);
}

#[test]
fn the_next_boot_reverts_an_unconfirmed_test() {
    let mut dev = Device::new();
    dev.boot();
    dev.upload_for_test(&image([2, 5]));
    dev.boot();
    let report = dev.boot();
    assert_eq!(report.choice.swap, SwapType::Revert);
    assert_eq!(report.choice.version, factory::VERSION);
}
