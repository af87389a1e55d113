//! Trailer layout, reading, swap tables and `boot_set_next` writes, byte-exact
//! against protocol.md §4.4.

use super::*;
use crate::mcuboot::mem_flash::MemFlash;
use crate::testing::bytes;

const SLOT: u32 = 0x2000;

fn slot() -> MemFlash {
    MemFlash::new(SLOT, 0x1000, 8)
}

fn layout() -> TrailerLayout {
    TrailerLayout::new(SLOT, 8)
}

/// The last `n` bytes of the slot.
fn tail(f: &MemFlash, n: usize) -> &[u8] {
    &f.data[f.data.len() - n..]
}

#[test]
fn offsets_of_the_smpclient_60_example() {
    let l = TrailerLayout::new(0x6c000, 8);
    assert_eq!(l.magic_off(), 0x6bff0);
    assert_eq!(l.magic_write_off(), 0x6bff0);
    assert_eq!(l.image_ok_off(), 0x6bfe8);
    assert_eq!(l.copy_done_off(), 0x6bfe0);
    assert_eq!(l.swap_info_off(), 0x6bfd8);
    assert_eq!(l.swap_size_off(), 0x6bfd0);
}

#[test]
fn offsets_with_max_align_32() {
    let l = TrailerLayout::new(0x6c000, 32);
    assert_eq!(l.magic_off(), 0x6c000 - 16);
    assert_eq!(l.magic_write_off(), 0x6c000 - 32);
    assert_eq!(l.image_ok_off(), 0x6c000 - 64);
    assert_eq!(l.copy_done_off(), 0x6c000 - 96);
    assert_eq!(l.swap_info_off(), 0x6c000 - 128);
}

#[test]
fn magic_for_align_8_and_other_alignments() {
    assert_eq!(
        magic(8).to_vec(),
        bytes("77 c2 95 f3 60 d2 ef 7f 35 52 50 0f 2c b6 79 80")
    );
    assert_eq!(
        magic(16).to_vec(),
        bytes("10 00 2d e1 5d 29 41 0b 8d 77 67 9c 11 0f 1f 8a")
    );
    assert_eq!(
        magic(32).to_vec(),
        bytes("20 00 2d e1 5d 29 41 0b 8d 77 67 9c 11 0f 1f 8a")
    );
}

#[test]
fn tiny_slot_does_not_wrap_offsets() {
    let l = TrailerLayout::new(16, 8);
    assert_eq!(l.magic_off(), 0);
    assert_eq!(l.swap_info_off(), 0);
}

#[test]
fn erased_trailer_reads_unset_and_none() {
    assert_eq!(read_trailer(&mut slot(), &layout()), Ok(Trailer::ERASED));
}

#[test]
fn reads_magic_flags_and_swap_info() {
    let mut f = slot();
    let l = layout();
    f.program(l.magic_off(), &MAGIC);
    f.program(l.image_ok_off(), &[0x01]);
    f.program(l.copy_done_off(), &[0x01]);
    f.program(l.swap_info_off(), &[0x13]);
    assert_eq!(
        read_trailer(&mut f, &l),
        Ok(Trailer {
            magic: MagicState::Good,
            swap_type: SwapType::Perm,
            image_num: 1,
            copy_done: Flag::Set,
            image_ok: Flag::Set,
        })
    );
}

#[test]
fn magic_of_another_alignment_is_bad() {
    let mut f = slot();
    f.program(layout().magic_off(), &magic(16));
    assert_eq!(
        read_trailer(&mut f, &layout()).unwrap().magic,
        MagicState::Bad
    );
}

#[test]
fn flag_other_than_one_is_bad() {
    let mut f = slot();
    f.program(layout().image_ok_off(), &[0x00]);
    f.program(layout().copy_done_off(), &[0x02]);
    let t = read_trailer(&mut f, &layout()).unwrap();
    assert_eq!((t.image_ok, t.copy_done), (Flag::Bad, Flag::Bad));
}

