//! Image upload (command 1): first-chunk checks, resume, and streaming into
//! the slot with progressive erase.
//!
//! Each chunk's aligned part is written straight from the request; only the
//! unaligned tail (less than one write unit) waits in [`Upload::tail`] for the
//! next chunk, and is written padded with the erased value at completion.
//! Sectors are erased just before the first write into them, unless already
//! erased, so no request waits on erasing the whole slot.

use super::build::ImageBuild;
use super::platform::{ImageMgmtError, ImagePlatform};
use super::slots::{
    active_slot, image_count, image_offset, opposite, slot_image, slot_in_use, Known,
};
use super::state::{Upload, UploadState, TAIL_MAX};
use crate::cbor::{bool_or_int, decode_map, once, Field, Response};
use crate::dispatch::{Ctx, Request};
use crate::error::{Error, MgmtErr};
use crate::event::{Event, TransferKind};
use crate::flash::FlashArea;
use crate::hooks::{DfuEvent, Hooks, UploadCheck};
use crate::mcuboot::{
    align_down, max_image_size, sha256_of, ImageError, ImageHeader, TrailerLayout, HASH_LEN,
};

/// The fields of one upload request.
struct Chunk<'a> {
    off: Option<u32>,
    data: &'a [u8],
    len: Option<u32>,
    image: u32,
    sha: Option<&'a [u8]>,
    upgrade: bool,
}

/// What the response carries besides errors.
struct Reply {
    off: u32,
    matched: Option<bool>,
}

pub(super) fn upload<B: ImageBuild>(
    ctx: &mut Ctx<'_>,
    req: &Request<'_>,
    rsp: &mut Response<'_>,
) -> Result<(), Error> {
    let (mut off, mut data, mut len, mut image, mut sha, mut upgrade) =
        (None, None, None, None, None, None);
    decode_map(req.payload, |key, dec| match key {
        k if k == b"off" => once(&mut off, crate::cbor::uint::<u32>(dec)),
        k if k == b"data" => once(&mut data, dec.bytes()),
        k if k == b"len" => once(&mut len, crate::cbor::uint::<u32>(dec)),
        k if k == b"image" => once(&mut image, crate::cbor::uint::<u32>(dec)),
        k if k == b"sha" => once(&mut sha, dec.bytes()),
        k if k == b"upgrade" => once(&mut upgrade, bool_or_int(dec)),
        _ => Ok(Field::Unknown),
    })?;
    let chunk = Chunk {
        off,
        data: data.unwrap_or_default(),
        len,
        image: image.unwrap_or(0),
        sha,
        upgrade: upgrade.unwrap_or(false),
    };
    let state = &mut ctx.state.image;
    let hooks = &mut *ctx.hooks;
    let p = &mut Known::<B>::new(ctx.platform.image().ok_or(MgmtErr::NotSup)?);
    let mut accepted = 0;
    let mut refusal = None;
    let result = accept::<B, _>(p, hooks, &mut refusal, state, &chunk, &mut accepted);
    if result.is_err() {
        if let Some((slot, _, _)) = state.progress() {
            super::build::dfu::<B>(
                hooks,
                &DfuEvent::Stopped {
                    image: slot / 2,
                    slot,
                },
            );
        }
        state.reset();
    }
    if accepted > 0 {
        ctx.notify(Event::Transferred {
            kind: TransferKind::ImageUpload,
            bytes: accepted,
        });
    }
    // The upload check's own error, when it refused the upload.
    let reply = result.map_err(|e| refusal.unwrap_or(e.into()))?;
    rsp.str("off")?.u32(reply.off)?;
    if let Some(matched) = reply.matched {
        rsp.str("match")?.bool(matched)?;
    }
    Ok(())
}

