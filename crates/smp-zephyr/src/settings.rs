//! The settings group's platform part over Zephyr's settings subsystem, and
//! `app`, the application's own subtree of settings.
//!
//! Read and write reach the handlers registered for a name's root
//! (`settings_runtime_get`/`settings_runtime_set`), whoever registered them;
//! commit, load and save are `settings_commit`, `settings_load` and
//! `settings_save`/`settings_save_subtree` (a subtree is a handler's name, as
//! in Zephyr 4.3's settings_mgmt); delete is `settings_delete`.
//!
//! Storage (overlays/settings.conf): Zephyr's file backend, the file
//! `/lfs/settings` on the littlefs of the storage partition. The file system
//! and the settings then share one partition through one driver, which is
//! safe on every board (two users writing one partition each way would
//! not be), needs no partition of its own (boards have one storage
//! partition), and storage erase (group 63) wipes both at once. So the
//! settings group needs the file system overlay too.
//!
//! The `app` subtree holds up to `CONFIG_RUST_SMP_GRP_SETTINGS_APP_KEYS`
//! values of free-form names (`app/<key>`) in RAM: clients can write, read,
//! save, load and delete them, which makes the group useful (and testable)
//! on a device that has no other settings. A write of an empty value or a
//! delete removes a key.
//!
//! Where Zephyr leaves a choice, as the virtual device does:
//! - delete of an `app` key also forgets its running value (for other
//!   roots only the stored value goes: their handlers own their values);
//!   a name that is neither stored nor running is err {3, 3};
//! - a value that exactly fills a read cut by the response buffer (not by
//!   the limit asked for) is taken as longer (rc 7): handlers report what
//!   they copied, not the value's length.

use core::cell::UnsafeCell;
use core::ffi::{c_char, c_int, c_void, CStr};

use smp_server::groups::settings::{SettingsFailure, SettingsPlatform, NAME_LEN};
use zephyr::sync::SpinMutex;

use crate::cstr::CStrBuf;
use crate::sys::raw;

const VALUE_LEN: usize = crate::config::CONFIG_RUST_SMP_GRP_SETTINGS_VALUE_LEN as usize;
const APP_KEYS: usize = crate::config::CONFIG_RUST_SMP_GRP_SETTINGS_APP_KEYS as usize;

/// The root of the application's subtree.
const APP: &CStr = c"app";
/// Longest key below `app/` (names are shorter than NAME_LEN).
const KEY_LEN: usize = NAME_LEN - 1 - APP.to_bytes().len() - 1;

type Name = CStrBuf<NAME_LEN>;

fn c_name(name: &str) -> Result<Name, SettingsFailure> {
    // The core refuses names of NAME_LEN bytes or more; a NUL cannot be
    // part of a settings name.
    Name::copy_of(name).ok_or(SettingsFailure::NotFound)
}

/// The failure a negative errno from the settings API stands for, as
/// Zephyr's settings_mgmt reads them.
fn failure(rc: c_int) -> SettingsFailure {
    match rc.unsigned_abs() {
        raw::EINVAL => SettingsFailure::RootNotFound,
        raw::ENOENT => SettingsFailure::NotFound,
        e if e == enotsup().unsigned_abs() => SettingsFailure::NotSupported,
        _ => SettingsFailure::Failed,
    }
}

/// -ENOTSUP of the C library the settings code is built with (on native_sim
/// the host's, which differs from the bindings' minimal libc value).
fn enotsup() -> c_int {
    // SAFETY: returns a constant.
    -unsafe { raw::rust_smp_enotsup() }
}

#[derive(Clone, Copy)]
struct Entry {
    key: [u8; KEY_LEN],
    /// 0: the entry is free.
    key_len: u8,
    value: [u8; VALUE_LEN],
    len: u16,
}

const FREE: Entry = Entry {
    key: [0; KEY_LEN],
    key_len: 0,
    value: [0; VALUE_LEN],
    len: 0,
};

impl Entry {
    fn key(&self) -> &[u8] {
        &self.key[..usize::from(self.key_len)]
    }
}

/// The running values of `app`. A spin lock: the handlers run in whatever
/// thread calls the settings API and hold it only to copy.
static APP_VALUES: SpinMutex<[Entry; APP_KEYS]> = SpinMutex::new([FREE; APP_KEYS]);

/// The key below `app/` Zephyr hands a handler (`None` for `app` itself).
///
/// # Safety
/// `key` is NULL or a NUL-terminated string alive for the returned lifetime.
unsafe fn key_of<'a>(key: *const c_char) -> Option<&'a [u8]> {
    if key.is_null() {
        return None;
    }
    // SAFETY: per this function's contract.
    let key = unsafe { CStr::from_ptr(key) }.to_bytes();
    (!key.is_empty()).then_some(key)
}

