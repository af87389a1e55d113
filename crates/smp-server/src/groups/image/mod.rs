//! Group 1, image management (protocol.md §2.1).

use crate::flash::FlashArea;
use crate::mcuboot::BootConfig;

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
}
