//! The slot trailer at the end of each image slot: layout, reading, the swap
//! type MCUboot derives from two trailers, and the writes `boot_set_next`
//! makes (protocol.md §4.4).

use crate::flash::{FlashArea, FlashError};

/// `BOOT_MAGIC_SZ`.
pub const MAGIC_LEN: u32 = 16;

/// The trailer magic when `BOOT_MAX_ALIGN` is 8.
pub const MAGIC: [u8; 16] = [
    0x77, 0xc2, 0x95, 0xf3, 0x60, 0xd2, 0xef, 0x7f, 0x35, 0x52, 0x50, 0x0f, 0x2c, 0xb6, 0x79, 0x80,
];

/// The last 14 bytes of the trailer magic for any other `BOOT_MAX_ALIGN`; the
/// first two are the alignment, u16 little-endian.
pub const MAGIC_TAIL: [u8; 14] = [
    0x2d, 0xe1, 0x5d, 0x29, 0x41, 0x0b, 0x8d, 0x77, 0x67, 0x9c, 0x11, 0x0f, 0x1f, 0x8a,
];

/// The value a set flag (`image_ok`, `copy_done`) is written as.
pub const FLAG_SET: u8 = 0x01;

/// The trailer magic MCUboot built with `max_align` writes and accepts.
pub fn magic(max_align: u32) -> [u8; 16] {
    if max_align == 8 {
        return MAGIC;
    }
    let mut m = [0u8; 16];
    // BOOT_MAX_ALIGN is at most 32 in every swap mode; larger values cannot be
    // represented by MCUboot's u16 field either way.
    let [lo, hi] = (max_align as u16).to_le_bytes();
    m[0] = lo;
    m[1] = hi;
    crate::bytes::copy(m.get_mut(2..).unwrap_or_default(), &MAGIC_TAIL);
    m
}

/// `v` rounded down to a multiple of `a` (`v` itself for `a` = 0, which no
/// flash has).
pub const fn align_down(v: u32, a: u32) -> u32 {
    match v.checked_rem(a) {
        // r < a and r <= v: no wrap.
        Some(r) => v.wrapping_sub(r),
        None => v,
    }
}

/// `v` rounded up to a multiple of `a` (`v` itself for `a` = 0).
const fn align_up(v: u32, a: u32) -> u32 {
    if a == 0 {
        return v;
    }
    v.div_ceil(a).saturating_mul(a)
}

/// Where the trailer fields of a slot are, from its size and `BOOT_MAX_ALIGN`
/// (MCUboot `bootutil_misc.h`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TrailerLayout {
    slot_size: u32,
    max_align: u32,
}

impl TrailerLayout {
    /// `max_align` is MCUboot's `BOOT_MAX_ALIGN`: 8 by default, a power of two
    /// from 8 to 32 in the swap modes (MCUboot refuses to build otherwise);
    /// values outside 1..=32 are clamped into it. A slot too small for a
    /// trailer gets offsets clamped at 0 rather than wrapping.
    pub fn new(slot_size: u32, max_align: u32) -> Self {
        let max_align = max_align.clamp(1, 32);
        TrailerLayout {
            slot_size,
            max_align,
        }
    }

    /// Size of the slot in bytes: the trailer ends there.
    pub fn slot_size(&self) -> u32 {
        self.slot_size
    }

    /// `BOOT_MAX_ALIGN`, clamped to 1..=32.
    pub fn max_align(&self) -> u32 {
        self.max_align
    }

    /// `BOOT_MAGIC_ALIGN_SIZE`: the magic written padded to the alignment.
    pub fn magic_align_size(&self) -> u32 {
        align_up(MAGIC_LEN, self.max_align)
    }

    /// The magic MCUboot with this alignment writes.
    pub fn magic(&self) -> [u8; 16] {
        magic(self.max_align)
    }

    /// `boot_magic_off`: the 16 magic bytes.
    pub fn magic_off(&self) -> u32 {
        self.slot_size.saturating_sub(MAGIC_LEN)
    }

    /// Where the padded magic write starts (`ALIGN_DOWN(magic_off, BOOT_MAX_ALIGN)`).
    pub fn magic_write_off(&self) -> u32 {
        align_down(self.magic_off(), self.max_align)
    }

    /// `boot_image_ok_off`.
    pub fn image_ok_off(&self) -> u32 {
        align_down(
            self.magic_off().saturating_sub(self.max_align),
            self.max_align,
        )
    }

    /// `boot_copy_done_off`.
    pub fn copy_done_off(&self) -> u32 {
        self.image_ok_off().saturating_sub(self.max_align)
    }

    /// `boot_swap_info_off`: `(image_num << 4) | swap_type`.
    pub fn swap_info_off(&self) -> u32 {
        self.copy_done_off().saturating_sub(self.max_align)
    }