extern "C" fn app_get(key: *const c_char, val: *mut c_char, val_len_max: c_int) -> c_int {
    // SAFETY: the settings subsystem passes the rest of the asked name.
    let Some(key) = (unsafe { key_of(key) }) else {
        return -(raw::ENOENT as c_int);
    };
    let Ok(values) = APP_VALUES.lock();
    let Some(entry) = values.iter().find(|e| e.key_len > 0 && e.key() == key) else {
        return -(raw::ENOENT as c_int);
    };
    let n = usize::from(entry.len).min(val_len_max.max(0) as usize);
    // SAFETY: `val` is valid for writes of val_len_max bytes (the caller's
    // buffer); n is no more.
    unsafe { core::ptr::copy_nonoverlapping(entry.value.as_ptr(), val.cast::<u8>(), n) };
    n as c_int
}

extern "C" fn app_set(
    key: *const c_char,
    len: usize,
    read_cb: raw::settings_read_cb,
    cb_arg: *mut c_void,
) -> c_int {
    // SAFETY: the settings subsystem passes the rest of the name.
    let Some(key) = (unsafe { key_of(key) }) else {
        // `app` itself is a subtree, not a value.
        return enotsup();
    };
    // '=' ends a name in the file backend's lines.
    if key.len() > KEY_LEN || key.contains(&b'=') {
        return -(raw::EINVAL as c_int);
    }
    if len > VALUE_LEN {
        return -(raw::ENOMEM as c_int);
    }
    let mut value = [0u8; VALUE_LEN];
    let n = if len == 0 {
        0
    } else {
        let Some(read) = read_cb else {
            return -(raw::EINVAL as c_int);
        };
        // Read outside the lock: it may be a file read.
        // SAFETY: `read` and `cb_arg` come together from the settings
        // subsystem; `value` is valid for writes of `len` bytes.
        let n = unsafe { read(cb_arg, value.as_mut_ptr() as *mut c_void, len) };
        if n < 0 {
            return n as c_int;
        }
        (n as usize).min(len)
    };
    let Ok(mut values) = APP_VALUES.lock();
    let slot = match values.iter().position(|e| e.key_len > 0 && e.key() == key) {
        Some(i) => i,
        None if n == 0 => return 0,
        None => match values.iter().position(|e| e.key_len == 0) {
            Some(i) => i,
            None => return -(raw::ENOMEM as c_int),
        },
    };
    let entry = &mut values[slot];
    if n == 0 {
        *entry = FREE;
        return 0;
    }
    entry.key[..key.len()].copy_from_slice(key);
    // Both fit: KEY_LEN < 256, VALUE_LEN <= 256 (Kconfig range).
    entry.key_len = key.len() as u8;
    entry.value[..n].copy_from_slice(&value[..n]);
    entry.len = n as u16;
    0
}

type ExportFn = unsafe extern "C" fn(*const c_char, *const c_void, usize) -> c_int;

extern "C" fn app_export(export: Option<ExportFn>) -> c_int {
    let Some(export) = export else {
        return -(raw::EINVAL as c_int);
    };
    let mut rc = 0;
    for i in 0..APP_KEYS {
        // Copy out under the lock, save outside it (a file write).
        let entry = {
            let Ok(values) = APP_VALUES.lock();
            values[i]
        };
        if entry.key_len == 0 {
            continue;
        }
        let mut name = Name::new();
        let pushed = name
            .push(APP.to_bytes())
            .and_then(|_| name.push(b"/"))
            .and_then(|_| name.push(entry.key()));
        if pushed.is_none() {
            continue;
        }
        // SAFETY: `export` is settings_save_one; the name is NUL-terminated
        // and the value valid for `len` bytes, both alive for the call.
        let r = unsafe {
            export(
                name.as_ptr(),
                entry.value.as_ptr() as *const c_void,
                usize::from(entry.len),
            )
        };
        if rc == 0 {
            rc = r;
        }
    }
    rc
}

/// A `settings_handler` in a static: the settings subsystem links it into
/// its list and writes `node`.
struct Handler(UnsafeCell<raw::settings_handler>);

// SAFETY: only the settings subsystem touches the handler once registered
// (under its lock); Rust never reads or writes it after `boot`.
unsafe impl Sync for Handler {}

static APP_HANDLER: Handler = Handler(UnsafeCell::new(raw::settings_handler {
    name: APP.as_ptr(),
    cprio: 0,
    h_get: Some(app_get),
    h_set: Some(app_set),
    h_commit: None,
    h_export: Some(app_export),
    node: raw::sys_snode_t {
        next: core::ptr::null_mut(),
    },
}));

/// The settings as the group sees them.
pub struct ZephyrSettings {
    /// Whether the storage backend came up (the file system was mounted).
    stored: bool,
}

