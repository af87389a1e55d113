//! The MCUboot parsers: the image header, the TLV areas and the hash they
//! hold, the slot trailer and what the image group derives from trailers.

use sha2::Digest;
use smp_server::mcuboot::mem_flash::MemFlash;
use smp_server::mcuboot::{
    image_hash, max_image_size, pair_flags, read_image_info, read_trailer, set_next, sha256_of,
    swap_type, swap_type_for, BootConfig, BootMode, Flag, ImageHeader, MagicState, NextBoot,
    SetNextError, SwapType, Trailer, TrailerLayout, IMAGE_HEADER_SIZE,
};
use smp_server::sha256::Sha256;

/// The slot an image is read from: large enough for the signed fixtures.
const IMAGE_SLOT: u32 = 0x4000;
const SECTOR: u32 = 0x1000;
const WRITE_SIZE: u32 = 8;

/// A slot's contents from offset 0.
///
/// Input: the bytes of the slot (the rest erased). A header that parses
/// encodes back to the same fields; the image info read from the slot has
/// that header, ends inside the slot, and its hash span digests as the
/// `sha2` crate says; the core's SHA-256 gives `sha2`'s digest however its
/// input is cut into pieces.
pub fn mcuboot_image(data: &[u8]) {
    let header = ImageHeader::parse(data);
    if let Ok(h) = header {
        assert!(usize::from(h.hdr_size) >= IMAGE_HEADER_SIZE);
        assert_eq!(ImageHeader::parse(&h.encode()), Ok(h), "encode, parse back");
        // The last 4 bytes are padding, which encode writes as zeros.
        assert_eq!(h.encode()[..28], data[..28], "encode gives the same fields");
    }

    let mut slot = MemFlash::new(IMAGE_SLOT, SECTOR, WRITE_SIZE);
    let stored = data.len().min(IMAGE_SLOT as usize);
    slot.program(0, &data[..stored]);
    let slot_bytes = slot.data.clone();
    // A short input reads as itself followed by erased flash.
    let slot_header = ImageHeader::parse(&slot_bytes);
    match read_image_info(&mut slot) {
        Ok(info) => {
            assert_eq!(
                slot_header,
                Ok(info.header),
                "the header read from the slot"
            );
            let protected_end = info.header.protected_end().expect("sizes add up");
            // At least the unprotected area's own 4-byte header follows.
            assert!(info.total_len >= protected_end + 4);
            assert!(info.total_len <= IMAGE_SLOT, "image info past the slot");
        }
        Err(e) => {
            if let Err(header_error) = slot_header {
                assert_eq!(e, header_error, "a bad header is reported as such");
            }
        }
    }
    if let Ok(h) = slot_header {
        let end = h.protected_end().expect("a parsed header's sizes add up");
        let hash = image_hash(&mut slot, &h);
        if end <= IMAGE_SLOT {
            let expected: [u8; 32] = sha2::Sha256::digest(&slot_bytes[..end as usize]).into();
            assert_eq!(
                hash,
                Ok(expected),
                "the hash of header, body, protected TLVs"
            );
        } else {
            assert!(hash.is_err(), "a hash over bytes past the slot");
        }
    }
    assert!(
        slot.writes.is_empty() && slot.erases.is_empty(),
        "reading wrote"
    );

    // sha256_of over a span the input picks, against sha2.
    if let Some((&[a, b], _)) = data.split_first_chunk::<2>() {
        let (from, to) = (u32::from(a) * 8, u32::from(a) * 8 + u32::from(b) * 16);
        let expected: [u8; 32] =
            sha2::Sha256::digest(&slot_bytes[from as usize..to as usize]).into();
        assert_eq!(sha256_of(&mut slot, from, to), Ok(expected), "sha256_of");
    }
    let mut sha = Sha256::new();
    let mut rest = data;
    let mut cuts = data.iter().cycle();
    while !rest.is_empty() {
        let n = cuts.next().map_or(1, |c| usize::from(*c) % 130 + 1);
        let (piece, tail) = rest.split_at(n.min(rest.len()));
        sha.update(piece);
        rest = tail;
    }
    let expected: [u8; 32] = sha2::Sha256::digest(data).into();
    assert_eq!(sha.finalize(), expected, "the core's SHA-256 in pieces");
}

/// `BOOT_MAX_ALIGN` values, valid (8, 16, 32) and not (the layout clamps).
const MAX_ALIGNS: [u32; 6] = [8, 16, 32, 1, 4, 64];
/// Slot sizes, down to barely more than a trailer.
const TRAILER_SLOTS: [u32; 4] = [0x1000, 0x10000, 0x400, 0x200];
const TRAILER_SECTOR: u32 = 0x200;

