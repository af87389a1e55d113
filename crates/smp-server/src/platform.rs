//! The platform a server runs on, as the groups see it: one small trait per
//! group, bundled in [`Platform`].

use core::any::Any;

pub use crate::groups::fs::platform::FsPlatform;
pub use crate::groups::image::platform::ImagePlatform;
pub use crate::groups::memfault::platform::MemfaultPlatform;
pub use crate::groups::os::platform::OsPlatform;
pub use crate::groups::settings::platform::SettingsPlatform;
pub use crate::groups::shell::platform::ShellPlatform;
pub use crate::groups::stat::platform::StatPlatform;
pub use crate::groups::zephyr_basic::platform::BasicPlatform;
pub use crate::request::Access;

/// Everything the groups need from the device.
///
/// Every accessor but [`Platform::os`] has a default of `None`: a group whose
/// platform part is missing answers its commands with rc 8.
pub trait Platform {
    /// The OS group's part, which every device has (reset, at least).
    fn os(&mut self) -> &mut dyn OsPlatform;

    /// Image slots; `None` where the device has none (the image group then
    /// answers rc 8).
    fn image(&mut self) -> Option<&mut dyn ImagePlatform> {
        None
    }

    /// Statistics of the device itself; without it the statistics group
    /// still reports the server's own counters.
    fn stat(&mut self) -> Option<&mut dyn StatPlatform> {
        None
    }

    /// The settings store (group 3).
    fn settings(&mut self) -> Option<&mut dyn SettingsPlatform> {
        None
    }

    /// The file system (group 8).
    fn fs(&mut self) -> Option<&mut dyn FsPlatform> {
        None
    }

    /// The shell (group 9).
    fn shell(&mut self) -> Option<&mut dyn ShellPlatform> {
        None
    }

    /// Storage erase (group 63).
    fn basic(&mut self) -> Option<&mut dyn BasicPlatform> {
        None
    }

    /// Memfault device information (group 128).
    fn memfault(&mut self) -> Option<&mut dyn MemfaultPlatform> {
        None
    }

    /// The application's own state, for the groups it adds (their handlers
    /// take it with [`Ctx::app`](crate::Ctx::app)); `None` where it has none.
    fn app(&mut self) -> Option<&mut dyn Any> {
        None
    }
}