/// `accepted` counts the data bytes written (the statistics group's
/// `smp_transfer`).
fn accept<B: ImageBuild, P: ImagePlatform + ?Sized>(
    p: &mut P,
    hooks: &mut dyn Hooks,
    refusal: &mut Option<Error>,
    state: &mut UploadState,
    chunk: &Chunk<'_>,
    accepted: &mut u64,
) -> Result<Reply, ImageMgmtError> {
    let off = chunk.off.ok_or(ImageMgmtError::InvalidOffset)?;
    if off == 0 {
        if let Some(reply) = start::<B, _>(p, hooks, refusal, state, chunk)? {
            return Ok(reply);
        }
    }
    let Some(up) = state.current.as_mut() else {
        // Nothing in progress (completed, failed, lost at reset): the client
        // must start again from 0 with `len`.
        return Ok(Reply {
            off: 0,
            matched: None,
        });
    };
    if off != up.off {
        // A stale or duplicate chunk (pipelined clients, retries): drop it
        // and tell where to continue.
        return Ok(Reply {
            off: up.off,
            matched: None,
        });
    }
    if u64::from(off) + chunk.data.len() as u64 > u64::from(up.len) {
        return Err(ImageMgmtError::InvalidImageDataOverrun);
    }
    let area = p.slot(up.slot).ok_or(ImageMgmtError::FlashOpenFailed)?;
    write(up, area, chunk.data)?;
    *accepted += chunk.data.len() as u64;
    let (image, slot) = (up.slot / 2, up.slot);
    if off == 0 {
        super::build::dfu::<B>(
            hooks,
            &DfuEvent::Started {
                image,
                slot,
                size: up.len,
                hash: &up.sha,
            },
        );
    }
    super::build::dfu::<B>(
        hooks,
        &DfuEvent::Chunk {
            image,
            slot,
            offset: off,
            len: chunk.data.len() as u32,
        },
    );
    if up.off < up.len {
        return Ok(Reply {
            off: up.off,
            matched: None,
        });
    }
    flush_tail(up, area)?;
    let matched = if B::IMAGE_CHECK && up.sha.len() == HASH_LEN {
        Some(slot_matches(area, up.base, up.len, &up.sha)?)
    } else {
        None
    };
    let reply = Reply {
        off: up.len,
        matched,
    };
    state.reset();
    super::build::dfu::<B>(hooks, &DfuEvent::Pending { image, slot });
    Ok(reply)
}

/// The checks of a first chunk (`off` 0). Sets up a new upload and returns
/// `None` for the data to be written, or answers at once (resume, image
/// already there).
fn start<B: ImageBuild, P: ImagePlatform + ?Sized>(
    p: &mut P,
    hooks: &mut dyn Hooks,
    refusal: &mut Option<Error>,
    state: &mut UploadState,
    chunk: &Chunk<'_>,
) -> Result<Option<Reply>, ImageMgmtError> {
    if chunk.data.len() < crate::mcuboot::IMAGE_HEADER_SIZE {
        return Err(ImageMgmtError::InvalidImageHeader);
    }
    let len = chunk.len.ok_or(ImageMgmtError::InvalidLength)?;
    let header = ImageHeader::parse(chunk.data).map_err(|e| match e {
        ImageError::NoImage | ImageError::BadMagic => ImageMgmtError::InvalidImageHeaderMagic,
        _ => ImageMgmtError::InvalidImageHeader,
    })?;
    let sha = chunk.sha.unwrap_or_default();
    let sha =
        heapless::Vec::<u8, HASH_LEN>::from_slice(sha).map_err(|_| ImageMgmtError::InvalidHash)?;

    // Resume: the same `sha` as the upload in progress.
    if let Some(up) = &state.current {
        if !sha.is_empty() && up.sha == sha {
            return Ok(Some(Reply {
                off: up.off,
                matched: None,
            }));
        }
        // Another image replaces the one left unfinished.
        super::build::dfu::<B>(
            hooks,
            &DfuEvent::Stopped {
                image: up.slot / 2,
                slot: up.slot,
            },
        );
    }
    state.reset();

    let (image, slot) = target_slot(p, chunk.image)?;
    let config = p.boot_config();
    let use_build = p.version_cmp_use_build();
    if chunk.upgrade {
        let running_slot = active_slot(p, image)?;
        let running = slot_image(p, running_slot).map_err(|_| ImageMgmtError::VersionGetFailed)?;
        if running
            .header
            .version
            .compare(&header.version, use_build)
            .is_ge()
        {
            return Err(ImageMgmtError::CurrentVersionIsNewer);
        }
    }

    let base = image_offset(p, slot);
    let slot_area = p.slot(slot).ok_or(ImageMgmtError::NoFreeSlot)?;
    let (size, es, ws) = (
        slot_area.size(),
        slot_area.erase_size(),
        slot_area.write_size(),
    );
    if ws == 0 || ws as usize > TAIL_MAX || es == 0 || es % ws != 0 {
        return Err(ImageMgmtError::FlashConfigQueryFail);
    }
    if len > size.saturating_sub(base) || len > max_image_size(&config, size, es, ws) {
        return Err(ImageMgmtError::InvalidImageTooLarge);
    }
    if chunk.data.len() as u64 > u64::from(len) {
        return Err(ImageMgmtError::InvalidImageDataOverrun);
    }
    // The slot can only hold this file if it starts with this chunk: checked
    // first, since hashing the slot costs a read of `len` bytes (most
    // uploads go to an erased or different slot).
    if B::IMAGE_CHECK
        && sha.len() == HASH_LEN
        && slot_starts_with(slot_area, base, chunk.data)?
        && slot_matches(slot_area, base, len, &sha)?
    {
        // The slot already holds exactly this file.
        return Ok(Some(Reply {
            off: len,
            matched: Some(true),
        }));
    }

    if B::UPLOAD_CHECK_HOOK {
        let check = UploadCheck {
            image,
            slot,
            size: len,
            header: &header,
            data: chunk.data,
        };
        if let Err(e) = hooks.upload_check(&check) {
            // Reported as the hook's own error (the caller takes it from here).
            *refusal = Some(e);
            return Err(ImageMgmtError::Unknown);
        }
    }

    // A trailer left by an earlier image must not schedule this one, and
    // nothing left before the image (an image at 0 that a swap using offset
    // put there) may be taken for it.
    let slot_area = p.slot(slot).ok_or(ImageMgmtError::NoFreeSlot)?;
    let layout = TrailerLayout::new(size, config.max_align);
    let trailer_from = align_down(size.saturating_sub(layout.info_size()), es);
    let mut trailer_erased = trailer_from;
    erase_up_to(slot_area, &mut trailer_erased, size)?;
    erase_up_to(slot_area, &mut 0, base)?;

    state.current = Some(Upload {
        slot,
        base,
        len,
        off: 0,
        sha,
        tail: heapless::Vec::new(),
        erased_to: base,
    });
    Ok(None)
}