    /// `boot_swap_size_off`: the u32 swap size.
    pub fn swap_size_off(&self) -> u32 {
        self.swap_info_off().saturating_sub(self.max_align)
    }

    /// `boot_trailer_info_sz` without encryption keys: the four fields and the
    /// padded magic.
    pub fn info_size(&self) -> u32 {
        self.max_align
            .saturating_mul(4)
            .saturating_add(self.magic_align_size())
    }
}

/// `BOOT_MAGIC_*` as read from a trailer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MagicState {
    /// The magic MCUboot writes: the trailer is in use.
    Good,
    /// Neither erased nor the expected magic.
    Bad,
    /// Erased: nothing written.
    Unset,
}

/// `BOOT_FLAG_*` as read from a trailer: erased is `Unset`, 0x01 is `Set`,
/// anything else `Bad`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flag {
    /// Written as [`FLAG_SET`].
    Set,
    /// Written with any other value.
    Bad,
    /// Erased: never written.
    Unset,
}

/// `BOOT_SWAP_TYPE_*`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SwapType {
    /// 1: nothing to do; the primary slot boots as it is.
    None = 1,
    /// 2: swap the secondary image in for one boot; it is reverted unless
    /// it confirms itself.
    Test = 2,
    /// 3: swap the secondary image in for good.
    Perm = 3,
    /// 4: swap back: the image running as a test was not confirmed.
    Revert = 4,
    /// 5: the swap failed: the image to run is not valid.
    Fail = 5,
    /// 0xff: the swap hit an error it cannot recover from.
    Panic = 0xff,
}

impl SwapType {
    /// The number written in the low nibble of `swap_info`.
    pub fn code(self) -> u8 {
        self as u8
    }
}

/// `struct boot_swap_state`: one slot's trailer as MCUboot reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Trailer {
    /// Whether the magic is erased, MCUboot's, or something else.
    pub magic: MagicState,
    /// From `swap_info`; `None` when it is erased or holds no type up to REVERT.
    pub swap_type: SwapType,
    /// From `swap_info`; 0 when it is erased or invalid.
    pub image_num: u8,
    /// `copy_done`: MCUboot has finished copying this image in.
    pub copy_done: Flag,
    /// `image_ok`: the image is confirmed.
    pub image_ok: Flag,
}

impl Trailer {
    /// The state of an erased trailer.
    pub const ERASED: Trailer = Trailer {
        magic: MagicState::Unset,
        swap_type: SwapType::None,
        image_num: 0,
        copy_done: Flag::Unset,
        image_ok: Flag::Unset,
    };
}

/// `boot_read_swap_state`.
pub fn read_trailer(
    area: &mut dyn FlashArea,
    layout: &TrailerLayout,
) -> Result<Trailer, FlashError> {
    let erased = area.erased_value();
    let mut m = [0u8; MAGIC_LEN as usize];
    area.read(layout.magic_off(), &mut m)?;
    let magic = if m.iter().all(|b| *b == erased) {
        MagicState::Unset
    } else if m == layout.magic() {
        MagicState::Good
    } else {
        MagicState::Bad
    };

    let info = read_byte(area, layout.swap_info_off())?;
    let code = info & 0x0F;
    let (swap_type, image_num) = if info == erased || code > SwapType::Revert.code() {
        (SwapType::None, 0)
    } else {
        let swap = match code {
            2 => SwapType::Test,
            3 => SwapType::Perm,
            4 => SwapType::Revert,
            // 1, and 0 which MCUboot lets through as no swap either.
            _ => SwapType::None,
        };
        (swap, info >> 4)
    };
    let flag = |b: u8| match b {
        _ if b == erased => Flag::Unset,
        FLAG_SET => Flag::Set,
        _ => Flag::Bad,
    };
    Ok(Trailer {
        magic,
        swap_type,
        image_num,
        copy_done: flag(read_byte(area, layout.copy_done_off())?),
        image_ok: flag(read_byte(area, layout.image_ok_off())?),
    })
}

fn read_byte(area: &mut dyn FlashArea, off: u32) -> Result<u8, FlashError> {
    let mut b = [0u8; 1];
    area.read(off, &mut b)?;
    Ok(b[0])
}

/// The swap MCUboot performs at the next boot, from the trailers of the
/// primary and secondary slots (`boot_swap_tables` for swap using scratch or
/// move); rows are tried in order, no row matching is `None`.
pub fn swap_type(primary: &Trailer, secondary: &Trailer) -> SwapType {
    use Flag::{Set, Unset};
    use MagicState::Good;
    match (primary, secondary) {
        (
            _,
            Trailer {
                magic: Good,
                image_ok: Unset,
                ..
            },
        ) => SwapType::Test,
        (
            _,
            Trailer {
                magic: Good,
                image_ok: Set,
                ..
            },
        ) => SwapType::Perm,
        (
            Trailer {
                magic: Good,
                image_ok: Unset,
                copy_done: Set,
                ..
            },
            _,
        ) => SwapType::Revert,
        _ => SwapType::None,
    }
}

