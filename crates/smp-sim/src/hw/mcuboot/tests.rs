//! The real MCUboot on the virtual device's flash, in memory: what it
//! reports of a boot.

use sha2::{Digest, Sha256};
use smp_server::flash::{FlashArea, FlashError, NorFlashArea};
use smp_server::mcuboot::{self, BootMode, ImageVersion, SwapType, TrailerLayout};

use super::*;
use crate::hw::bootloader;
use crate::hw::flash::{Flash, FlashPartition, ERASED};

struct Device {
    flash: Flash,
    primary: NorFlashArea<FlashPartition>,
    secondary: NorFlashArea<FlashPartition>,
}

impl Device {
    fn new() -> Self {
        let flash = Flash::in_memory();
        Device {
            primary: NorFlashArea(flash.partition(SLOT0_PARTITION)),
            secondary: NorFlashArea(flash.partition(SLOT1_PARTITION)),
            flash,
        }
    }

    fn boot(&mut self) -> McubootReport {
        self.try_boot().expect("a bootable image")
    }

    fn try_boot(&mut self) -> Result<McubootReport, BootFailed> {
        let mut slots = Slots {
            primary: &mut self.primary,
            secondary: &mut self.secondary,
        };
        boot(&mut slots)
    }

    /// A boot with the emulated MCUboot.
    fn boot_emulated(&mut self) -> Result<(), FlashError> {
        let mut slots = Slots {
            primary: &mut self.primary,
            secondary: &mut self.secondary,
        };
        bootloader::boot(&mut slots, None).map(drop)
    }

    /// Flash operations of one boot with the real or the emulated MCUboot.
    fn ops_of(&mut self, real: bool) -> u64 {
        let before = self.flash.ops();
        if real {
            self.boot();
        } else {
            self.boot_emulated().unwrap();
        }
        self.flash.ops() - before
    }

    /// Writes `image` to slot 1 and marks it for test.
    /// Writes `image` to slot 1 where the build's mode expects an update
    /// (one sector in with swap using offset) and marks it for test.
    fn upload_for_test(&mut self, image: &[u8]) {
        let area = &mut self.secondary;
        area.erase(0, area.size()).unwrap();
        let mut padded = image.to_vec();
        padded.resize(image.len().div_ceil(4) * 4, ERASED);
        let at = match BOOT_CONFIG.mode {
            BootMode::SwapUsingOffset => area.erase_size(),
            _ => 0,
        };
        area.write(at, &padded).unwrap();
        let layout = TrailerLayout::new(area.size(), 8);
        mcuboot::set_next(area, &layout, false, false, 0).unwrap();
    }
}

/// An unsigned image of `version`: 0x200-byte header, body, SHA-256 TLV.
fn image(version: [u8; 2]) -> Vec<u8> {
    let body_len = 20_000u32;
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
#[cfg_attr(
    mcuboot_mode = "overwrite-only",
    ignore = "overwrite-only never reverts"
)]
fn the_next_boot_reverts_an_unconfirmed_test() {
    let mut dev = Device::new();
    dev.boot();
    dev.upload_for_test(&image([2, 5]));
    dev.boot();
    let report = dev.boot();
    assert_eq!(report.choice.swap, SwapType::Revert);
    assert_eq!(report.choice.version, factory::VERSION);
}

#[test]
#[cfg_attr(not(mcuboot_mode = "overwrite-only"), ignore = "swap modes revert")]
fn overwrite_only_keeps_an_unconfirmed_test_image() {
    let mut dev = Device::new();
    dev.boot();
    dev.upload_for_test(&image([2, 5]));
    dev.boot();
    let report = dev.boot();
    assert_eq!(report.choice.swap, SwapType::None);
    assert_eq!(report.choice.version, ImageVersion::new(2, 5, 0, 0));
}

/// A power cut at every flash operation of the test upgrade (torn), then a
/// boot with the same MCUboot: it finishes the upgrade and boots the new
/// image, whatever the mode — unless the swap had finished (copy_done
/// written) before the cut: then the test image never ran to confirm
/// itself, and this boot reverts it.
#[test]
fn the_real_mcuboot_finishes_an_upgrade_cut_at_any_flash_operation() {
    let total = pending_test_swap().ops_of(true);
    assert!(total > 20, "an upgrade takes many steps ({total})");
    for n in 0..total {
        let mut dev = pending_test_swap();
        dev.flash.cut_power_after(n, true);
        assert!(dev.try_boot().is_err(), "cut after {n} of {total}");
        dev.flash.restore_power();
        let layout = TrailerLayout::new(dev.primary.size(), BOOT_CONFIG.max_align);
        let swapped = mcuboot::read_trailer(&mut dev.primary, &layout)
            .unwrap()
            .copy_done
            == mcuboot::Flag::Set;
        let report = dev.try_boot().expect("boots after the cut");
        let (version, swap) = if swapped && BOOT_CONFIG.mode != BootMode::OverwriteOnly {
            (factory::VERSION, Some(SwapType::Revert))
        } else {
            (ImageVersion::new(2, 5, 0, 0), None)
        };
        assert_eq!(report.choice.version, version, "cut after {n} of {total}");
        if swap.is_some() {
            assert_eq!(Some(report.choice.swap), swap, "cut after {n} of {total}");
        }
    }
}

