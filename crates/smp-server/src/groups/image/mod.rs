//! Group 1, image management (protocol.md §2.1): image state read and write,
//! upload, erase and slot info, over MCUboot slots ([`crate::mcuboot`]).

mod erase;
mod state;
mod upload;

pub use upload::{UploadState, TAIL_MAX};

use crate::dispatch::{Command, Ctx, Group};
use crate::error::{Error, MgmtErr};
use crate::flash::{FlashArea, FlashError};
use crate::header::GroupId;
use crate::mcuboot::{
    read_image_info, read_trailer, swap_type_for, BootConfig, BootMode, ImageError, ImageInfo,
    NextBoot, NextBootType, SwapType, Trailer, TrailerLayout,
};

crate::group_errors! {
    /// Image group errors (`err.rc` with group 1) and their v1 translation (§1.9).
    pub enum ImageMgmtError for GroupId::IMAGE {
        Unknown = 1 => Unknown,
        FlashConfigQueryFail = 2 => Unknown,
        NoImage = 3 => NoEnt,
        NoTlvs = 4 => NoEnt,
        InvalidTlv = 5 => Unknown,
        TlvMultipleHashesFound = 6 => Unknown,
        TlvInvalidSize = 7 => Unknown,
        HashNotFound = 8 => Unknown,
        NoFreeSlot = 9 => BadState,
        FlashOpenFailed = 10 => Unknown,
        FlashReadFailed = 11 => Unknown,
        FlashWriteFailed = 12 => Unknown,
        FlashEraseFailed = 13 => Unknown,
        InvalidSlot = 14 => Inval,
        NoFreeMemory = 15 => NoMem,
        FlashContextAlreadySet = 16 => Unknown,
        FlashContextNotSet = 17 => Unknown,
        FlashAreaDeviceNull = 18 => Unknown,
        InvalidPageOffset = 19 => Inval,
        InvalidOffset = 20 => Inval,
        InvalidLength = 21 => Inval,
        InvalidImageHeader = 22 => Inval,
        InvalidImageHeaderMagic = 23 => Unknown,
        InvalidHash = 24 => Inval,
        InvalidFlashAddress = 25 => Inval,
        VersionGetFailed = 26 => Unknown,
        CurrentVersionIsNewer = 27 => BadState,
        ImageAlreadyPending = 28 => BadState,
        InvalidImageVectorTable = 29 => Unknown,
        InvalidImageTooLarge = 30 => Unknown,
        InvalidImageDataOverrun = 31 => Unknown,
        ImageConfirmationDenied = 32 => Unknown,
        ImageSettingTestToActiveDenied = 33 => Unknown,
        ActiveSlotNotKnown = 34 => Unknown,
    }
}

impl From<ImageError> for ImageMgmtError {
    fn from(e: ImageError) -> Self {
        match e {
            ImageError::InvalidHeader => ImageMgmtError::InvalidImageHeader,
            ImageError::NoImage => ImageMgmtError::NoImage,
            ImageError::BadMagic => ImageMgmtError::InvalidImageHeaderMagic,
            ImageError::NoTlvs => ImageMgmtError::NoTlvs,
            ImageError::InvalidTlv => ImageMgmtError::InvalidTlv,
            ImageError::MultipleHashes => ImageMgmtError::TlvMultipleHashesFound,
            ImageError::TlvInvalidSize => ImageMgmtError::TlvInvalidSize,
            ImageError::HashNotFound => ImageMgmtError::HashNotFound,
            ImageError::Flash(_) => ImageMgmtError::FlashReadFailed,
        }
    }
}

/// What the image group asks of the platform.
///
/// Image `n` owns absolute slots `2n` (primary, the one that runs) and `2n + 1`
/// (secondary, where uploads go).
pub trait ImagePlatform {
    /// Number of updatable images (1 or 2).
    fn image_count(&self) -> u8;
    /// The flash of an absolute slot; `None` when the slot does not exist.
    fn slot(&mut self, slot: u8) -> Option<&mut dyn FlashArea>;
    /// The absolute slot the running image of `image` executes from.
    fn active_slot(&self, image: u8) -> u8;
    /// The bootloader configuration that decides trailer layout and flags.
    fn boot_config(&self) -> BootConfig;
    /// The image whose code is running (the application, image 0 by default):
    /// only its active slot may be confirmed.
    fn active_image(&self) -> u8 {
        0
    }
    /// Whether version comparisons (upload `upgrade`, direct-XIP pending)
    /// count the build number (`MCUMGR_GRP_IMG_VERSION_CMP_USE_BUILD_NUMBER`).
    fn version_cmp_use_build(&self) -> bool {
        false
    }
}

/// The group with every command.
pub static GROUP: Group = group(&COMMANDS_ALL);

static COMMANDS_ALL: [Command; 7] = commands(ImageCommands::ALL);

/// Which optional commands a server offers; without them they answer rc 8
/// and their code is left out of the image. As Zephyr's
/// `MCUMGR_GRP_IMG_SLOT_INFO` (state, upload and erase are always there).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImageCommands {
    pub slot_info: bool,
}

