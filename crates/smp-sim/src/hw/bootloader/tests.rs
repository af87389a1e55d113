//! The emulated MCUboot on the virtual device's flash layout: test, permanent
//! and revert swaps, refused images, and a power cut at every flash
//! operation of every swap.

use sha2::{Digest, Sha256};
use smp_server::flash::{FlashArea, NorFlashArea};
use smp_server::mcuboot::{
    self, Flag, ImageError, ImageHeader, ImageVersion, MagicState, SwapType, Trailer,
    TrailerLayout, TLV_INFO_MAGIC, TLV_SHA256,
};

use super::boot_key::test_keys::TestKey;
use super::boot_key::TLV_KEYHASH;
use super::*;
use crate::hw::flash::{
    Flash, FlashPartition, Partition, ERASED, SLOT0_PARTITION, SLOT1_PARTITION,
};

/// The virtual device's flash, in memory.
struct Device {
    flash: Flash,
    primary: NorFlashArea<FlashPartition>,
    secondary: NorFlashArea<FlashPartition>,
    key: Option<BootKey>,
}

impl Device {
    /// A device whose slots are `primary` and `secondary` instead of the
    /// board's.
    fn with_partitions(primary: Partition, secondary: Partition) -> Self {
        let flash = Flash::in_memory();
        Device {
            primary: NorFlashArea(flash.partition(primary)),
            secondary: NorFlashArea(flash.partition(secondary)),
            flash,
            key: None,
        }
    }

    fn new() -> Self {
        let flash = Flash::in_memory();
        Device {
            primary: NorFlashArea(flash.partition(SLOT0_PARTITION)),
            secondary: NorFlashArea(flash.partition(SLOT1_PARTITION)),
            flash,
            key: None,
        }
    }

    /// A device that booted once: its own image in slot 0.
    fn booted() -> Self {
        let mut dev = Device::new();
        dev.boot().expect("first boot");
        dev
    }

    fn with_key(mut self, key: &TestKey) -> Self {
        self.key = Some(BootKey::from_pem(key.public_pem().as_bytes()).unwrap());
        self
    }

    fn boot(&mut self) -> Result<BootReport, FlashError> {
        let mut slots = Slots {
            primary: &mut self.primary,
            secondary: &mut self.secondary,
        };
        boot(&mut slots, self.key.as_ref())
    }

    /// Writes `image` to slot 1 as an upload does.
    fn upload(&mut self, image: &[u8]) {
        let area = &mut self.secondary;
        let len = (image.len() as u32).div_ceil(area.erase_size()) * area.erase_size();
        area.erase(0, len).unwrap();
        let mut padded = image.to_vec();
        padded.resize(image.len().div_ceil(4) * 4, ERASED);
        area.write(0, &padded).unwrap();
    }

    /// Image state write of slot 1: test (`permanent` false) or confirm.
    fn mark_secondary(&mut self, permanent: bool) {
        let layout = layout(&self.secondary);
        mcuboot::set_next(&mut self.secondary, &layout, false, permanent, 0).unwrap();
    }

    /// Image state write confirming the running image.
    fn confirm_primary(&mut self) {
        let layout = layout(&self.primary);
        mcuboot::set_next(&mut self.primary, &layout, true, true, 0).unwrap();
    }

    /// The SHA-256 TLV of a slot's image, if it holds a valid one.
    fn hash(&mut self, slot: u8) -> Option<[u8; 32]> {
        let area: &mut dyn FlashArea = match slot {
            0 => &mut self.primary,
            _ => &mut self.secondary,
        };
        match validate::validate(area, u32::MAX, None, None).unwrap() {
            Verdict::Valid(info) => Some(info.hash),
            _ => None,
        }
    }

    fn trailers(&mut self) -> (Trailer, Trailer) {
        let pl = layout(&self.primary);
        let sl = layout(&self.secondary);
        (
            mcuboot::read_trailer(&mut self.primary, &pl).unwrap(),
            mcuboot::read_trailer(&mut self.secondary, &sl).unwrap(),
        )
    }

    /// What the next boot would do, as image state derives it.
    fn next_swap(&mut self) -> SwapType {
        let (p, s) = self.trailers();
        mcuboot::swap_type(&p, &s)
    }