/// The image and the absolute slot an upload goes to: with one image the
/// first slot not in use (`image` ignored), with several the secondary of
/// `image`; with direct upload, `image` N > 0 is slot N − 1 whatever the
/// image count. None free (or no such slot) is err 9.
fn target_slot<P: ImagePlatform + ?Sized>(
    p: &mut P,
    image: u32,
) -> Result<(u8, u8), ImageMgmtError> {
    let count = image_count(p);
    if p.direct_upload() && image > 0 {
        // Direct upload: `image` is the absolute slot plus one.
        let slot = u8::try_from(image - 1)
            .ok()
            .filter(|s| *s < 2 * count && p.slot(*s).is_some())
            .ok_or(ImageMgmtError::NoFreeSlot)?;
        if slot_in_use(p, slot)? {
            return Err(ImageMgmtError::NoFreeSlot);
        }
        return Ok((slot / 2, slot));
    }
    if count <= 1 {
        for slot in [0, 1] {
            if p.slot(slot).is_some() && !slot_in_use(p, slot)? {
                return Ok((0, slot));
            }
        }
        return Err(ImageMgmtError::NoFreeSlot);
    }
    let image = u8::try_from(image)
        .ok()
        .filter(|i| *i < count)
        .ok_or(ImageMgmtError::NoFreeSlot)?;
    let slot = opposite(active_slot(p, image)?);
    if p.slot(slot).is_none() || slot_in_use(p, slot)? {
        return Err(ImageMgmtError::NoFreeSlot);
    }
    Ok((image, slot))
}

