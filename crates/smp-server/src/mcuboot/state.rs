//! What the trailers mean to the image group: the swap type per boot mode,
//! which slot boots next, the state flags image state reports (protocol.md
//! §4.5), and how much of a slot an image may use.

use super::config::{BootConfig, BootMode};
use super::trailer::{swap_type, Flag, MagicState, SwapType, Trailer, TrailerLayout};

/// The swap type of an image pair in `mode`.
///
/// Swap using scratch or move: [`swap_type`]. Swap using offset: one more
/// row first (secondary magic good, image_ok unset, copy_done set: REVERT).
/// Overwrite-only: MCUboot copies and never reverts, so no REVERT.
pub fn swap_type_for(mode: BootMode, primary: &Trailer, secondary: &Trailer) -> SwapType {
    match mode {
        BootMode::SwapUsingOffset
            if secondary.magic == MagicState::Good
                && secondary.image_ok == Flag::Unset
                && secondary.copy_done == Flag::Set =>
        {
            SwapType::Revert
        }
        BootMode::OverwriteOnly => match swap_type(primary, secondary) {
            SwapType::Revert => SwapType::None,
            other => other,
        },
        _ => swap_type(primary, secondary),
    }
}

/// How the slot that boots next will run (Zephyr `img_mgmt_next_boot_type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NextBootType {
    /// For good: the running image, or the other one made permanent.
    Normal,
    /// Once: the other image, reverted unless it confirms itself.
    Test,
    /// The running image was a test and is not confirmed: the other comes back.
    Revert,
}

/// Which slot of a pair boots next, and how (`img_mgmt_get_next_boot_slot`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NextBoot {
    /// The slot other than the running one boots next.
    pub other_slot: bool,
    /// How that slot runs: for good, once as a test, or as a revert.
    pub kind: NextBootType,
}

impl NextBoot {
    /// NONE boots the active slot; PERM, TEST and REVERT the other one,
    /// normally, as a test, as a revert. FAIL and PANIC (trailers MCUboot
    /// cannot act on) are taken as NONE: nothing is known to be scheduled.
    pub fn from_swap_type(swap: SwapType) -> Self {
        let (other_slot, kind) = match swap {
            SwapType::Perm => (true, NextBootType::Normal),
            SwapType::Test => (true, NextBootType::Test),
            SwapType::Revert => (true, NextBootType::Revert),
            SwapType::None | SwapType::Fail | SwapType::Panic => (false, NextBootType::Normal),
        };
        NextBoot { other_slot, kind }
    }
}

/// The state flags image state reports for one slot.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SlotFlags {
    /// The slot holds the running image.
    pub active: bool,
    /// The image is confirmed: it stays after the next reset (in a revert,
    /// the one that comes back).
    pub confirmed: bool,
    /// The image boots at the next reset.
    pub pending: bool,
    /// With `pending`: for good, not as a test.
    pub permanent: bool,
}

/// The flags of the active slot and of the other slot of a pair, as Zephyr's
/// `img_mgmt_state_read` derives them:
///
/// | next boot | active slot | other slot |
/// |---|---|---|
/// | active, normal | active, confirmed | — |
/// | other, test | active, confirmed | pending |
/// | other, normal (PERM) | active, confirmed | pending, permanent |
/// | other, revert | active | confirmed |
pub fn pair_flags(next: NextBoot) -> (SlotFlags, SlotFlags) {
    let active = SlotFlags {
        active: true,
        confirmed: next.kind != NextBootType::Revert,
        ..SlotFlags::default()
    };
    let mut other = SlotFlags::default();
    if next.other_slot {
        match next.kind {
            NextBootType::Normal => {
                other.pending = true;
                other.permanent = true;
            }
            NextBootType::Test => other.pending = true,
            NextBootType::Revert => other.confirmed = true,
        }
    }
    (active, other)
}

/// `BOOT_STATUS_STATE_COUNT`: status entries written per sector in a swap.
fn status_state_count(mode: BootMode) -> u32 {
    match mode {
        BootMode::SwapUsingOffset => 2,
        _ => 3,
    }
}