    fn secondary_is_erased(&mut self) -> bool {
        let mut buf = vec![0u8; self.secondary.size() as usize];
        self.secondary.read(0, &mut buf).unwrap();
        buf.iter().all(|&b| b == ERASED)
    }
}

fn layout(area: &dyn FlashArea) -> TrailerLayout {
    TrailerLayout::new(area.size(), BOOT_CONFIG.max_align)
}

/// An image as imgtool makes it: 0x200-byte header, a body of `body_len`
/// bytes derived from the version, TLVs SHA256 [, KEYHASH, signature].
fn image(version: ImageVersion, body_len: usize, signer: Option<&TestKey>) -> Vec<u8> {
    let header = ImageHeader {
        load_addr: 0,
        hdr_size: 0x200,
        protect_tlv_size: 0,
        img_size: body_len as u32,
        flags: 0,
        version,
    };
    let mut img = header.encode().to_vec();
    img.resize(0x200, 0);
    img.extend((0..body_len).map(|i| (i as u8) ^ version.major ^ (version.minor << 4)));
    let hash: [u8; 32] = Sha256::digest(&img).into();
    let mut tlvs = Vec::new();
    let mut tlv = |kind: u16, value: &[u8]| {
        tlvs.extend_from_slice(&kind.to_le_bytes());
        tlvs.extend_from_slice(&(value.len() as u16).to_le_bytes());
        tlvs.extend_from_slice(value);
    };
    tlv(TLV_SHA256, &hash);
    if let Some(signer) = signer {
        tlv(TLV_KEYHASH, &signer.key_hash());
        tlv(signer.signature_tlv(), &signer.sign(&hash));
    }
    img.extend_from_slice(&TLV_INFO_MAGIC.to_le_bytes());
    img.extend_from_slice(&(tlvs.len() as u16 + 4).to_le_bytes());
    img.extend_from_slice(&tlvs);
    img
}

fn v2() -> Vec<u8> {
    image(ImageVersion::new(2, 0, 0, 0), 9000, None)
}

fn hash_of(image: &[u8]) -> [u8; 32] {
    image[image.len() - 32..].try_into().unwrap()
}

// --- first start ---

#[test]
fn first_boot_writes_the_devices_own_image_to_slot0() {
    let mut dev = Device::new();
    let report = dev.boot().unwrap();
    assert_eq!(report.installed_own_image, Some(Verdict::Absent));
    assert_eq!(dev.hash(0), Some(factory::hash()));
}

#[test]
fn own_image_runs_confirmed_with_no_trailer() {
    let mut dev = Device::booted();
    let (primary, _) = dev.trailers();
    assert_eq!(primary, Trailer::ERASED);
    assert_eq!(dev.next_swap(), SwapType::None);
}

#[test]
fn own_image_carries_the_crate_version() {
    let image = factory::image();
    let header = ImageHeader::parse(&image).unwrap();
    assert_eq!(header.version, factory::VERSION);
    assert_eq!(
        format!(
            "{}.{}.{}",
            header.version.major, header.version.minor, header.version.revision
        ),
        env!("CARGO_PKG_VERSION")
    );
    assert!(header.bootable());
}

#[test]
fn a_boot_with_nothing_to_do_changes_nothing() {
    let mut dev = Device::booted();
    let before = dev.flash.snapshot();
    let report = dev.boot().unwrap();
    assert_eq!(report, BootReport::default());
    assert!(dev.flash.snapshot() == before);
}

#[test]
fn a_damaged_primary_image_is_replaced_by_the_devices_own() {
    let mut dev = Device::booted();
    // Flip a body byte (as a programmer could): the hash no longer matches.
    let mut snapshot = dev.flash.snapshot();
    snapshot[(SLOT0_PARTITION.offset + 0x300) as usize] ^= 0xFF;
    dev.flash.restore(&snapshot);
    let report = dev.boot().unwrap();
    assert_eq!(
        report.installed_own_image,
        Some(Verdict::Invalid(Invalid::HashMismatch))
    );
    assert_eq!(dev.hash(0), Some(factory::hash()));
}

// --- swaps ---

