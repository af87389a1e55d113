//! Settings: the running values in memory, the saved ones in `state/settings`.
//!
//! As on a Zephyr device, a write changes the running value only; save
//! writes running values to storage, load reads storage into them (and
//! commits), delete removes a key from storage (and from the running values,
//! so a read shows it gone). At boot the saved values are loaded and committed.
//!
//! Commit applies the one setting the device itself uses: `sim/name`, the
//! node name os info reports (`smp-sim` when unset or not UTF-8).

use std::collections::BTreeMap;
use std::io::ErrorKind;
use std::path::PathBuf;

use log::warn;
use smp_server::groups::settings::{SettingsFailure, SettingsPlatform};

use super::state_file::{hex, unhex, write_atomically};

/// The setting commit applies to the node name.
pub const NODE_NAME_KEY: &str = "sim/name";
/// The node name when `sim/name` is not set.
pub const DEFAULT_NODE_NAME: &str = "smp-sim";
/// Largest value (`CONFIG_MCUMGR_GRP_SETTINGS_VALUE_LEN` of the virtual device).
pub const VALUE_LEN: usize = 256;

/// First line of the settings file.
const FILE_HEADER: &str = "smp-sim settings 1";

pub struct Settings {
    file: PathBuf,
    running: BTreeMap<String, Vec<u8>>,
    /// What the last commit applied of `sim/name`.
    node_name: String,
}

impl Settings {
    /// The settings with the saved values loaded and committed, as a Zephyr
    /// application's `settings_load()` at start-up.
    pub fn boot(file: PathBuf) -> Self {
        let mut settings = Settings {
            file,
            running: BTreeMap::new(),
            node_name: String::new(),
        };
        if let Err(e) = settings.load_stored() {
            warn!("settings: cannot load {}: {e}", settings.file.display());
        }
        settings.apply();
        settings
    }

    /// The node name os info reports.
    pub fn node_name(&self) -> &str {
        &self.node_name
    }

    /// The saved values; none when the file does not exist. Lines that are
    /// not `hex(name) hex(value)` are skipped with a warning.
    pub fn stored(&self) -> std::io::Result<BTreeMap<String, Vec<u8>>> {
        let text = match std::fs::read_to_string(&self.file) {
            Ok(text) => text,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(BTreeMap::new()),
            Err(e) => return Err(e),
        };
        let mut stored = BTreeMap::new();
        for (n, line) in text.lines().enumerate().skip(1) {
            let parsed = line.split_once(' ').and_then(|(k, v)| {
                let name = String::from_utf8(unhex(k)?).ok()?;
                Some((name, unhex(v)?))
            });
            match parsed {
                Some((k, v)) => {
                    stored.insert(k, v);
                }
                None => warn!(
                    "settings: skipped line {} of {}",
                    n + 1,
                    self.file.display()
                ),
            }
        }
        Ok(stored)
    }

    fn store(&self, stored: &BTreeMap<String, Vec<u8>>) -> std::io::Result<()> {
        let mut text = format!("{FILE_HEADER}\n");
        for (k, v) in stored {
            text.push_str(&format!("{} {}\n", hex(k.as_bytes()), hex(v)));
        }
        write_atomically(&self.file, text.as_bytes())
    }

    pub fn get(&self, name: &str) -> Option<&[u8]> {
        self.running.get(name).map(Vec::as_slice)
    }

    pub fn set(&mut self, name: &str, value: &[u8]) {
        self.running.insert(name.to_owned(), value.to_owned());
    }

    /// The running names, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.running.keys().map(String::as_str)
    }

    /// Reads the saved values into the running ones.
    fn load_stored(&mut self) -> std::io::Result<()> {
        for (k, v) in self.stored()? {
            self.running.insert(k, v);
        }
        Ok(())
    }

    /// Saves the running values: all of them, or the key `name` and the keys
    /// below it (`name/...`).
    fn save_running(&self, name: Option<&str>) -> std::io::Result<()> {
        let mut stored = self.stored()?;
        for (k, v) in &self.running {
            let wanted = name.is_none_or(|n| {
                k == n || k.strip_prefix(n).is_some_and(|rest| rest.starts_with('/'))
            });
            if wanted {
                stored.insert(k.clone(), v.clone());
            }
        }
        self.store(&stored)
    }

    /// Erases the saved values (storage erase); the running ones stay until
    /// the next boot, as in RAM.
    pub fn erase_stored(&mut self) -> std::io::Result<()> {
        match std::fs::remove_file(&self.file) {
            Err(e) if e.kind() != ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }

    /// Applies the running settings the device uses.
    fn apply(&mut self) {
        self.node_name = self
            .get(NODE_NAME_KEY)
            .and_then(|v| std::str::from_utf8(v).ok())
            .filter(|n| !n.is_empty())
            .unwrap_or(DEFAULT_NODE_NAME)
            .to_owned();
    }
}

