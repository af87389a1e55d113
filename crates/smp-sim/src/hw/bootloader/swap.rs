//! Swap using move (MCUboot `swap_move.c`): the primary image is moved up by
//! one sector, then sector by sector the secondary sector goes down into the
//! primary slot and the moved primary sector into the secondary slot. Every
//! step is idempotent (its sources are never overwritten by the step itself)
//! and its status entry is written once it is done, so a swap cut at any
//! point resumes by redoing the first unrecorded step.

use smp_server::flash::{FlashArea, FlashError};
use smp_server::mcuboot::{self, Flag, MagicState, SwapType, TrailerLayout};

use super::slots::Slots;
use super::status::{self, BootStatus, Op, Source};

/// Bytes copied at a time (MCUboot's `boot_copy_region` buffer).
const COPY_CHUNK: usize = 1024;

/// Why a swap cannot start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NoRoom {
    pub needed_sectors: u32,
    pub available_sectors: u32,
}

/// `find_last_idx`: the number of sectors `swap_size` bytes span (at least 1).
fn last_idx(swap_size: u32, sector: u32) -> u32 {
    swap_size.div_ceil(sector).max(1)
}

/// The sectors of the primary slot a swap may use: all but the trailer's,
/// one of them being the room the image moves up into.
fn first_trailer_idx(primary: &dyn FlashArea, layout: &TrailerLayout) -> u32 {
    status::trailer_sector_off(primary, layout) / primary.erase_size()
}

/// Checks that an image pair of `swap_size` bytes can be swapped.
pub fn check_room(slots: &Slots<'_>, swap_size: u32) -> Result<(), NoRoom> {
    let sector = slots.primary.erase_size();
    let last = last_idx(swap_size, sector);
    // The primary needs one more sector than the image to move it up.
    let primary_room = first_trailer_idx(&*slots.primary, &slots.primary_layout());
    let secondary_room = first_trailer_idx(&*slots.secondary, &slots.secondary_layout());
    if last >= primary_room || last > secondary_room {
        return Err(NoRoom {
            needed_sectors: last,
            available_sectors: primary_room.saturating_sub(1).min(secondary_room),
        });
    }
    Ok(())
}

/// `swap_run`: runs the swap from the step `bs` says is next.
pub fn run(slots: &mut Slots<'_>, bs: &mut BootStatus) -> Result<(), FlashError> {
    let sector = slots.primary.erase_size();
    let last = last_idx(bs.swap_size, sector);

    fixup_revert(slots, bs)?;

    if bs.op == Op::Move {
        // Last sector first: sector idx - 1 goes to idx.
        for idx in (1..=last).rev() {
            if idx + bs.idx <= last + 1 {
                move_sector_up(slots, bs, idx)?;
            }
        }
        bs.idx = 1;
    }
    bs.op = Op::Swap;
    for idx in 1..=last {
        if idx >= bs.idx {
            swap_sectors(slots, bs, idx)?;
        }
    }
    Ok(())
}

/// `fixup_revert`: before a revert re-initialises the primary trailer, the
/// secondary trailer is written as for a permanent swap, so that a reset in
/// between still brings the old image back. Unlike MCUboot, a secondary
/// trailer with a bad magic (a magic write cut halfway) is written again too:
/// otherwise a second cut, after the primary trailer is erased, would leave
/// no trailer asking for the revert.
fn fixup_revert(slots: &mut Slots<'_>, bs: &BootStatus) -> Result<(), FlashError> {
    if bs.swap_type != SwapType::Revert || bs.op != Op::Move || bs.idx != 1 {
        return Ok(());
    }
    let layout = slots.secondary_layout();
    let secondary = mcuboot::read_trailer(slots.secondary, &layout)?;
    if secondary.magic != MagicState::Good {
        status::scramble_trailer(slots.secondary, &layout)?;
        mcuboot::write_image_ok(slots.secondary, &layout)?;
        status::write_swap_size(slots.secondary, &layout, bs.swap_size)?;
        mcuboot::write_magic(slots.secondary, &layout)?;
    }
    Ok(())
}