#[test]
fn test_swap_runs_the_new_image_and_keeps_the_old_one_in_slot1() {
    let mut dev = Device::booted();
    let new = v2();
    dev.upload(&new);
    dev.mark_secondary(false);
    let report = dev.boot().unwrap();
    assert_eq!(report.swap, Some(SwapType::Test));
    assert!(!report.resumed);
    assert_eq!(dev.hash(0), Some(hash_of(&new)));
    assert_eq!(dev.hash(1), Some(factory::hash()));
}

#[test]
fn the_boards_slots_are_ones_swap_using_move_accepts() {
    let mut dev = Device::new();
    let slots = Slots {
        primary: &mut dev.primary,
        secondary: &mut dev.secondary,
    };
    assert!(slots.compatible());
}

/// Regression (found by the real MCUboot): the virtual device's slots were
/// 0x77000 and 0x75000 bytes (119 and 117 sectors); MCUboot's
/// `boot_slots_compatible` refuses that pair and boots slot 0 unchanged,
/// where the emulation swapped.
#[test]
fn slots_two_sectors_apart_are_never_swapped() {
    let mut dev = Device::with_partitions(
        Partition {
            label: "slot0_partition",
            offset: 0xC000,
            size: 0x77000,
        },
        Partition {
            label: "slot1_partition",
            offset: 0x83000,
            size: 0x75000,
        },
    );
    dev.boot().unwrap();
    dev.upload(&v2());
    dev.mark_secondary(false);
    let report = dev.boot().unwrap();
    assert!(report.incompatible_slots);
    assert_eq!(report.swap, None);
    assert_eq!(dev.hash(0), Some(factory::hash()));
}

#[test]
fn after_a_test_swap_the_next_boot_would_revert() {
    let mut dev = Device::booted();
    dev.upload(&v2());
    dev.mark_secondary(false);
    dev.boot().unwrap();
    let (primary, secondary) = dev.trailers();
    assert_eq!(primary.magic, MagicState::Good);
    assert_eq!(primary.copy_done, Flag::Set);
    assert_eq!(primary.image_ok, Flag::Unset);
    assert_eq!(secondary, Trailer::ERASED);
    assert_eq!(dev.next_swap(), SwapType::Revert);
}

#[test]
fn an_unconfirmed_test_image_is_reverted_at_the_next_reset() {
    let mut dev = Device::booted();
    let new = v2();
    dev.upload(&new);
    dev.mark_secondary(false);
    dev.boot().unwrap();
    let report = dev.boot().unwrap();
    assert_eq!(report.swap, Some(SwapType::Revert));
    assert_eq!(dev.hash(0), Some(factory::hash()));
    assert_eq!(dev.hash(1), Some(hash_of(&new)));
}

#[test]
fn after_a_revert_the_old_image_runs_confirmed_and_stays() {
    let mut dev = Device::booted();
    dev.upload(&v2());
    dev.mark_secondary(false);
    dev.boot().unwrap();
    dev.boot().unwrap();
    let (primary, secondary) = dev.trailers();
    assert_eq!(primary.image_ok, Flag::Set);
    assert_eq!(secondary.magic, MagicState::Unset, "slot 1 is not pending");
    assert_eq!(dev.next_swap(), SwapType::None);
    assert_eq!(dev.boot().unwrap().swap, None);
}

#[test]
fn a_confirmed_test_image_stays() {
    let mut dev = Device::booted();
    let new = v2();
    dev.upload(&new);
    dev.mark_secondary(false);
    dev.boot().unwrap();
    dev.confirm_primary();
    assert_eq!(dev.next_swap(), SwapType::None);
    let report = dev.boot().unwrap();
    assert_eq!(report.swap, None);
    assert_eq!(dev.hash(0), Some(hash_of(&new)));
}

#[test]
fn a_permanent_swap_runs_the_new_image_confirmed() {
    let mut dev = Device::booted();
    let new = v2();
    dev.upload(&new);
    dev.mark_secondary(true);
    let report = dev.boot().unwrap();
    assert_eq!(report.swap, Some(SwapType::Perm));
    assert_eq!(dev.hash(0), Some(hash_of(&new)));
    assert_eq!(dev.hash(1), Some(factory::hash()));
    let (primary, _) = dev.trailers();
    assert_eq!(primary.image_ok, Flag::Set);
    assert_eq!(dev.next_swap(), SwapType::None);
}

