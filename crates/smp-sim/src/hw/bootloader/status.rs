//! The swap-status journal: where MCUboot (swap using move) records each
//! finished step of a swap, in the primary slot's trailer, so that a swap cut
//! by a reset resumes where it stopped (MCUboot `swap_move.c`,
//! `bootutil_area.c`).
//!
//! The status area sits just below the trailer info (swap size, swap info,
//! copy done, image ok, magic). It holds `BOOT_MAX_IMG_SECTORS` entries for
//! the move phase (one per sector) and then `2 * BOOT_MAX_IMG_SECTORS` for the
//! swap phase (two per sector); an entry is one write block whose first byte is
//! the step's state number (1 or 2), the rest erased. Entries are written in
//! order, so the number of written entries says which step comes next.

use smp_server::flash::{FlashArea, FlashError};
use smp_server::mcuboot::{SwapType, TrailerLayout};

/// `BOOT_MAX_IMG_SECTORS`: Zephyr's `CONFIG_BOOT_MAX_IMG_SECTORS` default.
/// It sizes the status area; a slot may have fewer sectors.
pub const BOOT_MAX_IMG_SECTORS: u32 = 128;
const MOVE_STATE_COUNT: u32 = 1;
const SWAP_STATE_COUNT: u32 = 2;
/// `BOOT_STATUS_STATE_COUNT` of swap using move.
const STATE_COUNT: u32 = MOVE_STATE_COUNT + SWAP_STATE_COUNT;

/// The phase of a swap using move.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// Moving the primary image up by one sector, last sector first.
    Move,
    /// Swapping sector by sector: secondary → primary, moved primary → secondary.
    Swap,
}

/// Where the status of an interrupted swap was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    None,
    Primary,
}

/// `struct boot_status`: where a swap is, 1-based as in MCUboot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BootStatus {
    pub op: Op,
    /// The sector step (`BOOT_STATUS_IDX_0` is 1).
    pub idx: u32,
    /// The state within a swap step (`BOOT_STATUS_STATE_0` is 1).
    pub state: u8,
    pub swap_type: SwapType,
    /// Bytes to swap: the larger of the two images.
    pub swap_size: u32,
    pub source: Source,
}

impl BootStatus {
    /// `boot_status_reset`: no swap under way.
    pub fn reset() -> Self {
        BootStatus {
            op: Op::Move,
            idx: 1,
            state: 1,
            swap_type: SwapType::None,
            swap_size: 0,
            source: Source::None,
        }
    }

    /// `boot_status_is_reset`: no step of a swap is recorded.
    pub fn is_reset(&self) -> bool {
        self.op == Op::Move && self.idx == 1 && self.state == 1
    }
}

/// `boot_trailer_sz`: status area plus trailer info.
pub fn trailer_size(write_size: u32, layout: &TrailerLayout) -> u32 {
    BOOT_MAX_IMG_SECTORS * STATE_COUNT * write_size + layout.info_size()
}

/// `boot_status_off`: the first status entry.
fn status_off(area: &dyn FlashArea, layout: &TrailerLayout) -> u32 {
    area.size()
        .saturating_sub(trailer_size(area.write_size(), layout))
}

/// `boot_status_internal_off`: the entry of the step `bs` describes.
fn internal_off(bs: &BootStatus, elem: u32) -> u32 {
    let idx = bs.idx.saturating_sub(1);
    let state = u32::from(bs.state.saturating_sub(1));
    match bs.op {
        Op::Move => idx * MOVE_STATE_COUNT * elem,
        Op::Swap => {
            BOOT_MAX_IMG_SECTORS * MOVE_STATE_COUNT * elem
                + idx * SWAP_STATE_COUNT * elem
                + state * elem
        }
    }
}

/// `swap_read_status_bytes`: sets `bs` to the step after the last recorded
/// one; leaves it untouched when nothing is recorded.
pub fn read_status(
    area: &mut dyn FlashArea,
    layout: &TrailerLayout,
    bs: &mut BootStatus,
) -> Result<(), FlashError> {
    let elem = area.write_size();
    let off = status_off(area, layout);
    let erased = area.erased_value();
    // The number of entries up to and including the last written one.
    let mut written = 0;
    for i in (0..BOOT_MAX_IMG_SECTORS * STATE_COUNT).rev() {
        let mut b = [0u8; 1];
        area.read(off + i * elem, &mut b)?;
        if b[0] != erased {
            written = i + 1;
            break;
        }
    }
    if written == 0 {
        return Ok(());
    }
    let move_entries = BOOT_MAX_IMG_SECTORS * MOVE_STATE_COUNT;
    if written < move_entries {
        // One state per move step.
        bs.op = Op::Move;
        bs.idx = written + 1;
        bs.state = 1;
    } else {
        let swap = written - move_entries;
        bs.op = Op::Swap;
        bs.idx = swap / SWAP_STATE_COUNT + 1;
        bs.state = (swap % SWAP_STATE_COUNT) as u8 + 1;
    }
    Ok(())
}

/// `boot_write_status`: records that the step `bs` describes is done.
pub fn write_status(
    area: &mut dyn FlashArea,
    layout: &TrailerLayout,
    bs: &BootStatus,
) -> Result<(), FlashError> {
    let elem = area.write_size();
    let off = status_off(area, layout) + internal_off(bs, elem);
    let mut buf = [area.erased_value(); 32];
    buf[0] = bs.state;
    area.write(off, &buf[..(elem as usize).min(buf.len())])
}

/// `boot_read_swap_size`.
pub fn read_swap_size(area: &mut dyn FlashArea, layout: &TrailerLayout) -> Result<u32, FlashError> {
    let mut b = [0u8; 4];
    area.read(layout.swap_size_off(), &mut b)?;
    Ok(u32::from_le_bytes(b))
}

/// `boot_write_swap_size`: 4 bytes, padded to the write block.
pub fn write_swap_size(
    area: &mut dyn FlashArea,
    layout: &TrailerLayout,
    size: u32,
) -> Result<(), FlashError> {
    let mut buf = [area.erased_value(); 32];
    buf[..4].copy_from_slice(&size.to_le_bytes());
    let len = 4u32.div_ceil(area.write_size()) * area.write_size();
    area.write(
        layout.swap_size_off(),
        &buf[..(len as usize).min(buf.len())],
    )
}

/// `boot_trailer_scramble_offset`: the start of the sector holding the start
/// of the trailer (status area included).
pub fn trailer_sector_off(area: &dyn FlashArea, layout: &TrailerLayout) -> u32 {
    let start = area
        .size()
        .saturating_sub(trailer_size(area.write_size(), layout));
    start - start % area.erase_size()
}

/// `swap_scramble_trailer_sectors`: erases the sectors holding the trailer.
pub fn scramble_trailer(
    area: &mut dyn FlashArea,
    layout: &TrailerLayout,
) -> Result<(), FlashError> {
    let from = trailer_sector_off(area, layout);
    area.erase(from, area.size())
}
