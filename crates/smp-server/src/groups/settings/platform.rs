//! What the settings group and the device exchange: the running values and
//! their storage, the failures, and the group's errors.

use crate::header::GroupId;

crate::group_errors! {
    /// Settings group errors (`err.rc` with group 3).
    pub enum SettingsError for GroupId::SETTINGS {
        /// An error no other code describes, such as a failure of the store.
        Unknown = 1 => Unknown,
        /// The key does not fit the platform's name buffer.
        KeyTooLong = 2 => Inval,
        /// No setting has that key.
        KeyNotFound = 3 => NoEnt,
        /// The setting cannot be read.
        ReadNotSupported = 4 => NoEnt,
        /// No settings handler serves the key's first part.
        RootKeyNotFound = 5 => Unknown,
        /// The setting cannot be written.
        WriteNotSupported = 6 => Unknown,
        /// The setting cannot be deleted.
        DeleteNotSupported = 7 => Unknown,
        /// The store cannot save.
        SaveNotSupported = 8 => Unknown,
    }
}

/// Zephyr's `CONFIG_MCUMGR_GRP_SETTINGS_NAME_LEN` default.
pub const NAME_LEN: usize = 32;
/// Zephyr's `CONFIG_MCUMGR_GRP_SETTINGS_VALUE_LEN` default.
pub const VALUE_LEN: usize = 32;

/// Why the platform could not do a settings operation (the errno classes
/// Zephyr's handlers distinguish).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SettingsFailure {
    /// No handler for the key's root (`-EINVAL`).
    RootNotFound,
    /// No such key (`-ENOENT`).
    NotFound,
    /// The key or the store does not support the operation (`-ENOTSUP`).
    NotSupported,
    /// Anything else (storage error).
    Failed,
}

/// What the settings group asks of the platform.
pub trait SettingsPlatform {
    /// Size of the name buffer: names of this many bytes or more get
    /// err {3, 2} (KEY_TOO_LONG).
    fn name_len(&self) -> usize {
        NAME_LEN
    }

    /// Largest value written or read.
    fn value_len(&self) -> usize {
        VALUE_LEN
    }

    /// Copies the running value of `name` into `out` (as much as fits) and
    /// returns its full length, which may exceed `out.len()`.
    fn read(&mut self, name: &str, out: &mut [u8]) -> Result<usize, SettingsFailure>;

    /// Sets the running value of `name` (not saved until [`Self::save`]).
    fn write(&mut self, name: &str, value: &[u8]) -> Result<(), SettingsFailure>;

    /// Deletes `name` from storage.
    fn delete(&mut self, name: &str) -> Result<(), SettingsFailure>;

    /// Applies the running values.
    fn commit(&mut self) -> Result<(), SettingsFailure>;

    /// Loads the stored values into the running ones, then commits.
    fn load(&mut self) -> Result<(), SettingsFailure>;

    /// Saves the running values: all, or the key or subtree `name`.
    fn save(&mut self, name: Option<&str>) -> Result<(), SettingsFailure>;
}