#[test]
fn a_permanent_image_survives_further_resets() {
    let mut dev = Device::booted();
    let new = v2();
    dev.upload(&new);
    dev.mark_secondary(true);
    dev.boot().unwrap();
    assert_eq!(dev.boot().unwrap(), BootReport::default());
    assert_eq!(dev.hash(0), Some(hash_of(&new)));
}

#[test]
fn a_smaller_new_image_swaps_with_a_larger_old_one() {
    let mut dev = Device::booted();
    let big = image(ImageVersion::new(3, 0, 0, 0), 20_000, None);
    dev.upload(&big);
    dev.mark_secondary(true);
    dev.boot().unwrap();
    let small = image(ImageVersion::new(4, 0, 0, 0), 100, None);
    dev.upload(&small);
    dev.mark_secondary(false);
    assert_eq!(dev.boot().unwrap().swap, Some(SwapType::Test));
    assert_eq!(dev.hash(0), Some(hash_of(&small)));
    assert_eq!(dev.hash(1), Some(hash_of(&big)));
    assert_eq!(dev.boot().unwrap().swap, Some(SwapType::Revert));
    assert_eq!(dev.hash(0), Some(hash_of(&big)));
}

#[test]
fn the_largest_image_a_swap_allows_swaps() {
    let mut dev = Device::booted();
    let max = {
        let slots = Slots {
            primary: &mut dev.primary,
            secondary: &mut dev.secondary,
        };
        slots.max_image_size()
    };
    // nrf52840dk: slot1 is 117 sectors, one of them for the trailer.
    assert_eq!(max, 116 * 4096);
    let tlv_len = 4 + 4 + 32;
    let new = image(
        ImageVersion::new(2, 0, 0, 0),
        max as usize - 0x200 - tlv_len,
        None,
    );
    assert_eq!(new.len() as u32, max);
    dev.upload(&new);
    dev.mark_secondary(false);
    assert_eq!(dev.boot().unwrap().swap, Some(SwapType::Test));
    assert_eq!(dev.hash(0), Some(hash_of(&new)));
    assert_eq!(dev.boot().unwrap().swap, Some(SwapType::Revert));
    assert_eq!(dev.hash(0), Some(factory::hash()));
    assert_eq!(dev.hash(1), Some(hash_of(&new)));
}

// --- refused images ---

fn assert_refused(dev: &mut Device, report: BootReport, why: Invalid) {
    assert_eq!(report.refused, Some(why));
    assert_eq!(report.swap, None);
    assert_eq!(dev.hash(0), Some(factory::hash()), "the old image runs");
    assert!(dev.secondary_is_erased(), "the bad image is erased");
    assert_eq!(dev.next_swap(), SwapType::None);
}

#[test]
fn an_image_whose_hash_does_not_match_is_refused_and_erased() {
    let mut dev = Device::booted();
    let mut bad = v2();
    bad[0x300] ^= 1;
    dev.upload(&bad);
    dev.mark_secondary(false);
    let report = dev.boot().unwrap();
    assert_refused(&mut dev, report, Invalid::HashMismatch);
}

#[test]
fn an_image_with_a_bad_header_magic_is_refused_and_erased() {
    let mut dev = Device::booted();
    let mut bad = v2();
    bad[0] = 0;
    dev.upload(&bad);
    dev.mark_secondary(true);
    let report = dev.boot().unwrap();
    assert_refused(&mut dev, report, Invalid::Format(ImageError::BadMagic));
}

#[test]
fn an_image_without_tlvs_is_refused_and_erased() {
    let mut dev = Device::booted();
    let mut bad = v2();
    let len = bad.len();
    bad.truncate(len - 40);
    dev.upload(&bad);
    dev.mark_secondary(false);
    let report = dev.boot().unwrap();
    assert_refused(&mut dev, report, Invalid::Format(ImageError::NoTlvs));
}

#[test]
fn an_image_too_large_to_swap_is_refused_and_erased() {
    let mut dev = Device::booted();
    let new = image(ImageVersion::new(2, 0, 0, 0), 116 * 4096, None);
    dev.upload(&new);
    dev.mark_secondary(false);
    let report = dev.boot().unwrap();
    assert_refused(
        &mut dev,
        report,
        Invalid::TooLarge {
            size: new.len() as u32,
            max: 116 * 4096,
        },
    );
}

