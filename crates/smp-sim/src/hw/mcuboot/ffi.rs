//! The FFI edge with MCUboot's C (`mcuboot-glue/glue.c`): the one call into
//! it, and the callbacks it makes back for flash and logging. The only
//! `unsafe` of the real-MCUboot build is here.

use std::ffi::{c_char, c_int, c_void, CStr};

use log::{debug, error, info, trace, warn};

use crate::hw::bootloader::Slots;

/// `struct smp_sim_slot`.
#[repr(C)]
pub struct SlotDesc {
    pub device_offset: u32,
    pub size: u32,
    pub sector_size: u32,
    pub write_size: u32,
    pub erased_value: u8,
}

/// `struct image_version`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct RawVersion {
    pub major: u8,
    pub minor: u8,
    pub revision: u16,
    pub build_num: u32,
}

/// `struct smp_sim_boot_result`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct RawBootResult {
    pub rc: c_int,
    pub swap_type: u8,
    /// 1 when MCUboot resumed a swap cut by a reset.
    pub resumed: u8,
    pub image_offset: u32,
    pub version: RawVersion,
}

extern "C" {
    fn smp_sim_boot_go(ctx: *mut c_void, slots: *const SlotDesc, out: *mut RawBootResult) -> c_int;
}

/// Runs MCUboot's `context_boot_go` once over `slots`. The caller holds the
/// lock that makes this the only boot in the process (the glue's state is
/// static, as on a device).
pub fn boot_go(slots: &mut Slots<'_>, desc: &[SlotDesc; 2]) -> RawBootResult {
    let mut out = RawBootResult::default();
    let ctx: *mut Slots<'_> = slots;
    // SAFETY: `ctx` points at `slots`, borrowed mutably for the whole call and
    // used by no one else meanwhile; the glue hands it back only to the
    // callbacks below, during this call, and forgets it on return. `desc`
    // and `out` are valid for the call, with the C layouts declared above.
    // The glue's longjmp on a failed flash operation skips C frames only:
    // it jumps after the Rust callback has returned.
    unsafe { smp_sim_boot_go(ctx.cast(), desc.as_ptr(), &mut out) };
    out
}

/// The slots behind the context pointer the glue passes back.
///
/// # Safety
/// `ctx` is the pointer [`boot_go`] gave the glue, during that call.
unsafe fn slots_of<'a>(ctx: *mut c_void) -> &'a mut Slots<'a> {
    // SAFETY: per this function's contract, `ctx` is the live `&mut Slots`
    // of the running boot_go, which is suspended in C while we run.
    unsafe { &mut *ctx.cast::<Slots<'a>>() }
}

fn slot_area<'a>(
    slots: &'a mut Slots<'_>,
    slot: u8,
) -> Option<&'a mut dyn smp_server::flash::FlashArea> {
    match slot {
        0 => Some(&mut *slots.primary),
        1 => Some(&mut *slots.secondary),
        _ => None,
    }
}

fn result(ok: bool) -> c_int {
    if ok {
        0
    } else {
        -1
    }
}

#[no_mangle]
extern "C" fn smp_sim_flash_read(
    ctx: *mut c_void,
    slot: u8,
    off: u32,
    dst: *mut u8,
    len: u32,
) -> c_int {
    // SAFETY: the glue calls this only from within boot_go, with its ctx.
    let slots = unsafe { slots_of(ctx) };
    // SAFETY: MCUboot passes a buffer of `len` writable bytes.
    let bytes = unsafe { std::slice::from_raw_parts_mut(dst, len as usize) };
    result(slot_area(slots, slot).is_some_and(|area| area.read(off, bytes).is_ok()))
}

#[no_mangle]
extern "C" fn smp_sim_flash_write(
    ctx: *mut c_void,
    slot: u8,
    off: u32,
    src: *const u8,
    len: u32,
) -> c_int {
    // SAFETY: the glue calls this only from within boot_go, with its ctx.
    let slots = unsafe { slots_of(ctx) };
    // SAFETY: MCUboot passes a buffer of `len` readable bytes.
    let bytes = unsafe { std::slice::from_raw_parts(src, len as usize) };
    result(slot_area(slots, slot).is_some_and(|area| area.write(off, bytes).is_ok()))
}

#[no_mangle]
extern "C" fn smp_sim_flash_erase(ctx: *mut c_void, slot: u8, off: u32, len: u32) -> c_int {
    // SAFETY: the glue calls this only from within boot_go, with its ctx.
    let slots = unsafe { slots_of(ctx) };
    let Some(end) = off.checked_add(len) else {
        return -1;
    };
    result(slot_area(slots, slot).is_some_and(|area| area.erase(off, end).is_ok()))
}

#[no_mangle]
extern "C" fn smp_sim_mcuboot_log_line(level: c_int, line: *const c_char) {
    // SAFETY: the glue passes a NUL-terminated string (vsnprintf's output).
    let line = unsafe { CStr::from_ptr(line) }.to_string_lossy();
    const TARGET: &str = "smp_sim::mcuboot";
    match level {
        1 => error!(target: TARGET, "{line}"),
        2 => warn!(target: TARGET, "{line}"),
        3 => info!(target: TARGET, "{line}"),
        4 => debug!(target: TARGET, "{line}"),
        _ => trace!(target: TARGET, "{line}"),
    }
}
