//! Image state read and write (command 0).

use super::build::ImageBuild;
use super::platform::{ImageMgmtError, ImagePlatform};
use super::slots::{
    active_slot, image_count, next_boot, next_boot_slot, opposite, platform, slot_image,
    version_based,
};
use crate::cbor::{bool_or_int, decode_map, once, Field, Response};
use crate::dispatch::{Ctx, Request};
use crate::error::{Error, MgmtErr};
use crate::hooks::DfuEvent;
use crate::mcuboot::{
    pair_flags, set_next, BootMode, NextBootType, SetNextError, TrailerLayout, HASH_LEN,
};

/// State read: `{"images": [...], "splitStatus": 0}`.
pub(super) fn read<B: ImageBuild>(
    ctx: &mut Ctx<'_>,
    _: &Request<'_>,
    rsp: &mut Response<'_>,
) -> Result<(), Error> {
    encode_state(&mut platform::<B>(ctx)?, rsp)
}

/// One entry per slot holding a valid image, in slot order, with the flags of
/// protocol.md §4.5; `image` only when there are several images.
fn encode_state<P: ImagePlatform + ?Sized>(p: &mut P, rsp: &mut Response<'_>) -> Result<(), Error> {
    let count = image_count(p);
    rsp.str("images")?.begin_array()?;
    for image in 0..count {
        let active = active_slot(p, image)?;
        let (active_flags, other_flags) = pair_flags(next_boot(p, image, active));
        for slot in [2 * image, 2 * image + 1] {
            let Ok(info) = slot_image(p, slot) else {
                continue;
            };
            let flags = if slot == active {
                active_flags
            } else {
                other_flags
            };
            let version = info.header.version.text();
            rsp.begin_map()?;
            if count > 1 {
                rsp.str("image")?.u8(image)?;
            }
            rsp.str("slot")?.u8(slot % 2)?;
            rsp.str("version")?.str(&version)?;
            rsp.str("hash")?.bytes(&info.hash)?;
            rsp.str("bootable")?.bool(info.header.bootable())?;
            rsp.str("pending")?.bool(flags.pending)?;
            rsp.str("confirmed")?.bool(flags.confirmed)?;
            rsp.str("active")?.bool(flags.active)?;
            rsp.str("permanent")?.bool(flags.permanent)?;
            rsp.end()?;
        }
    }
    rsp.end()?;
    rsp.str("splitStatus")?.u8(0)?;
    Ok(())
}

/// State write: `{"hash": bstr, "confirm": bool}`; answers with the new state.
pub(super) fn write<B: ImageBuild>(
    ctx: &mut Ctx<'_>,
    req: &Request<'_>,
    rsp: &mut Response<'_>,
) -> Result<(), Error> {
    let (mut hash, mut confirm) = (None, None);
    decode_map(req.payload, |key, dec| match key {
        k if k == b"hash" => once(&mut hash, dec.bytes()),
        k if k == b"confirm" => once(&mut confirm, bool_or_int(dec)),
        _ => Ok(Field::Unknown),
    })?;
    let confirm = confirm.unwrap_or(false);
    let p = &mut platform::<B>(ctx)?;
    let mode = p.boot_config().mode;
    if version_based(mode) || matches!(mode, BootMode::FirmwareLoader | BootMode::SingleSlotRamLoad)
    {
        // Zephyr builds no state-write handler for these modes.
        return Err(MgmtErr::NotSup.into());
    }
    let slot = match hash {
        None | Some([]) if confirm => active_slot(p, p.active_image())?,
        None | Some([]) => return Err(ImageMgmtError::InvalidHash.into()),
        Some(h) if h.len() != HASH_LEN => return Err(ImageMgmtError::InvalidHash.into()),
        Some(h) => find_by_hash(p, h).ok_or(ImageMgmtError::HashNotFound)?,
    };
    set_next_boot_slot(p, slot, confirm)?;
    let image = slot / 2;
    super::build::dfu::<B>(
        ctx.hooks,
        &if confirm {
            DfuEvent::Confirmed { image, slot }
        } else {
            DfuEvent::Pending { image, slot }
        },
    );
    encode_state(&mut platform::<B>(ctx)?, rsp)
}

/// The slot whose image has this SHA-256 TLV.
fn find_by_hash<P: ImagePlatform + ?Sized>(p: &mut P, hash: &[u8]) -> Option<u8> {
    (0..2 * image_count(p)).find(|&slot| slot_image(p, slot).is_ok_and(|i| i.hash == hash))
}

/// `img_mgmt_set_next_boot_slot`: the rules of protocol.md §2.1's state-write
/// table, then `boot_set_next` on the slot's trailer.
fn set_next_boot_slot<P: ImagePlatform + ?Sized>(
    p: &mut P,
    slot: u8,
    confirm: bool,
) -> Result<(), ImageMgmtError> {
    let image = slot / 2;
    let active = active_slot(p, image)?;
    let (next, kind) = next_boot_slot(p, image, active);

    // ALLOW_CONFIRM_NON_ACTIVE_IMAGE_SECONDARY: of another image, only the
    // secondary slot may be confirmed.
    if confirm && image != p.active_image() && slot == active {
        return Err(ImageMgmtError::ImageConfirmationDenied);
    }
    if !confirm && slot == active {
        return Err(ImageMgmtError::ImageSettingTestToActiveDenied);
    }
    match kind {
        NextBootType::Test => {
            return if !confirm && slot == next {
                Ok(())
            } else {
                Err(ImageMgmtError::ImageAlreadyPending)
            };
        }
        NextBootType::Normal => {
            if confirm && slot == next {
                return Ok(());
            }
            if (slot == active && active != next) || (!confirm && slot != active && slot == next) {
                return Err(ImageMgmtError::ImageAlreadyPending);
            }
        }
        NextBootType::Revert => {
            if confirm && slot == next {
                return Ok(());
            }
            if !confirm {
                return Err(ImageMgmtError::ImageAlreadyPending);
            }
        }
    }

    let max_align = p.boot_config().max_align;
    let area = p.slot(slot).ok_or(ImageMgmtError::FlashOpenFailed)?;
    let layout = TrailerLayout::new(area.size(), max_align);
    set_next(area, &layout, slot == active, confirm, image).map_err(|e| match e {
        SetNextError::Flash(_) => ImageMgmtError::FlashWriteFailed,
        SetNextError::BadVector => ImageMgmtError::InvalidImageVectorTable,
        SetNextError::BadImage => ImageMgmtError::InvalidImageHeaderMagic,
    })
}

/// The slot of the pair that does not run (for defaults).
pub(super) fn other_slot_of_active_image<P: ImagePlatform + ?Sized>(
    p: &P,
) -> Result<u8, ImageMgmtError> {
    Ok(opposite(active_slot(p, p.active_image())?))
}