impl SettingsPlatform for Settings {
    fn value_len(&self) -> usize {
        VALUE_LEN
    }

    fn read(&mut self, name: &str, out: &mut [u8]) -> Result<usize, SettingsFailure> {
        let value = self.get(name).ok_or(SettingsFailure::NotFound)?;
        let n = value.len().min(out.len());
        out[..n].copy_from_slice(&value[..n]);
        Ok(value.len())
    }

    fn write(&mut self, name: &str, value: &[u8]) -> Result<(), SettingsFailure> {
        self.set(name, value);
        Ok(())
    }

    /// Removes `name` from storage and from the running values.
    fn delete(&mut self, name: &str) -> Result<(), SettingsFailure> {
        let mut stored = self.stored().map_err(|_| SettingsFailure::Failed)?;
        let was_stored = stored.remove(name).is_some();
        let was_running = self.running.remove(name).is_some();
        if was_stored {
            self.store(&stored).map_err(|_| SettingsFailure::Failed)?;
        }
        if was_stored || was_running {
            Ok(())
        } else {
            Err(SettingsFailure::NotFound)
        }
    }

    fn commit(&mut self) -> Result<(), SettingsFailure> {
        self.apply();
        Ok(())
    }

    fn load(&mut self) -> Result<(), SettingsFailure> {
        self.load_stored().map_err(|e| {
            warn!("settings: load failed: {e}");
            SettingsFailure::Failed
        })?;
        self.apply();
        Ok(())
    }

    fn save(&mut self, name: Option<&str>) -> Result<(), SettingsFailure> {
        self.save_running(name).map_err(|e| {
            warn!("settings: save failed: {e}");
            SettingsFailure::Failed
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::device::testdir::TestDir;

    fn store(dir: &TestDir) -> Settings {
        Settings::boot(dir.path().join("settings"))
    }

    #[test]
    fn saved_values_survive_a_reboot() {
        let dir = TestDir::new();
        let mut s = store(&dir);
        s.set("app/a", b"\x00\x01 two");
        s.save(None).unwrap();
        assert_eq!(store(&dir).get("app/a"), Some(&b"\x00\x01 two"[..]));
    }

    #[test]
    fn unsaved_values_are_lost_at_reboot() {
        let dir = TestDir::new();
        let mut s = store(&dir);
        s.set("app/a", b"1");
        assert_eq!(store(&dir).get("app/a"), None);
    }

    #[test]
    fn save_of_a_subtree_saves_only_its_keys() {
        let dir = TestDir::new();
        let mut s = store(&dir);
        s.set("app/a", b"1");
        s.set("app", b"2");
        s.set("apple", b"3");
        s.save(Some("app")).unwrap();
        let saved: Vec<String> = s.stored().unwrap().into_keys().collect();
        assert_eq!(saved, ["app", "app/a"]);
    }

    #[test]
    fn names_with_any_characters_round_trip() {
        let dir = TestDir::new();
        let mut s = store(&dir);
        s.set("a b\n=c/é", b"v");
        s.save(None).unwrap();
        assert_eq!(store(&dir).get("a b\n=c/é"), Some(&b"v"[..]));
    }

    #[test]
    fn delete_removes_from_storage() {
        let dir = TestDir::new();
        let mut s = store(&dir);
        s.set("k", b"v");
        s.save(None).unwrap();
        s.delete("k").unwrap();
        assert_eq!(store(&dir).get("k"), None);
        assert_eq!(s.delete("k"), Err(SettingsFailure::NotFound));
    }

    #[test]
    fn a_corrupt_line_is_skipped_and_the_rest_loaded() {
        let dir = TestDir::new();
        let file = dir.path().join("settings");
        std::fs::write(&file, format!("{FILE_HEADER}\nzz 00\n6b 76\n")).unwrap();
        assert_eq!(store(&dir).get("k"), Some(&b"v"[..]));
    }

    #[test]
    fn the_file_is_replaced_without_leaving_a_temporary() {
        let dir = TestDir::new();
        let mut s = store(&dir);
        s.set("k", b"v");
        s.save(None).unwrap();
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["settings"]);
    }

    #[test]
    fn erase_forgets_the_saved_values_but_not_the_running_ones() {
        let dir = TestDir::new();
        let mut s = store(&dir);
        s.set("k", b"v");
        s.save(None).unwrap();
        s.erase_stored().unwrap();
        assert_eq!(s.get("k"), Some(&b"v"[..]));
        assert_eq!(store(&dir).get("k"), None);
    }
}