/// Writes `data` (accepted at `up.off`): completes the pending tail first,
/// then the aligned middle straight from `data`, and keeps the rest.
fn write(up: &mut Upload, area: &mut dyn FlashArea, data: &[u8]) -> Result<(), ImageMgmtError> {
    // Checked to be 1..=TAIL_MAX when the upload started.
    let ws = (area.write_size() as usize).max(1);
    let mut rest = data;
    if !up.tail.is_empty() {
        let take = ws.saturating_sub(up.tail.len()).min(rest.len());
        // Cannot overflow: the tail stays below one write unit <= TAIL_MAX.
        let (head, tail) = crate::bytes::split(rest, take);
        let _ = up.tail.extend_from_slice(head);
        rest = tail;
        up.off += take as u32;
        if up.tail.len() == ws {
            let at = up.base + up.off - ws as u32;
            program(&mut up.erased_to, area, at, &up.tail)?;
            up.tail.clear();
        }
    }
    let (aligned, rest) = crate::bytes::split(rest, rest.len() / ws * ws);
    if !aligned.is_empty() {
        program(&mut up.erased_to, area, up.base + up.off, aligned)?;
        up.off += aligned.len() as u32;
    }
    let _ = up.tail.extend_from_slice(rest);
    up.off += rest.len() as u32;
    Ok(())
}

/// Writes the last partial unit, padded with the erased value.
fn flush_tail(up: &mut Upload, area: &mut dyn FlashArea) -> Result<(), ImageMgmtError> {
    if up.tail.is_empty() {
        return Ok(());
    }
    let ws = area.write_size() as usize;
    let mut unit = [area.erased_value(); TAIL_MAX];
    let Some(head) = unit.get_mut(..up.tail.len()) else {
        return Err(ImageMgmtError::FlashWriteFailed);
    };
    crate::bytes::copy(head, &up.tail);
    let at = up.base + up.off - up.tail.len() as u32;
    let unit = unit.get(..ws).ok_or(ImageMgmtError::FlashWriteFailed)?;
    program(&mut up.erased_to, area, at, unit)?;
    up.tail.clear();
    Ok(())
}

/// Erases what is needed and writes `bytes` at `at`.
fn program(
    erased_to: &mut u32,
    area: &mut dyn FlashArea,
    at: u32,
    bytes: &[u8],
) -> Result<(), ImageMgmtError> {
    erase_up_to(area, erased_to, at + bytes.len() as u32)?;
    area.write(at, bytes)
        .map_err(|_| ImageMgmtError::FlashWriteFailed)
}

/// Makes every sector from `*erased_to` up to the one holding `end - 1`
/// erased, erasing only those that are not, and advances `*erased_to`.
pub(super) fn erase_up_to(
    area: &mut dyn FlashArea,
    erased_to: &mut u32,
    end: u32,
) -> Result<(), ImageMgmtError> {
    let es = area.erase_size();
    while *erased_to < end {
        let from = *erased_to;
        let to = from.saturating_add(es).min(area.size());
        if to <= from {
            return Err(ImageMgmtError::FlashEraseFailed);
        }
        if !is_erased(area, from, to)? {
            area.erase(from, from + es)
                .map_err(|_| ImageMgmtError::FlashEraseFailed)?;
        }
        *erased_to = to;
    }
    Ok(())
}

/// Whether `[from, to)` reads as erased.
pub(super) fn is_erased(
    area: &mut dyn FlashArea,
    from: u32,
    to: u32,
) -> Result<bool, ImageMgmtError> {
    let erased = area.erased_value();
    let mut buf = [0u8; 64];
    let mut off = from;
    while off < to {
        let n = (to - off).min(buf.len() as u32);
        let chunk = buf.get_mut(..n as usize).unwrap_or_default();
        area.read(off, chunk)
            .map_err(|_| ImageMgmtError::FlashReadFailed)?;
        if chunk.iter().any(|b| *b != erased) {
            return Ok(false);
        }
        off += n;
    }
    Ok(true)
}

/// Whether the slot holds `data` at `base`.
fn slot_starts_with(
    area: &mut dyn FlashArea,
    base: u32,
    data: &[u8],
) -> Result<bool, ImageMgmtError> {
    let mut buf = [0u8; 64];
    for (i, expected) in data.chunks(buf.len()).enumerate() {
        let read = buf.get_mut(..expected.len()).unwrap_or_default();
        area.read(base + (i * 64) as u32, read)
            .map_err(|_| ImageMgmtError::FlashReadFailed)?;
        if read != expected {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Whether the `len` bytes of the slot from `base` hash to `sha`.
fn slot_matches(
    area: &mut dyn FlashArea,
    base: u32,
    len: u32,
    sha: &[u8],
) -> Result<bool, ImageMgmtError> {
    let digest = sha256_of(area, base, base.saturating_add(len))
        .map_err(|_| ImageMgmtError::FlashReadFailed)?;
    Ok(digest[..] == *sha)
}