impl ImageCommands {
    pub const ALL: ImageCommands = ImageCommands { slot_info: true };
}

/// The command table (by id) with the commands of `which` (see
/// [`crate::groups::os::commands`] for how a server builds its group).
pub const fn commands(which: ImageCommands) -> [Command; 7] {
    [
        Command::read_write(state::read, state::write),
        Command::write(upload::upload),
        Command::NONE, // file
        Command::NONE, // corelist
        Command::NONE, // coreload
        Command::write(erase::erase),
        if which.slot_info {
            Command::read(erase::slot_info)
        } else {
            Command::NONE
        },
    ]
}

/// The group over a command table made by [`commands`].
pub const fn group(commands: &'static [Command; 7]) -> Group {
    Group {
        id: GroupId::IMAGE,
        name: "img mgmt",
        commands,
    }
}

/// The platform's image slots, or rc 8 where it has none.
fn platform<'a>(ctx: &'a mut Ctx<'_>) -> Result<&'a mut dyn ImagePlatform, Error> {
    ctx.platform.image().ok_or(MgmtErr::NotSup.into())
}

/// The number of image pairs, capped so that every absolute slot fits a `u8`.
fn image_count(p: &dyn ImagePlatform) -> u8 {
    p.image_count().min(127)
}

/// The other slot of the pair `slot` belongs to.
fn opposite(slot: u8) -> u8 {
    slot ^ 1
}

/// The active slot of `image`, checked to be one of its two slots.
fn active_slot(p: &dyn ImagePlatform, image: u8) -> Result<u8, ImageMgmtError> {
    let slot = p.active_slot(image);
    if slot / 2 == image {
        Ok(slot)
    } else {
        Err(ImageMgmtError::ActiveSlotNotKnown)
    }
}

/// The image in `slot`, if it holds a valid one (a missing slot holds none).
fn slot_image(p: &mut dyn ImagePlatform, slot: u8) -> Result<ImageInfo, ImageError> {
    match p.slot(slot) {
        Some(area) => read_image_info(area),
        None => Err(ImageError::NoImage),
    }
}

/// The trailer of `slot`; a missing slot reads as erased (as MCUboot treats
/// an unreachable secondary slot).
fn slot_trailer(
    p: &mut dyn ImagePlatform,
    slot: u8,
    config: &BootConfig,
) -> Result<Trailer, FlashError> {
    match p.slot(slot) {
        Some(area) => {
            let layout = TrailerLayout::new(area.size(), config.max_align);
            read_trailer(area, &layout)
        }
        None => Ok(Trailer::ERASED),
    }
}

/// Whether `mode` has no trailer-driven swap: the bootloader picks the slot
/// with the higher version.
fn version_based(mode: BootMode) -> bool {
    matches!(
        mode,
        BootMode::DirectXip | BootMode::DirectXipWithRevert | BootMode::RamLoad
    )
}

/// What boots next for `image` whose active slot is `active`.
///
/// Swap and overwrite modes: the swap type of the pair's trailers (a primary
/// trailer that cannot be read is PANIC, a secondary one erased, as MCUboot
/// does). Direct-XIP and RAM-load: the other slot when its image is newer.
fn next_boot(p: &mut dyn ImagePlatform, image: u8, active: u8) -> NextBoot {
    let config = p.boot_config();
    if version_based(config.mode) {
        let use_build = p.version_cmp_use_build();
        let newer = match (slot_image(p, active), slot_image(p, opposite(active))) {
            (Ok(a), Ok(o)) => a
                .header
                .version
                .compare(&o.header.version, use_build)
                .is_lt(),
            _ => false,
        };
        return NextBoot {
            other_slot: newer,
            kind: NextBootType::Normal,
        };
    }
    let swap = match slot_trailer(p, 2 * image, &config) {
        Err(_) => SwapType::Panic,
        Ok(primary) => {
            let secondary = slot_trailer(p, 2 * image + 1, &config).unwrap_or(Trailer::ERASED);
            swap_type_for(config.mode, &primary, &secondary)
        }
    };
    NextBoot::from_swap_type(swap)
}

/// The slot that boots next and how (`img_mgmt_get_next_boot_slot`).
fn next_boot_slot(p: &mut dyn ImagePlatform, image: u8, active: u8) -> (u8, NextBootType) {
    let next = next_boot(p, image, active);
    let slot = if next.other_slot {
        opposite(active)
    } else {
        active
    };
    (slot, next.kind)
}

/// `img_mgmt_slot_in_use` with `ALLOW_ERASE_PENDING`: the active slot, and
/// the slot a revert will bring back. A pending slot may be replaced.
fn slot_in_use(p: &mut dyn ImagePlatform, slot: u8) -> Result<bool, ImageMgmtError> {
    let image = slot / 2;
    let active = active_slot(p, image)?;
    let (next, kind) = next_boot_slot(p, image, active);
    Ok(slot == active || (slot == next && kind == NextBootType::Revert))
}

#[cfg(test)]
pub(crate) mod tests;