#[test]
fn an_image_whose_header_points_outside_the_slot_is_refused_and_erased() {
    let mut dev = Device::booted();
    let mut bad = v2();
    bad[12..16].copy_from_slice(&0x7FFF_0000u32.to_le_bytes());
    dev.upload(&bad);
    dev.mark_secondary(false);
    let report = dev.boot().unwrap();
    assert_refused(&mut dev, report, Invalid::OutsideSlot);
}

#[test]
fn a_primary_image_pointing_outside_the_slot_is_replaced() {
    let mut dev = Device::booted();
    let mut snapshot = dev.flash.snapshot();
    let img_size = (SLOT0_PARTITION.offset + 12) as usize;
    // As a programmer would: an image size far beyond the slot.
    snapshot[img_size..img_size + 4].copy_from_slice(&0x7FFF_0000u32.to_le_bytes());
    dev.flash.restore(&snapshot);
    let report = dev.boot().unwrap();
    assert_eq!(
        report.installed_own_image,
        Some(Verdict::Invalid(Invalid::OutsideSlot))
    );
    assert_eq!(dev.hash(0), Some(factory::hash()));
}

#[test]
fn a_journal_with_an_impossible_swap_size_is_dropped() {
    let mut dev = Device::booted();
    let new = v2();
    dev.upload(&new);
    dev.mark_secondary(false);
    // Cut the swap after its first recorded step, then damage the swap size.
    let ops = {
        let mut probe = Device::new();
        probe.flash.restore(&dev.flash.snapshot());
        probe.boot().unwrap();
        probe.flash.ops()
    };
    assert!(ops > 12);
    dev.flash.cut_power_after(12, false);
    assert!(dev.boot().is_err());
    dev.flash.restore_power();
    let layout = layout(&dev.primary);
    let mut snapshot = dev.flash.snapshot();
    let off = (SLOT0_PARTITION.offset + layout.swap_size_off()) as usize;
    snapshot[off..off + 4].copy_from_slice(&0x0FFF_FFFFu32.to_le_bytes());
    dev.flash.restore(&snapshot);
    let report = dev.boot().unwrap();
    assert_eq!(report.swap, None);
    assert!(dev.hash(0).is_some(), "slot 0 holds a valid image");
    assert_eq!(dev.boot().unwrap().swap, None, "the journal is gone");
}

#[test]
fn a_trailer_without_an_image_is_dropped() {
    let mut dev = Device::booted();
    dev.mark_secondary(false);
    let report = dev.boot().unwrap();
    assert_eq!(report, BootReport::default());
    assert_eq!(dev.trailers().1, Trailer::ERASED);
    assert_eq!(dev.hash(0), Some(factory::hash()));
}

#[test]
fn a_revert_whose_old_image_was_erased_keeps_the_running_image() {
    let mut dev = Device::booted();
    let new = v2();
    dev.upload(&new);
    dev.mark_secondary(false);
    dev.boot().unwrap();
    let size = dev.secondary.size();
    dev.secondary.erase(0, size).unwrap();
    let report = dev.boot().unwrap();
    assert_eq!(report.swap, None);
    assert_eq!(dev.hash(0), Some(hash_of(&new)));
    assert_eq!(dev.trailers().0, Trailer::ERASED, "runs as confirmed");
}

// --- signatures ---

#[test]
fn with_a_key_an_image_signed_by_it_swaps() {
    for signer in [TestKey::p256(11), TestKey::ed25519(11)] {
        let mut dev = Device::new().with_key(&signer);
        dev.boot().unwrap();
        let new = image(ImageVersion::new(2, 0, 0, 0), 5000, Some(&signer));
        dev.upload(&new);
        dev.mark_secondary(false);
        assert_eq!(dev.boot().unwrap().swap, Some(SwapType::Test));
        assert_eq!(dev.hash(0), Some(hash_of_signed(&new)));
    }
}

fn hash_of_signed(image: &[u8]) -> [u8; 32] {
    let header = ImageHeader::parse(image).unwrap();
    let off = header.tlv_off().unwrap() as usize + 8;
    image[off..off + 32].try_into().unwrap()
}

#[test]
fn with_a_key_an_unsigned_image_is_refused() {
    let mut dev = Device::new().with_key(&TestKey::p256(11));
    dev.boot().unwrap();
    dev.upload(&v2());
    dev.mark_secondary(false);
    let report = dev.boot().unwrap();
    assert_refused(&mut dev, report, Invalid::NoValidSignature);
}