#[test]
fn swap_info_above_revert_reads_none_image_0() {
    let mut f = slot();
    f.program(layout().swap_info_off(), &[0x15]);
    let t = read_trailer(&mut f, &layout()).unwrap();
    assert_eq!((t.swap_type, t.image_num), (SwapType::None, 0));
}

fn t(magic: MagicState, image_ok: Flag, copy_done: Flag) -> Trailer {
    Trailer {
        magic,
        image_ok,
        copy_done,
        ..Trailer::ERASED
    }
}

use Flag::{Bad as FB, Set as S, Unset as U};
use MagicState::{Bad as MB, Good as G, Unset as MU};

#[test]
fn secondary_good_without_image_ok_is_test() {
    for primary in [t(MU, U, U), t(G, S, S), t(G, U, S), t(MB, FB, FB)] {
        assert_eq!(swap_type(&primary, &t(G, U, U)), SwapType::Test);
        assert_eq!(swap_type(&primary, &t(G, U, S)), SwapType::Test);
    }
}

#[test]
fn secondary_good_with_image_ok_is_perm() {
    assert_eq!(swap_type(&t(MU, U, U), &t(G, S, U)), SwapType::Perm);
    assert_eq!(swap_type(&t(G, U, S), &t(G, S, U)), SwapType::Perm);
}

#[test]
fn primary_good_copied_not_confirmed_is_revert() {
    for secondary in [t(MU, U, U), t(MB, U, U), t(G, FB, U)] {
        assert_eq!(swap_type(&t(G, U, S), &secondary), SwapType::Revert);
    }
}

#[test]
fn anything_else_is_none() {
    for (p, s) in [
        (t(MU, U, U), t(MU, U, U)),
        (t(G, S, S), t(MU, U, U)),  // confirmed after a swap
        (t(G, U, U), t(MU, U, U)),  // not copied
        (t(MB, U, S), t(MU, U, U)), // bad primary magic
        (t(MU, U, U), t(G, FB, U)), // bad secondary image_ok: neither test nor perm
    ] {
        assert_eq!(swap_type(&p, &s), SwapType::None, "{p:?} {s:?}");
    }
}

/// The last 48 bytes of a slot (swap_size up to the end) with `swap_info`,
/// `copy_done`, `image_ok` and magic filled in as given.
fn trailer_bytes(swap_info: &str, copy_done: &str, image_ok: &str, magic: &str) -> Vec<u8> {
    let ff8 = "ff ff ff ff ff ff ff ff";
    bytes(&format!("{ff8} {swap_info} {copy_done} {image_ok} {magic}"))
}

const FF8: &str = "ff ff ff ff ff ff ff ff";
const MAGIC8: &str = "77 c2 95 f3 60 d2 ef 7f 35 52 50 0f 2c b6 79 80";

#[test]
fn test_of_secondary_writes_magic_then_swap_info_test() {
    let mut f = slot();
    set_next(&mut f, &layout(), false, false, 0).unwrap();
    assert_eq!(
        tail(&f, 48),
        trailer_bytes("02 ff ff ff ff ff ff ff", FF8, FF8, MAGIC8)
    );
    assert_eq!(f.writes, [(SLOT - 16, 16), (SLOT - 40, 8)]);
}

#[test]
fn permanent_of_secondary_writes_magic_image_ok_and_swap_info_perm() {
    let mut f = slot();
    set_next(&mut f, &layout(), false, true, 0).unwrap();
    assert_eq!(
        tail(&f, 48),
        trailer_bytes(
            "03 ff ff ff ff ff ff ff",
            FF8,
            "01 ff ff ff ff ff ff ff",
            MAGIC8
        )
    );
    assert_eq!(f.writes, [(SLOT - 16, 16), (SLOT - 24, 8), (SLOT - 40, 8)]);
}

#[test]
fn swap_info_carries_the_image_number() {
    let mut f = slot();
    set_next(&mut f, &layout(), false, false, 1).unwrap();
    assert_eq!(f.data[(SLOT - 40) as usize], 0x12);
}

