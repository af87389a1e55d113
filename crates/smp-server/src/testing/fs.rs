//! An in-memory file system with one mount point.

use std::collections::{BTreeMap, BTreeSet};

use crate::groups::fs::{FsFailure, FsPlatform, OpenMode};

/// An in-memory file system with one mount point, `/lfs`.
pub struct FakeFs {
    pub now: u64,
    pub files: BTreeMap<String, Vec<u8>>,
    pub dirs: BTreeSet<String>,
    /// Paths that resolve out of the mount point (a symbolic link out).
    pub escapes: BTreeSet<String>,
    pub read_only: bool,
    pub fail_reads: bool,
    pub fail_writes: bool,
    pub open: Option<(String, OpenMode)>,
    /// Most bytes one read call returns (exercises the read loop).
    pub read_piece: usize,
    pub closes: usize,
}

impl Default for FakeFs {
    fn default() -> Self {
        FakeFs {
            now: 1000,
            files: BTreeMap::new(),
            dirs: ["/lfs".to_string(), "/lfs/dir".to_string()].into(),
            escapes: BTreeSet::new(),
            read_only: false,
            fail_reads: false,
            fail_writes: false,
            open: None,
            read_piece: 100,
            closes: 0,
        }
    }
}

impl FakeFs {
    fn resolve(&self, path: &str) -> Result<(), FsFailure> {
        if path != "/lfs" && !path.starts_with("/lfs/") {
            return Err(FsFailure::NoMountPoint);
        }
        if self.escapes.contains(path) {
            return Err(FsFailure::InvalidName);
        }
        Ok(())
    }

    fn open_file(&mut self) -> Result<&mut Vec<u8>, FsFailure> {
        let (path, _) = self.open.as_ref().ok_or(FsFailure::Failed)?;
        self.files.get_mut(path).ok_or(FsFailure::Failed)
    }
}

impl FsPlatform for FakeFs {
    fn now_ms(&mut self) -> u64 {
        self.now
    }

    fn file_size(&mut self, path: &str) -> Result<u64, FsFailure> {
        self.resolve(path)?;
        if self.dirs.contains(path) {
            return Err(FsFailure::IsDirectory);
        }
        self.files
            .get(path)
            .map(|f| f.len() as u64)
            .ok_or(FsFailure::NotFound)
    }

    fn open(&mut self, path: &str, mode: OpenMode) -> Result<(), FsFailure> {
        self.resolve(path)?;
        if self.dirs.contains(path) {
            return Err(FsFailure::IsDirectory);
        }
        match mode {
            OpenMode::Read => {
                if !self.files.contains_key(path) {
                    return Err(FsFailure::NotFound);
                }
            }
            OpenMode::Write => {
                let parent = &path[..path.rfind('/').unwrap_or(0)];
                if !self.dirs.contains(parent) {
                    return Err(FsFailure::NotFound);
                }
                if self.read_only {
                    return Err(FsFailure::ReadOnly);
                }
                self.files.entry(path.into()).or_default();
            }
        }
        self.open = Some((path.into(), mode));
        Ok(())
    }

    fn read(&mut self, offset: u64, buf: &mut [u8]) -> Result<usize, FsFailure> {
        if self.fail_reads {
            return Err(FsFailure::Failed);
        }
        let piece = self.read_piece;
        let file = self.open_file()?;
        let start = (offset as usize).min(file.len());
        let n = (file.len() - start).min(buf.len()).min(piece);
        buf[..n].copy_from_slice(&file[start..start + n]);
        Ok(n)
    }

    fn truncate(&mut self) -> Result<(), FsFailure> {
        self.open_file()?.clear();
        Ok(())
    }

    fn append(&mut self, data: &[u8]) -> Result<(), FsFailure> {
        if self.fail_writes {
            return Err(FsFailure::Failed);
        }
        self.open_file()?.extend_from_slice(data);
        Ok(())
    }

    fn close(&mut self) {
        self.open = None;
        self.closes += 1;
    }

    fn read_range(
        &mut self,
        path: &str,
        offset: u64,
        len: u64,
        sink: &mut dyn FnMut(&[u8]),
    ) -> Result<u64, FsFailure> {
        if self.fail_reads {
            return Err(FsFailure::Failed);
        }
        let file = self.files.get(path).ok_or(FsFailure::NotFound)?;
        let start = (offset as usize).min(file.len());
        let end = start.saturating_add(len as usize).min(file.len());
        for piece in file[start..end].chunks(7) {
            sink(piece);
        }
        Ok((end - start) as u64)
    }
}