#[test]
fn with_a_key_an_image_signed_by_another_key_is_refused() {
    for (key, other) in [
        (TestKey::p256(11), TestKey::p256(12)),
        (TestKey::ed25519(11), TestKey::ed25519(12)),
        (TestKey::p256(11), TestKey::ed25519(11)),
    ] {
        let mut dev = Device::new().with_key(&key);
        dev.boot().unwrap();
        dev.upload(&image(ImageVersion::new(2, 0, 0, 0), 5000, Some(&other)));
        dev.mark_secondary(true);
        let report = dev.boot().unwrap();
        assert_refused(&mut dev, report, Invalid::NoValidSignature);
    }
}

#[test]
fn with_a_key_a_signature_over_other_contents_is_refused() {
    let signer = TestKey::ed25519(11);
    let mut dev = Device::new().with_key(&signer);
    dev.boot().unwrap();
    let mut new = image(ImageVersion::new(2, 0, 0, 0), 5000, Some(&signer));
    // Change the body and fix the SHA-256 TLV: only the signature is wrong.
    new[0x300] ^= 1;
    let hash: [u8; 32] = Sha256::digest(&new[..0x200 + 5000]).into();
    let off = 0x200 + 5000 + 8;
    new[off..off + 32].copy_from_slice(&hash);
    dev.upload(&new);
    dev.mark_secondary(false);
    let report = dev.boot().unwrap();
    assert_refused(&mut dev, report, Invalid::NoValidSignature);
}

#[test]
fn with_a_key_the_devices_own_image_boots_unsigned() {
    let mut dev = Device::new().with_key(&TestKey::p256(11));
    dev.boot().unwrap();
    assert_eq!(dev.boot().unwrap(), BootReport::default());
    assert_eq!(dev.hash(0), Some(factory::hash()));
}

#[test]
fn with_a_key_an_unconfirmed_test_reverts_to_the_devices_own_image() {
    let signer = TestKey::p256(11);
    let mut dev = Device::new().with_key(&signer);
    dev.boot().unwrap();
    let new = image(ImageVersion::new(2, 0, 0, 0), 5000, Some(&signer));
    dev.upload(&new);
    dev.mark_secondary(false);
    assert_eq!(dev.boot().unwrap().swap, Some(SwapType::Test));
    assert_eq!(dev.hash(1), Some(factory::hash()));
    assert_eq!(dev.boot().unwrap().swap, Some(SwapType::Revert));
    assert_eq!(dev.hash(0), Some(factory::hash()));
}

#[test]
fn with_a_new_key_an_unsigned_running_image_is_replaced() {
    let mut dev = Device::booted();
    let new = v2();
    dev.upload(&new);
    dev.mark_secondary(true);
    dev.boot().unwrap();
    let mut dev = dev.with_key(&TestKey::p256(11));
    let report = dev.boot().unwrap();
    assert_eq!(
        report.installed_own_image,
        Some(Verdict::Invalid(Invalid::NoValidSignature))
    );
    assert_eq!(dev.hash(0), Some(factory::hash()));
}

// --- power cuts ---

/// Where a scenario starts and what must hold once it is over.
struct Scenario {
    start: Vec<u8>,
    slot0: [u8; 32],
    slot1: [u8; 32],
    next: SwapType,
    primary_image_ok: Flag,
}

fn test_scenario() -> Scenario {
    let mut dev = Device::booted();
    let new = v2();
    dev.upload(&new);
    dev.mark_secondary(false);
    Scenario {
        start: dev.flash.snapshot(),
        slot0: hash_of(&new),
        slot1: factory::hash(),
        next: SwapType::Revert,
        primary_image_ok: Flag::Unset,
    }
}

fn perm_scenario() -> Scenario {
    let mut dev = Device::booted();
    let new = v2();
    dev.upload(&new);
    dev.mark_secondary(true);
    Scenario {
        start: dev.flash.snapshot(),
        slot0: hash_of(&new),
        slot1: factory::hash(),
        next: SwapType::None,
        primary_image_ok: Flag::Set,
    }
}