/// A device with its own image in slot 0 and an image marked for test in
/// slot 1: the flash before a test swap.
fn pending_test_swap() -> Device {
    let mut dev = Device::new();
    dev.boot();
    dev.upload_for_test(&image([2, 5]));
    dev
}

#[test]
#[cfg_attr(
    not(mcuboot_mode = "swap-move"),
    ignore = "the emulation is of swap using move"
)]
fn both_bootloaders_leave_the_same_flash_after_a_test_swap() {
    let mut real = pending_test_swap();
    let mut emulated = pending_test_swap();
    real.boot();
    emulated.boot_emulated().unwrap();
    assert!(real.flash.snapshot() == emulated.flash.snapshot());
}

#[test]
fn a_power_cut_stops_the_real_boot() {
    let mut dev = pending_test_swap();
    dev.flash.cut_power_after(10, false);
    assert_eq!(dev.try_boot(), Err(BootFailed::Flash));
}

/// The flash before a revert: the test swap done, not confirmed.
fn pending_revert() -> Device {
    let mut dev = pending_test_swap();
    dev.boot();
    dev
}

/// One boot with the real (`real`) or the emulated MCUboot; `false` when
/// the power was cut.
fn boot_with(dev: &mut Device, real: bool) -> bool {
    if real {
        dev.try_boot().is_ok()
    } else {
        dev.boot_emulated().is_ok()
    }
}

/// Cuts the power at every flash operation of the swap `pending` leaves to
/// do, by one bootloader (`cut_real`), then resumes once with each: the
/// other one must leave the flash as the one that was cut does.
fn cut_one_resume_with_the_other(pending: fn() -> Device, cut_real: bool, torn: bool) {
    let total = pending().ops_of(cut_real);
    assert!(total > 20, "a swap takes many steps ({total})");
    for n in 0..total {
        let mut dev = pending();
        dev.flash.cut_power_after(n, torn);
        assert!(!boot_with(&mut dev, cut_real), "cut after {n} of {total}");
        dev.flash.restore_power();
        let cut = dev.flash.snapshot();
        assert!(boot_with(&mut dev, cut_real));
        let by_the_same = dev.flash.snapshot();
        dev.flash.restore(&cut);
        assert!(boot_with(&mut dev, !cut_real));
        assert!(
            dev.flash.snapshot() == by_the_same,
            "cut after {n} of {total} operations (cut real: {cut_real}, torn: {torn}): \
             the bootloaders resume to different flash"
        );
    }
}

#[test]
#[cfg_attr(
    not(mcuboot_mode = "swap-move"),
    ignore = "the emulation is of swap using move"
)]
fn the_real_mcuboot_resumes_a_swap_the_emulation_was_cut_in() {
    cut_one_resume_with_the_other(pending_test_swap, false, false);
}

#[test]
#[cfg_attr(
    not(mcuboot_mode = "swap-move"),
    ignore = "the emulation is of swap using move"
)]
fn the_real_mcuboot_resumes_a_swap_the_emulation_was_cut_in_mid_operation() {
    cut_one_resume_with_the_other(pending_test_swap, false, true);
}

#[test]
#[cfg_attr(
    not(mcuboot_mode = "swap-move"),
    ignore = "the emulation is of swap using move"
)]
fn the_emulation_resumes_a_swap_the_real_mcuboot_was_cut_in() {
    cut_one_resume_with_the_other(pending_test_swap, true, false);
}

#[test]
#[cfg_attr(
    not(mcuboot_mode = "swap-move"),
    ignore = "the emulation is of swap using move"
)]
fn the_emulation_resumes_a_swap_the_real_mcuboot_was_cut_in_mid_operation() {
    cut_one_resume_with_the_other(pending_test_swap, true, true);
}

#[test]
#[cfg_attr(
    not(mcuboot_mode = "swap-move"),
    ignore = "the emulation is of swap using move"
)]
fn the_real_mcuboot_resumes_a_revert_the_emulation_was_cut_in() {
    cut_one_resume_with_the_other(pending_revert, false, false);
}

#[test]
#[cfg_attr(
    not(mcuboot_mode = "swap-move"),
    ignore = "the emulation is of swap using move"
)]
fn the_emulation_resumes_a_revert_the_real_mcuboot_was_cut_in() {
    cut_one_resume_with_the_other(pending_revert, true, false);
}
