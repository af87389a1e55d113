//! The file system group's platform part over Zephyr's fs API: whatever file
//! systems are mounted (overlays/fs.overlay mounts littlefs on the storage
//! partition at `/lfs` from the devicetree fstab, at boot).
//!
//! littlefs has no symbolic links, and Zephyr resolves a path to the mount
//! point that is its longest prefix, so a path the core accepted (absolute,
//! no `.` or `..`) never leads out of its mount point.

use core::ffi::{c_int, c_void};

use smp_server::groups::fs::{FsFailure, FsPlatform, OpenMode, PATH_LEN};

use crate::cstr::CStrBuf;
use crate::sys::raw;

/// Bytes read per call while hashing.
const HASH_CHUNK: usize = 256;

type Path = CStrBuf<{ PATH_LEN + 1 }>;

/// The transfer file, open or not.
pub struct ZephyrFs {
    file: raw::fs_file_t,
    open: bool,
}

impl ZephyrFs {
    pub fn new() -> Self {
        ZephyrFs {
            file: raw::fs_file_t::default(),
            open: false,
        }
    }
}

fn c_path(path: &str) -> Result<Path, FsFailure> {
    Path::copy_of(path).ok_or(FsFailure::InvalidName)
}

/// The failure a negative errno from the fs API stands for. No mount point
/// for a path is `-ENOENT` there, like a missing file: the core reports both
/// alike (file not found when reading, mount point not found when creating).
fn failure(rc: c_int) -> FsFailure {
    match rc.unsigned_abs() {
        raw::ENOENT | raw::ENOTDIR => FsFailure::NotFound,
        raw::EISDIR => FsFailure::IsDirectory,
        raw::EROFS => FsFailure::ReadOnly,
        // fs_open/fs_stat: a name that is not an absolute path.
        raw::EINVAL => FsFailure::InvalidName,
        _ => FsFailure::Failed,
    }
}

fn check(rc: c_int) -> Result<(), FsFailure> {
    if rc < 0 {
        Err(failure(rc))
    } else {
        Ok(())
    }
}

/// Opens `path` into `file` (which must be closed).
fn open(file: &mut raw::fs_file_t, path: &str, flags: u32) -> Result<(), FsFailure> {
    let path = c_path(path)?;
    // SAFETY: `file` is a valid fs_file_t that no open file uses.
    unsafe { raw::fs_file_t_init(file) };
    // SAFETY: `file` is initialised, `path` is NUL-terminated; both outlive
    // the call (fs_open keeps neither pointer: the file object is ours).
    check(unsafe { raw::fs_open(file, path.as_ptr(), flags as raw::fs_mode_t) })
}

/// Reads from `offset` of an open file into `buf`: the bytes read.
fn read_at(file: &mut raw::fs_file_t, offset: u64, buf: &mut [u8]) -> Result<usize, FsFailure> {
    let offset = raw::off_t::try_from(offset).map_err(|_| FsFailure::Failed)?;
    // SAFETY: `file` is open.
    check(unsafe { raw::fs_seek(file, offset, raw::FS_SEEK_SET as c_int) })?;
    // SAFETY: `file` is open; `buf` is valid for writes of its length.
    let n = unsafe { raw::fs_read(file, buf.as_mut_ptr() as *mut c_void, buf.len()) };
    if n < 0 {
        return Err(failure(n as c_int));
    }
    Ok(n as usize)
}

fn close(file: &mut raw::fs_file_t) {
    // SAFETY: `file` is open (fs_close also forgets it, so it may be
    // initialised and opened again).
    let rc = unsafe { raw::fs_close(file) };
    if rc < 0 {
        crate::log_warn!("fs: close failed (%ld)", rc);
    }
}

impl FsPlatform for ZephyrFs {
    fn now_ms(&mut self) -> u64 {
        zephyr::sys::uptime_get().max(0) as u64
    }

    fn file_size(&mut self, path: &str) -> Result<u64, FsFailure> {
        let path = c_path(path)?;
        let mut entry = raw::fs_dirent::default();
        // SAFETY: `path` is NUL-terminated, `entry` valid for writes.
        check(unsafe { raw::fs_stat(path.as_ptr(), &mut entry) })?;
        if entry.type_ == raw::FS_DIR_ENTRY_DIR {
            return Err(FsFailure::IsDirectory);
        }
        Ok(entry.size as u64)
    }

    fn open(&mut self, path: &str, mode: OpenMode) -> Result<(), FsFailure> {
        self.close();
        let flags = match mode {
            OpenMode::Read => raw::FS_O_READ,
            // Append: every write lands at the end, after a truncate too.
            OpenMode::Write => raw::FS_O_WRITE | raw::FS_O_CREATE | raw::FS_O_APPEND,
        };
        open(&mut self.file, path, flags)?;
        self.open = true;
        Ok(())
    }

    fn read(&mut self, offset: u64, buf: &mut [u8]) -> Result<usize, FsFailure> {
        if !self.open {
            return Err(FsFailure::Failed);
        }
        read_at(&mut self.file, offset, buf)
    }

    fn truncate(&mut self) -> Result<(), FsFailure> {
        if !self.open {
            return Err(FsFailure::Failed);
        }
        // SAFETY: the transfer file is open.
        check(unsafe { raw::fs_truncate(&mut self.file, 0) })
    }

    fn append(&mut self, data: &[u8]) -> Result<(), FsFailure> {
        if !self.open {
            return Err(FsFailure::Failed);
        }
        // SAFETY: the transfer file is open; `data` is valid for reads of
        // its length.
        let n =
            unsafe { raw::fs_write(&mut self.file, data.as_ptr() as *const c_void, data.len()) };
        if n < 0 {
            return Err(failure(n as c_int));
        }
        // A short write is a full file system (littlefs returns -ENOSPC
        // only when nothing fitted).
        if n as usize != data.len() {
            return Err(FsFailure::Failed);
        }
        Ok(())
    }

    fn close(&mut self) {
        if core::mem::take(&mut self.open) {
            close(&mut self.file);
        }
    }

    fn read_range(
        &mut self,
        path: &str,
        offset: u64,
        len: u64,
        sink: &mut dyn FnMut(&[u8]),
    ) -> Result<u64, FsFailure> {
        let mut file = raw::fs_file_t::default();
        open(&mut file, path, raw::FS_O_READ)?;
        let mut chunk = [0u8; HASH_CHUNK];
        let mut done = 0u64;
        let result = loop {
            let want = (len - done).min(HASH_CHUNK as u64) as usize;
            if want == 0 {
                break Ok(done);
            }
            match read_at(&mut file, offset + done, &mut chunk[..want]) {
                Ok(0) => break Ok(done),
                Ok(n) => {
                    sink(&chunk[..n]);
                    done += n as u64;
                }
                Err(f) => break Err(f),
            }
        };
        close(&mut file);
        result
    }
}
