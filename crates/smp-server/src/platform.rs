//! The platform a server runs on, as the groups see it: one small trait per
//! group, bundled in [`Platform`].

pub use crate::groups::image::ImagePlatform;
pub use crate::groups::os::OsPlatform;

/// Everything the groups need from the device.
pub trait Platform {
    fn os(&mut self) -> &mut dyn OsPlatform;

    /// Image slots; `None` where the device has none (the image group then
    /// answers rc 8).
    fn image(&mut self) -> Option<&mut dyn ImagePlatform> {
        None
    }
}