fn revert_scenario() -> Scenario {
    let mut dev = Device::booted();
    let new = v2();
    dev.upload(&new);
    dev.mark_secondary(false);
    dev.boot().unwrap();
    Scenario {
        start: dev.flash.snapshot(),
        slot0: factory::hash(),
        slot1: hash_of(&new),
        next: SwapType::None,
        primary_image_ok: Flag::Set,
    }
}

impl Scenario {
    fn device(&self) -> Device {
        let dev = Device::new();
        dev.flash.restore(&self.start);
        dev
    }

    /// The flash operations of an uninterrupted boot.
    fn ops(&self) -> u64 {
        let mut dev = self.device();
        let before = dev.flash.ops();
        dev.boot().unwrap();
        dev.flash.ops() - before
    }

    fn check(&self, dev: &mut Device, what: &str) {
        assert_eq!(dev.hash(0), Some(self.slot0), "slot 0 after {what}");
        assert_eq!(dev.hash(1), Some(self.slot1), "slot 1 after {what}");
        assert_eq!(dev.next_swap(), self.next, "next swap after {what}");
        assert_eq!(
            dev.trailers().0.image_ok,
            self.primary_image_ok,
            "primary image_ok after {what}"
        );
    }

    /// The flash after an uninterrupted boot.
    fn done(&self) -> Vec<u8> {
        let mut dev = self.device();
        dev.boot().unwrap();
        dev.flash.snapshot()
    }

    /// Cuts the power at every flash operation of the boot (the cut one not
    /// done, or half done with `torn`), boots again, and checks the result.
    fn cut_everywhere(&self, torn: bool) {
        let total = self.ops();
        assert!(total > 20, "a swap takes many steps ({total})");
        let done = self.done();
        for n in 0..total {
            let mut dev = self.device();
            dev.flash.cut_power_after(n, torn);
            assert!(dev.boot().is_err(), "cut after {n} operations");
            dev.flash.restore_power();
            if dev.flash.snapshot() == done {
                // Half of the last write was all of it that mattered (a flag
                // byte): the boot is complete, the next one is a new boot.
                assert!(torn && n + 1 == total, "cut after {n} left the work done");
                continue;
            }
            let what = format!("a cut after {n} of {total} operations (torn: {torn})");
            let report = dev
                .boot()
                .unwrap_or_else(|e| panic!("boot after {what}: {e:?}"));
            assert_eq!(report.installed_own_image, None, "{what}");
            self.check(&mut dev, &what);
        }
    }

    /// Cuts the power twice: during the boot, then during the recovery boot.
    fn cut_twice_everywhere(&self, torn: bool) {
        let total = self.ops();
        let done = self.done();
        for first in 0..total {
            let mut dev = self.device();
            dev.flash.cut_power_after(first, torn);
            assert!(dev.boot().is_err());
            dev.flash.restore_power();
            let after_first = dev.flash.snapshot();
            if after_first == done {
                continue;
            }
            let recovery = {
                let before = dev.flash.ops();
                dev.boot().unwrap();
                dev.flash.ops() - before
            };
            let recovered = dev.flash.snapshot();
            for second in 0..recovery {
                dev.flash.restore(&after_first);
                dev.flash.cut_power_after(second, torn);
                assert!(dev.boot().is_err());
                dev.flash.restore_power();
                let snapshot = dev.flash.snapshot();
                if snapshot == done || snapshot == recovered {
                    continue;
                }
                let what = format!("cuts after {first} and {second} operations (torn: {torn})");
                dev.boot()
                    .unwrap_or_else(|e| panic!("boot after {what}: {e:?}"));
                self.check(&mut dev, &what);
            }
        }
    }
}

#[test]
fn the_unbroken_scenarios_end_as_expected() {
    for scenario in [test_scenario(), perm_scenario(), revert_scenario()] {
        let mut dev = scenario.device();
        dev.boot().unwrap();
        scenario.check(&mut dev, "an unbroken boot");
    }
}

#[test]
fn a_test_swap_cut_at_any_operation_completes_at_the_next_boot() {
    test_scenario().cut_everywhere(false);
}

#[test]
fn a_test_swap_cut_mid_operation_completes_at_the_next_boot() {
    test_scenario().cut_everywhere(true);
}

#[test]
fn a_permanent_swap_cut_at_any_operation_completes_at_the_next_boot() {
    perm_scenario().cut_everywhere(false);
}