impl ZephyrSettings {
    /// Starts the settings subsystem (its backend opens a file, so after the
    /// file system was mounted at boot), registers `app` and loads the
    /// saved values. Called once, by the SMP thread.
    pub fn boot() -> Self {
        // SAFETY: plain call; idempotent.
        let rc = unsafe { raw::settings_subsys_init() };
        let stored = rc == 0;
        if !stored {
            crate::log_error!("settings: no storage (%ld): values will not persist", rc);
        }
        // SAFETY: the handler is a static, registered once (boot runs once);
        // its name and callbacks live forever.
        let rc = unsafe { raw::settings_register(APP_HANDLER.0.get()) };
        if rc != 0 {
            crate::log_error!("settings: cannot register app (%ld)", rc);
        }
        if stored {
            // SAFETY: plain call.
            let rc = unsafe { raw::settings_load() };
            if rc != 0 {
                crate::log_warn!("settings: load at boot failed (%ld)", rc);
            }
        }
        ZephyrSettings { stored }
    }

    fn storage(&self) -> Result<(), SettingsFailure> {
        if self.stored {
            Ok(())
        } else {
            Err(SettingsFailure::NotSupported)
        }
    }
}

/// Whether `name` is an `app` key; then the key.
fn app_key(name: &str) -> Option<&[u8]> {
    let key = name.strip_prefix("app/")?;
    (!key.is_empty()).then_some(key.as_bytes())
}

impl SettingsPlatform for ZephyrSettings {
    fn value_len(&self) -> usize {
        VALUE_LEN
    }

    fn read(&mut self, name: &str, out: &mut [u8]) -> Result<usize, SettingsFailure> {
        let c = c_name(name)?;
        // SAFETY: `c` is NUL-terminated, `out` valid for writes of its length.
        let rc = unsafe {
            raw::settings_runtime_get(c.as_ptr(), out.as_mut_ptr() as *mut c_void, out.len())
        };
        if rc < 0 {
            return Err(failure(rc));
        }
        let n = (rc as usize).min(out.len());
        // A full buffer may have cut the value (see the module's notes).
        Ok(if n == out.len() { n + 1 } else { n })
    }

    fn write(&mut self, name: &str, value: &[u8]) -> Result<(), SettingsFailure> {
        let c = c_name(name)?;
        // SAFETY: `c` is NUL-terminated, `value` valid for reads of its
        // length; the handler copies it during the call.
        let rc = unsafe {
            raw::settings_runtime_set(c.as_ptr(), value.as_ptr() as *const c_void, value.len())
        };
        if rc < 0 {
            return Err(failure(rc));
        }
        Ok(())
    }

    fn delete(&mut self, name: &str) -> Result<(), SettingsFailure> {
        self.storage()?;
        let c = c_name(name)?;
        let running = app_key(name).is_some_and(|key| {
            let Ok(values) = APP_VALUES.lock();
            values.iter().any(|e| e.key_len > 0 && e.key() == key)
        });
        // SAFETY: `c` is NUL-terminated.
        let stored = unsafe { raw::settings_get_val_len(c.as_ptr()) } > 0;
        if !running && !stored {
            return Err(SettingsFailure::NotFound);
        }
        // SAFETY: `c` is NUL-terminated.
        let rc = unsafe { raw::settings_delete(c.as_ptr()) };
        if rc < 0 {
            return Err(failure(rc));
        }
        if running {
            // An empty value removes an app key.
            // SAFETY: `c` is NUL-terminated; no value is read.
            let rc = unsafe { raw::settings_runtime_set(c.as_ptr(), core::ptr::null(), 0) };
            if rc < 0 {
                return Err(failure(rc));
            }
        }
        Ok(())
    }

    fn commit(&mut self) -> Result<(), SettingsFailure> {
        // SAFETY: plain call.
        match unsafe { raw::settings_commit() } {
            0 => Ok(()),
            _ => Err(SettingsFailure::Failed),
        }
    }

    fn load(&mut self) -> Result<(), SettingsFailure> {
        self.storage()?;
        // SAFETY: plain call.
        match unsafe { raw::settings_load() } {
            0 => Ok(()),
            _ => Err(SettingsFailure::Failed),
        }
    }

    fn save(&mut self, name: Option<&str>) -> Result<(), SettingsFailure> {
        self.storage()?;
        let rc = match name {
            // SAFETY: plain call.
            None => unsafe { raw::settings_save() },
            Some(name) => {
                let c = c_name(name)?;
                // SAFETY: `c` is NUL-terminated.
                unsafe { raw::settings_save_subtree(c.as_ptr()) }
            }
        };
        match rc {
            0 => Ok(()),
            _ => Err(SettingsFailure::Failed),
        }
    }
}