/// The largest image (header, body and TLVs) MCUboot in `config` accepts in a
/// slot of `slot_size` bytes with `sector_size` sectors and `write_size`
/// write granularity, so that the image and the trailer never overlap.
///
/// Swap modes keep `boot_trailer_sz` (trailer info plus one swap-status entry
/// per sector, `BOOT_MAX_IMG_SECTORS` taken as the slot's sector count)
/// rounded up to whole sectors; swap using move and offset also keep one
/// sector free for moving. Overwrite-only, direct-XIP and RAM-load stop at
/// `swap_info` (`bootutil_max_image_size`); single-slot modes keep the trailer
/// info.
pub fn max_image_size(
    config: &BootConfig,
    slot_size: u32,
    sector_size: u32,
    write_size: u32,
) -> u32 {
    let layout = TrailerLayout::new(slot_size, config.max_align);
    let sector_size = sector_size.max(1);
    match config.mode {
        BootMode::SwapUsingScratch | BootMode::SwapUsingMove | BootMode::SwapUsingOffset => {
            // At least 1 (above): no division by zero.
            let sectors = slot_size.checked_div(sector_size).unwrap_or_default();
            let status = sectors
                .saturating_mul(status_state_count(config.mode))
                .saturating_mul(write_size.max(1));
            let trailer = status.saturating_add(layout.info_size());
            let reserved = trailer.div_ceil(sector_size).saturating_mul(sector_size);
            let padding = match config.mode {
                BootMode::SwapUsingScratch => 0,
                _ => sector_size,
            };
            slot_size.saturating_sub(reserved).saturating_sub(padding)
        }
        BootMode::OverwriteOnly
        | BootMode::DirectXip
        | BootMode::DirectXipWithRevert
        | BootMode::RamLoad => layout.swap_info_off(),
        BootMode::SingleSlot | BootMode::FirmwareLoader | BootMode::SingleSlotRamLoad => {
            slot_size.saturating_sub(layout.info_size())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trailer(magic: MagicState, image_ok: Flag, copy_done: Flag) -> Trailer {
        Trailer {
            magic,
            image_ok,
            copy_done,
            ..Trailer::ERASED
        }
    }

    const REVERT_PRIMARY: Trailer = Trailer {
        magic: MagicState::Good,
        image_ok: Flag::Unset,
        copy_done: Flag::Set,
        swap_type: SwapType::None,
        image_num: 0,
    };

    #[test]
    fn overwrite_only_never_reverts() {
        let e = Trailer::ERASED;
        assert_eq!(
            swap_type_for(BootMode::SwapUsingMove, &REVERT_PRIMARY, &e),
            SwapType::Revert
        );
        assert_eq!(
            swap_type_for(BootMode::OverwriteOnly, &REVERT_PRIMARY, &e),
            SwapType::None
        );
    }

    #[test]
    fn overwrite_only_still_tests_and_makes_permanent() {
        let e = Trailer::ERASED;
        let test = trailer(MagicState::Good, Flag::Unset, Flag::Unset);
        let perm = trailer(MagicState::Good, Flag::Set, Flag::Unset);
        assert_eq!(
            swap_type_for(BootMode::OverwriteOnly, &e, &test),
            SwapType::Test
        );
        assert_eq!(
            swap_type_for(BootMode::OverwriteOnly, &e, &perm),
            SwapType::Perm
        );
    }

    #[test]
    fn swap_using_offset_reverts_on_secondary_copy_done() {
        let e = Trailer::ERASED;
        let sec = trailer(MagicState::Good, Flag::Unset, Flag::Set);
        assert_eq!(
            swap_type_for(BootMode::SwapUsingOffset, &e, &sec),
            SwapType::Revert
        );
        assert_eq!(
            swap_type_for(BootMode::SwapUsingMove, &e, &sec),
            SwapType::Test
        );
    }

    fn flags(active: bool, confirmed: bool, pending: bool, permanent: bool) -> SlotFlags {
        SlotFlags {
            active,
            confirmed,
            pending,
            permanent,
        }
    }

    fn flags_after(swap: SwapType) -> (SlotFlags, SlotFlags) {
        pair_flags(NextBoot::from_swap_type(swap))
    }

    // The rows of protocol.md §4.5.
    #[test]
    fn idle_pair_active_confirmed_other_nothing() {
        let (a, o) = flags_after(SwapType::None);
        assert_eq!(a, flags(true, true, false, false));
        assert_eq!(o, SlotFlags::default());
    }

    #[test]
    fn after_test_other_is_pending() {
        let (a, o) = flags_after(SwapType::Test);
        assert_eq!(a, flags(true, true, false, false));
        assert_eq!(o, flags(false, false, true, false));
    }

    #[test]
    fn after_confirm_other_is_pending_and_permanent() {
        let (a, o) = flags_after(SwapType::Perm);
        assert_eq!(a, flags(true, true, false, false));
        assert_eq!(o, flags(false, false, true, true));
    }

    #[test]
    fn running_unconfirmed_test_image_active_not_confirmed_other_confirmed() {
        let (a, o) = flags_after(SwapType::Revert);
        assert_eq!(a, flags(true, false, false, false));
        assert_eq!(o, flags(false, true, false, false));
    }

    #[test]
    fn panic_and_fail_schedule_nothing() {
        for swap in [SwapType::Panic, SwapType::Fail] {
            assert_eq!(flags_after(swap), flags_after(SwapType::None), "{swap:?}");
        }
    }

    fn config(mode: BootMode) -> BootConfig {
        BootConfig {
            mode,
            max_align: 8,
            downgrade_prevention: false,
        }
    }

    #[test]
    fn max_image_size_swap_using_move_keeps_trailer_sectors_and_one_more() {
        // 64 sectors of 4 KiB: 64 * 3 * 8 + 48 = 1584 bytes of trailer -> 1 sector.
        let size = max_image_size(&config(BootMode::SwapUsingMove), 0x40000, 0x1000, 8);
        assert_eq!(size, 0x40000 - 0x2000);
    }

    #[test]
    fn max_image_size_swap_using_scratch_keeps_trailer_sectors() {
        let size = max_image_size(&config(BootMode::SwapUsingScratch), 0x40000, 0x1000, 8);
        assert_eq!(size, 0x40000 - 0x1000);
        // 256 sectors of 1 KiB with 4-byte writes: 256 * 3 * 4 + 48 = 3120 -> 4 sectors.
        let size = max_image_size(&config(BootMode::SwapUsingScratch), 0x40000, 0x400, 4);
        assert_eq!(size, 0x40000 - 0x1000);
    }

    #[test]
    fn max_image_size_overwrite_only_stops_at_swap_info() {
        let size = max_image_size(&config(BootMode::OverwriteOnly), 0x40000, 0x1000, 8);
        assert_eq!(size, 0x40000 - 40);
    }
}