/// Writes the magic as `boot_write_magic` does: `BOOT_MAGIC_ALIGN_SIZE` bytes
/// ending at the end of the slot, padded at the front with the erased value.
pub fn write_magic(area: &mut dyn FlashArea, layout: &TrailerLayout) -> Result<(), FlashError> {
    let mut buf = [area.erased_value(); 32];
    let len = (layout.magic_align_size() as usize).min(buf.len());
    let buf = buf.get_mut(..len).ok_or(FlashError::OutOfBounds)?;
    let magic_at = len.saturating_sub(MAGIC_LEN as usize);
    crate::bytes::copy(buf.get_mut(magic_at..).unwrap_or_default(), &layout.magic());
    area.write(layout.magic_write_off(), buf)
}

/// Writes one trailer byte at `off` as a `BOOT_MAX_ALIGN`-byte chunk padded
/// with the erased value (`boot_write_trailer`).
pub fn write_trailer_byte(
    area: &mut dyn FlashArea,
    layout: &TrailerLayout,
    off: u32,
    value: u8,
) -> Result<(), FlashError> {
    let mut buf = [area.erased_value(); 32];
    let len = (layout.max_align() as usize).min(buf.len());
    if let Some(first) = buf.first_mut() {
        *first = value;
    }
    area.write(off, buf.get(..len).unwrap_or_default())
}

/// `boot_write_image_ok`.
pub fn write_image_ok(area: &mut dyn FlashArea, layout: &TrailerLayout) -> Result<(), FlashError> {
    write_trailer_byte(area, layout, layout.image_ok_off(), FLAG_SET)
}

/// `boot_write_copy_done`.
pub fn write_copy_done(area: &mut dyn FlashArea, layout: &TrailerLayout) -> Result<(), FlashError> {
    write_trailer_byte(area, layout, layout.copy_done_off(), FLAG_SET)
}

/// `boot_write_swap_info`: `(image_num << 4) | swap_type`.
pub fn write_swap_info(
    area: &mut dyn FlashArea,
    layout: &TrailerLayout,
    swap_type: SwapType,
    image_num: u8,
) -> Result<(), FlashError> {
    let info = (image_num << 4) | (swap_type.code() & 0x0F);
    write_trailer_byte(area, layout, layout.swap_info_off(), info)
}

/// Why [`set_next`] failed (`BOOT_E*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetNextError {
    /// `BOOT_EFLASH`.
    Flash(FlashError),
    /// `BOOT_EBADVECT`: confirming an active slot whose magic is bad.
    BadVector,
    /// `BOOT_EBADIMAGE`: scheduling a slot whose magic is bad.
    BadImage,
}

impl From<FlashError> for SetNextError {
    fn from(e: FlashError) -> Self {
        SetNextError::Flash(e)
    }
}

/// `boot_set_next(fa, active, confirm)` for the swap modes: schedules the slot
/// behind `area` for a test (`confirm` false) or permanent swap, or confirms
/// it when it is the `active` (running) slot. `image_num` goes into
/// `swap_info` (MCUboot's `flash_area_to_image`).
///
/// | magic | active | writes |
/// |---|---|---|
/// | unset | no | magic, image_ok (if `confirm`), swap_info TEST or PERM |
/// | unset | yes | nothing |
/// | good | no | nothing (already scheduled) |
/// | good | yes | image_ok, if not set yet |
/// | bad | no / yes | `BadImage` / `BadVector` |
pub fn set_next(
    area: &mut dyn FlashArea,
    layout: &TrailerLayout,
    active: bool,
    confirm: bool,
    image_num: u8,
) -> Result<(), SetNextError> {
    let confirm = confirm || active;
    let state = read_trailer(area, layout)?;
    match state.magic {
        MagicState::Good => {
            if active && state.image_ok == Flag::Unset {
                write_image_ok(area, layout)?;
            }
        }
        MagicState::Unset => {
            if !active {
                write_magic(area, layout)?;
                if confirm {
                    write_image_ok(area, layout)?;
                }
                let swap = if confirm {
                    SwapType::Perm
                } else {
                    SwapType::Test
                };
                write_swap_info(area, layout, swap, image_num)?;
            }
        }
        MagicState::Bad if active => return Err(SetNextError::BadVector),
        MagicState::Bad => return Err(SetNextError::BadImage),
    }
    Ok(())
}

#[cfg(test)]
mod tests;