/// `swap_status_init`: the primary trailer takes over the journal: swap type,
/// the secondary's image_ok (a permanent swap), swap size, and the magic last.
fn status_init(slots: &mut Slots<'_>, bs: &BootStatus) -> Result<(), FlashError> {
    let sec_layout = slots.secondary_layout();
    let secondary = mcuboot::read_trailer(slots.secondary, &sec_layout)?;
    let layout = slots.primary_layout();
    if bs.swap_type != SwapType::None {
        mcuboot::write_swap_info(slots.primary, &layout, bs.swap_type, 0)?;
    }
    if secondary.image_ok == Flag::Set {
        mcuboot::write_image_ok(slots.primary, &layout)?;
    }
    status::write_swap_size(slots.primary, &layout, bs.swap_size)?;
    mcuboot::write_magic(slots.primary, &layout)
}

/// `boot_move_sector_up`: primary sector `idx - 1` → `idx`. The first move
/// also moves the journal from the secondary trailer to the primary one.
fn move_sector_up(slots: &mut Slots<'_>, bs: &mut BootStatus, idx: u32) -> Result<(), FlashError> {
    let sector = slots.primary.erase_size();
    if bs.idx == 1 {
        if bs.source != Source::Primary {
            let layout = slots.primary_layout();
            status::scramble_trailer(slots.primary, &layout)?;
            status_init(slots, bs)?;
        }
        let layout = slots.secondary_layout();
        status::scramble_trailer(slots.secondary, &layout)?;
    }
    let new_off = idx * sector;
    let old_off = (idx - 1) * sector;
    slots.primary.erase(new_off, new_off + sector)?;
    copy_within(slots.primary, old_off, new_off, sector)?;
    let layout = slots.primary_layout();
    status::write_status(slots.primary, &layout, bs)?;
    bs.idx += 1;
    Ok(())
}

/// `boot_swap_sectors`: state 1 copies secondary sector `idx - 1` into the
/// primary's; state 2 copies the moved primary sector `idx` into the
/// secondary's.
fn swap_sectors(slots: &mut Slots<'_>, bs: &mut BootStatus, idx: u32) -> Result<(), FlashError> {
    let sector = slots.primary.erase_size();
    let pri_off = (idx - 1) * sector;
    let pri_up_off = idx * sector;
    let sec_off = (idx - 1) * sector;
    let layout = slots.primary_layout();
    if bs.state == 1 {
        slots.primary.erase(pri_off, pri_off + sector)?;
        copy(slots.secondary, sec_off, slots.primary, pri_off, sector)?;
        status::write_status(slots.primary, &layout, bs)?;
        bs.state = 2;
    }
    if bs.state == 2 {
        slots.secondary.erase(sec_off, sec_off + sector)?;
        copy(slots.primary, pri_up_off, slots.secondary, sec_off, sector)?;
        status::write_status(slots.primary, &layout, bs)?;
        bs.idx += 1;
        bs.state = 1;
    }
    Ok(())
}

/// `boot_copy_region` between two areas; the destination is erased.
fn copy(
    src: &mut dyn FlashArea,
    src_off: u32,
    dst: &mut dyn FlashArea,
    dst_off: u32,
    len: u32,
) -> Result<(), FlashError> {
    in_chunks(len, |done, chunk| {
        src.read(src_off + done, chunk)?;
        dst.write(dst_off + done, chunk)
    })
}

/// `boot_copy_region` within one area (non-overlapping ranges).
fn copy_within(
    area: &mut dyn FlashArea,
    src_off: u32,
    dst_off: u32,
    len: u32,
) -> Result<(), FlashError> {
    in_chunks(len, |done, chunk| {
        area.read(src_off + done, chunk)?;
        area.write(dst_off + done, chunk)
    })
}

/// Runs `step(offset, buffer)` over `len` bytes in stack-buffer-sized pieces.
fn in_chunks(
    len: u32,
    mut step: impl FnMut(u32, &mut [u8]) -> Result<(), FlashError>,
) -> Result<(), FlashError> {
    let mut buf = [0u8; COPY_CHUNK];
    let mut done = 0;
    while done < len {
        let n = (len - done).min(COPY_CHUNK as u32);
        step(done, &mut buf[..n as usize])?;
        done += n;
    }
    Ok(())
}