#[test]
fn scheduled_secondary_is_left_alone() {
    let mut f = slot();
    set_next(&mut f, &layout(), false, false, 0).unwrap();
    f.clear_log();
    set_next(&mut f, &layout(), false, true, 0).unwrap();
    assert!(f.writes.is_empty());
}

#[test]
fn bad_secondary_magic_is_bad_image_and_nothing_is_written() {
    let mut f = slot();
    f.program(SLOT - 16, &[0u8; 16]);
    assert_eq!(
        set_next(&mut f, &layout(), false, false, 0),
        Err(SetNextError::BadImage)
    );
    assert!(f.writes.is_empty() && f.erases.is_empty());
}

#[test]
fn confirm_of_active_with_good_magic_writes_image_ok() {
    let mut f = slot();
    f.program(SLOT - 16, &MAGIC);
    f.program(SLOT - 32, &[0x01]); // copy_done: swapped in as a test
    set_next(&mut f, &layout(), true, false, 0).unwrap();
    assert_eq!(f.writes, [(SLOT - 24, 8)]);
    assert_eq!(
        tail(&f, 48),
        trailer_bytes(
            FF8,
            "01 ff ff ff ff ff ff ff",
            "01 ff ff ff ff ff ff ff",
            MAGIC8
        )
    );
}

#[test]
fn confirm_of_confirmed_active_writes_nothing() {
    let mut f = slot();
    f.program(SLOT - 16, &MAGIC);
    f.program(SLOT - 24, &[0x01]);
    set_next(&mut f, &layout(), true, true, 0).unwrap();
    assert!(f.writes.is_empty());
}

#[test]
fn confirm_of_active_without_magic_writes_nothing() {
    let mut f = slot();
    set_next(&mut f, &layout(), true, true, 0).unwrap();
    assert!(f.writes.is_empty());
    assert_eq!(tail(&f, 48), [0xFF; 48]);
}

#[test]
fn confirm_of_active_with_bad_magic_is_bad_vector() {
    let mut f = slot();
    f.program(SLOT - 16, &[0x12; 16]);
    assert_eq!(
        set_next(&mut f, &layout(), true, true, 0),
        Err(SetNextError::BadVector)
    );
    assert!(f.writes.is_empty());
}

#[test]
fn max_align_32_writes_32_byte_chunks_with_the_align_magic() {
    let mut f = MemFlash::new(SLOT, 0x1000, 32);
    let l = TrailerLayout::new(SLOT, 32);
    set_next(&mut f, &l, false, true, 0).unwrap();
    assert_eq!(
        f.writes,
        [(SLOT - 32, 32), (SLOT - 64, 32), (SLOT - 128, 32)]
    );
    let mut want = vec![0xFF; 128];
    want[0] = 0x03; // swap_info
    want[64] = 0x01; // image_ok
    want[112..].copy_from_slice(&magic(32));
    assert_eq!(tail(&f, 128), want);
    assert_eq!(read_trailer(&mut f, &l).unwrap().magic, MagicState::Good);
}

#[test]
fn byte_writable_flash_takes_the_same_padded_chunks() {
    let mut f = MemFlash::new(SLOT, 0x1000, 1);
    set_next(&mut f, &layout(), false, false, 0).unwrap();
    assert_eq!(
        tail(&f, 48),
        trailer_bytes("02 ff ff ff ff ff ff ff", FF8, FF8, MAGIC8)
    );
}

#[test]
fn flash_failure_is_reported() {
    let mut f = slot();
    f.fail_writes = true;
    assert_eq!(
        set_next(&mut f, &layout(), false, false, 0),
        Err(SetNextError::Flash(crate::flash::FlashError::Device))
    );
}

#[test]
fn what_set_next_writes_reads_back_as_the_swap_it_asked_for() {
    let primary = Trailer::ERASED;
    for (confirm, want) in [(false, SwapType::Test), (true, SwapType::Perm)] {
        let mut f = slot();
        set_next(&mut f, &layout(), false, confirm, 0).unwrap();
        let secondary = read_trailer(&mut f, &layout()).unwrap();
        assert_eq!(secondary.swap_type, want);
        assert_eq!(swap_type(&primary, &secondary), want);
    }
}