#[test]
fn a_permanent_swap_cut_mid_operation_completes_at_the_next_boot() {
    perm_scenario().cut_everywhere(true);
}

#[test]
fn a_revert_cut_at_any_operation_completes_at_the_next_boot() {
    revert_scenario().cut_everywhere(false);
}

#[test]
fn a_revert_cut_mid_operation_completes_at_the_next_boot() {
    revert_scenario().cut_everywhere(true);
}

#[test]
fn a_test_swap_cut_twice_completes() {
    test_scenario().cut_twice_everywhere(false);
}

#[test]
fn a_test_swap_cut_twice_mid_operation_completes() {
    test_scenario().cut_twice_everywhere(true);
}

#[test]
fn a_permanent_swap_cut_twice_mid_operation_completes() {
    perm_scenario().cut_twice_everywhere(true);
}

#[test]
fn a_revert_cut_twice_completes() {
    revert_scenario().cut_twice_everywhere(false);
}

#[test]
fn a_revert_cut_twice_mid_operation_completes() {
    revert_scenario().cut_twice_everywhere(true);
}

#[test]
fn a_first_boot_cut_at_any_operation_still_ends_with_the_own_image() {
    let total = {
        let mut dev = Device::new();
        dev.boot().unwrap();
        dev.flash.ops()
    };
    for torn in [false, true] {
        for n in 0..total {
            let mut dev = Device::new();
            dev.flash.cut_power_after(n, torn);
            assert!(dev.boot().is_err());
            dev.flash.restore_power();
            dev.boot().unwrap();
            assert_eq!(dev.hash(0), Some(factory::hash()), "cut after {n}");
            assert_eq!(dev.next_swap(), SwapType::None);
        }
    }
}

#[test]
fn refusing_a_bad_image_cut_at_any_operation_still_refuses_it() {
    let mut dev = Device::booted();
    let mut bad = v2();
    bad[0x300] ^= 1;
    dev.upload(&bad);
    dev.mark_secondary(false);
    let start = dev.flash.snapshot();
    let total = {
        let before = dev.flash.ops();
        dev.boot().unwrap();
        dev.flash.ops() - before
    };
    for torn in [false, true] {
        for n in 0..total {
            let mut dev = Device::new();
            dev.flash.restore(&start);
            dev.flash.cut_power_after(n, torn);
            assert!(dev.boot().is_err());
            dev.flash.restore_power();
            dev.boot().unwrap();
            assert_eq!(dev.hash(0), Some(factory::hash()), "cut after {n}");
            assert_eq!(dev.hash(1), None);
            assert_eq!(dev.next_swap(), SwapType::None);
        }
    }
}

// --- images signed by imgtool (the core's fixtures) ---

const IMGTOOL_KEY: &[u8] =
    include_bytes!("../../../../smp-server/tests/fixtures/test-key-ecdsa-p256.pem");

fn imgtool_device() -> Device {
    let mut dev = Device::new();
    dev.key = Some(BootKey::from_pem(IMGTOOL_KEY).unwrap());
    dev.boot().unwrap();
    dev
}

#[test]
fn imgtool_signed_images_swap_with_imgtool_key() {
    for image in [
        &include_bytes!("../../../../smp-server/tests/fixtures/app-1.2.3.bin")[..],
        &include_bytes!("../../../../smp-server/tests/fixtures/app-1.2.4+5.bin")[..],
        &include_bytes!("../../../../smp-server/tests/fixtures/app-1.3.0.bin")[..],
    ] {
        let mut dev = imgtool_device();
        dev.upload(image);
        let expected = dev.hash(1);
        assert!(expected.is_some());
        dev.mark_secondary(false);
        assert_eq!(dev.boot().unwrap().swap, Some(SwapType::Test));
        assert_eq!(dev.hash(0), expected);
    }
}

#[test]
fn imgtool_signed_images_are_refused_with_another_key() {
    let mut dev = Device::new().with_key(&TestKey::p256(11));
    dev.boot().unwrap();
    dev.upload(include_bytes!(
        "../../../../smp-server/tests/fixtures/app-1.2.4+5.bin"
    ));
    dev.mark_secondary(false);
    let report = dev.boot().unwrap();
    assert_refused(&mut dev, report, Invalid::NoValidSignature);
}
