//! Image erase (command 5) and slot info (command 6).

use super::build::ImageBuild;
use super::platform::{ImageMgmtError, ImagePlatform};
use super::slot_state::other_slot_of_active_image;
use super::slots::{active_slot, image_count, opposite, platform, slot_image, slot_in_use};
use super::upload::erase_up_to;
use crate::cbor::{decode_map, once, Field, Response};
use crate::dispatch::{Ctx, Request};
use crate::error::Error;
use crate::hooks::DfuEvent;
use crate::mcuboot::max_image_size;

/// Erase: `{}` or `{"slot": uint}` (absolute; default the other slot of the
/// running image). The active slot, and a slot whose valid image is in use,
/// are err 9; a slot that does not exist err 14. Sectors already erased are
/// left alone. Any upload in progress is forgotten.
pub(super) fn erase<B: ImageBuild>(
    ctx: &mut Ctx<'_>,
    req: &Request<'_>,
    _: &mut Response<'_>,
) -> Result<(), Error> {
    let mut slot = None;
    decode_map(req.payload, |key, dec| match key {
        k if k == b"slot" => once(&mut slot, crate::cbor::uint::<u32>(dec)),
        _ => Ok(Field::Unknown),
    })?;
    let p = &mut platform::<B>(ctx)?;
    let slot = match slot {
        Some(s) => u8::try_from(s)
            .ok()
            .filter(|s| *s / 2 < image_count(p))
            .ok_or(ImageMgmtError::InvalidSlot)?,
        None => other_slot_of_active_image(p)?,
    };
    if p.slot(slot).is_none() {
        return Err(ImageMgmtError::InvalidSlot.into());
    }
    // Never the running slot, whatever it holds; otherwise only when a valid
    // image there is in use (`img_mgmt_slot_in_use`).
    if slot == active_slot(p, slot / 2)? || (slot_image(p, slot).is_ok() && slot_in_use(p, slot)?) {
        return Err(ImageMgmtError::NoFreeSlot.into());
    }
    let result = match p.slot(slot) {
        Some(area) => {
            let size = area.size();
            let mut erased_to = 0;
            erase_up_to(area, &mut erased_to, size)
        }
        None => Err(ImageMgmtError::InvalidSlot),
    };
    if let Some((slot, _, _)) = ctx.state.image.progress() {
        super::build::dfu::<B>(
            ctx.hooks,
            &DfuEvent::Stopped {
                image: slot / 2,
                slot,
            },
        );
    }
    ctx.state.image.reset();
    result.map_err(|e| match e {
        ImageMgmtError::FlashReadFailed => ImageMgmtError::FlashEraseFailed.into(),
        e => e.into(),
    })
}

/// The `rc` slot info reports for a slot whose flash cannot be opened
/// (Zephyr passes `flash_area_open`'s `-ENOENT`).
const SLOT_OPEN_FAILED_RC: i32 = -2;

/// Slot info: for each image its two slots (size, and `upload_image_id` on
/// the one uploads go to) and the largest image MCUboot accepts there.
pub(super) fn slot_info<B: ImageBuild>(
    ctx: &mut Ctx<'_>,
    _: &Request<'_>,
    rsp: &mut Response<'_>,
) -> Result<(), Error> {
    let p = &mut platform::<B>(ctx)?;
    let config = p.boot_config();
    let direct = p.direct_upload();
    rsp.str("images")?.begin_array()?;
    for image in 0..image_count(p) {
        let active = active_slot(p, image)?;
        rsp.begin_map()?;
        rsp.str("image")?.u8(image)?;
        rsp.str("slots")?.begin_array()?;
        let mut max_size = None;
        for slot in [2 * image, 2 * image + 1] {
            rsp.begin_map()?;
            rsp.str("slot")?.u8(slot % 2)?;
            match p.slot(slot) {
                Some(area) => {
                    rsp.str("size")?.u32(area.size())?;
                    if direct {
                        // Cannot overflow: slots are below 2 × 127.
                        rsp.str("upload_image_id")?.u8(slot + 1)?;
                    } else if slot == opposite(active) {
                        rsp.str("upload_image_id")?.u8(image)?;
                    }
                    if slot == opposite(active) {
                        max_size = Some(max_image_size(
                            &config,
                            area.size(),
                            area.erase_size(),
                            area.write_size(),
                        ));
                    }
                }
                None => {
                    rsp.str("rc")?.i32(SLOT_OPEN_FAILED_RC)?;
                }
            }
            rsp.end()?;
        }
        rsp.end()?;
        if let Some(max) = max_size {
            rsp.str("max_image_size")?.u32(max)?;
        }
        rsp.end()?;
    }
    rsp.end()?;
    Ok(())
}
