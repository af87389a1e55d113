//! In-memory settings: running values and a store.

use std::collections::BTreeMap;

use crate::groups::settings::{self, SettingsFailure, SettingsPlatform};

#[derive(Default)]
pub struct FakeSettings {
    pub running: BTreeMap<String, Vec<u8>>,
    pub stored: BTreeMap<String, Vec<u8>>,
    /// Overrides the default value limit.
    pub value_len: Option<usize>,
    /// Roots with a handler; any root when empty.
    pub roots: Vec<&'static str>,
    pub commits: usize,
    pub fail: Option<SettingsFailure>,
}

impl FakeSettings {
    fn check_root(&self, name: &str) -> Result<(), SettingsFailure> {
        let root = name.split('/').next().unwrap_or_default();
        if self.roots.is_empty() || self.roots.contains(&root) {
            Ok(())
        } else {
            Err(SettingsFailure::RootNotFound)
        }
    }

    fn failing(&self) -> Result<(), SettingsFailure> {
        self.fail.map_or(Ok(()), Err)
    }
}

impl SettingsPlatform for FakeSettings {
    fn value_len(&self) -> usize {
        self.value_len.unwrap_or(settings::VALUE_LEN)
    }

    fn read(&mut self, name: &str, out: &mut [u8]) -> Result<usize, SettingsFailure> {
        self.failing()?;
        self.check_root(name)?;
        let value = self.running.get(name).ok_or(SettingsFailure::NotFound)?;
        let n = value.len().min(out.len());
        out[..n].copy_from_slice(&value[..n]);
        Ok(value.len())
    }

    fn write(&mut self, name: &str, value: &[u8]) -> Result<(), SettingsFailure> {
        self.failing()?;
        self.check_root(name)?;
        self.running.insert(name.into(), value.into());
        Ok(())
    }

    fn delete(&mut self, name: &str) -> Result<(), SettingsFailure> {
        self.failing()?;
        self.check_root(name)?;
        let was_running = self.running.remove(name).is_some();
        let was_stored = self.stored.remove(name).is_some();
        if was_running || was_stored {
            Ok(())
        } else {
            Err(SettingsFailure::NotFound)
        }
    }

    fn commit(&mut self) -> Result<(), SettingsFailure> {
        self.failing()?;
        self.commits += 1;
        Ok(())
    }

    fn load(&mut self) -> Result<(), SettingsFailure> {
        self.failing()?;
        for (k, v) in &self.stored {
            self.running.insert(k.clone(), v.clone());
        }
        self.commits += 1;
        Ok(())
    }

    fn save(&mut self, name: Option<&str>) -> Result<(), SettingsFailure> {
        self.failing()?;
        for (k, v) in &self.running {
            let wanted = match name {
                None => true,
                Some(n) => k == n || k.strip_prefix(n).is_some_and(|r| r.starts_with('/')),
            };
            if wanted {
                self.stored.insert(k.clone(), v.clone());
            }
        }
        Ok(())
    }
}