const MODES: [BootMode; 10] = [
    BootMode::SwapUsingMove,
    BootMode::SingleSlot,
    BootMode::SwapUsingScratch,
    BootMode::OverwriteOnly,
    BootMode::DirectXip,
    BootMode::DirectXipWithRevert,
    BootMode::RamLoad,
    BootMode::FirmwareLoader,
    BootMode::SingleSlotRamLoad,
    BootMode::SwapUsingOffset,
];

/// The trailers of a slot pair, and scheduling an image the way image state
/// does.
///
/// Input: a byte selecting `BOOT_MAX_ALIGN`, one selecting the slot size,
/// one of `set_next` arguments (bit 0 active, bit 1 confirm, bits 4–7 the
/// image number), then the ends of the primary and the secondary slot (each
/// half of the rest, placed at the end of its slot). Reading trailers never
/// fails inside the slot; every mode's swap type, next boot and flags agree;
/// `set_next` writes only trailer fields, nothing when it refuses, and
/// leaves the secondary scheduled as asked.
pub fn mcuboot_trailer(data: &[u8]) {
    let Some((&[align_selector, size_selector, args], rest)) = data.split_first_chunk::<3>() else {
        return;
    };
    let max_align = MAX_ALIGNS[usize::from(align_selector) % MAX_ALIGNS.len()];
    let slot_size = TRAILER_SLOTS[usize::from(size_selector) % TRAILER_SLOTS.len()];
    let (active, confirm, image_num) = (args & 1 != 0, args & 2 != 0, args >> 4);
    let layout = TrailerLayout::new(slot_size, max_align);
    // A write unit that divides every trailer write of this layout.
    let write_size = layout.max_align().min(WRITE_SIZE);

    let (primary_end, secondary_end) = rest.split_at(rest.len() / 2);
    let slot_with_end = |end: &[u8]| {
        let mut slot = MemFlash::new(slot_size, TRAILER_SECTOR, write_size);
        let end = &end[end.len().saturating_sub(slot_size as usize)..];
        slot.program(slot_size - end.len() as u32, end);
        slot
    };
    let mut primary = slot_with_end(primary_end);
    let mut secondary = slot_with_end(secondary_end);
    let primary_trailer = read_trailer(&mut primary, &layout).expect("the trailer is in the slot");
    let secondary_trailer =
        read_trailer(&mut secondary, &layout).expect("the trailer is in the slot");

    for mode in MODES {
        let swap = swap_type_for(mode, &primary_trailer, &secondary_trailer);
        let next = NextBoot::from_swap_type(swap);
        let (active_flags, other_flags) = pair_flags(next);
        assert!(active_flags.active && !other_flags.active, "one slot runs");
        assert!(
            !other_flags.pending || next.other_slot,
            "pending, but the other slot does not boot next"
        );
        assert!(
            !(active_flags.confirmed && other_flags.confirmed),
            "both slots confirmed"
        );
        let config = BootConfig {
            mode,
            max_align,
            downgrade_prevention: false,
        };
        let max = max_image_size(&config, slot_size, TRAILER_SECTOR, write_size);
        assert!(
            max <= layout.swap_info_off(),
            "{mode:?}: an image of {max:#x} bytes reaches the trailer"
        );
    }

    let before = secondary.data.clone();
    let result = set_next(&mut secondary, &layout, active, confirm, image_num);
    let trailer_start = layout.swap_size_off();
    for &(offset, len) in &secondary.writes {
        assert!(
            offset >= trailer_start && offset + len <= slot_size,
            "set_next wrote {len} bytes at {offset:#x}, outside the trailer"
        );
    }
    assert!(secondary.erases.is_empty(), "set_next erased");
    match result {
        Ok(()) => {
            let after = read_trailer(&mut secondary, &layout).expect("the trailer is in the slot");
            scheduled_as_asked(&secondary_trailer, &after, active, confirm);
        }
        Err(SetNextError::BadImage | SetNextError::BadVector) => {
            assert_eq!(
                secondary_trailer.magic,
                MagicState::Bad,
                "refused a good magic"
            );
            assert!(secondary.data == before, "a refused set_next wrote");
        }
        // A field that was not erased where MCUboot writes one.
        Err(SetNextError::Flash(_)) => {}
    }
}

/// The trailer after a successful `set_next`, from the one before.
fn scheduled_as_asked(before: &Trailer, after: &Trailer, active: bool, confirm: bool) {
    let confirm = confirm || active;
    match (before.magic, active) {
        (MagicState::Unset, false) => {
            assert_eq!(after.magic, MagicState::Good, "scheduled: magic written");
            if before.image_ok == Flag::Unset {
                let expected = if confirm {
                    SwapType::Perm
                } else {
                    SwapType::Test
                };
                assert_eq!(
                    swap_type(&Trailer::ERASED, after),
                    expected,
                    "swap scheduled"
                );
            }
        }
        (MagicState::Good, true) if before.image_ok == Flag::Unset => {
            assert_eq!(after.image_ok, Flag::Set, "confirmed: image_ok written");
        }
        _ => assert_eq!(after, before, "nothing to write"),
    }
}
