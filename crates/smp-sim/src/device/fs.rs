//! The file system: each mount point `/NAME` is the directory
//! `state/fs/NAME`, and nothing outside it is ever reached.
//!
//! Every path is opened with `openat2(2)` relative to the mount directory and
//! `RESOLVE_BENEATH`: `..` and absolute symbolic links, and any symbolic link
//! whose target lies outside the mount, fail to resolve (reported as an
//! invalid name) instead of leaving it, with no window between a check and the
//! use. Magic links (`/proc/self/fd/...`) are refused too.

use std::fs::File;
use std::io::ErrorKind;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::time::Instant;

use log::warn;
use nix::errno::Errno;
use nix::fcntl::{openat2, OFlag, OpenHow, ResolveFlag};
use nix::sys::stat::Mode;
use smp_server::groups::fs::{FsFailure, FsPlatform, OpenMode};

/// The mount point the file system has unless told otherwise.
pub const DEFAULT_MOUNT: &str = "lfs";

/// Whether `name` can be a mount point: one path component of letters,
/// digits, `_` and `-`.
pub fn valid_mount_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 16
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

struct Mount {
    name: String,
    dir: PathBuf,
    handle: File,
}

pub struct Fs {
    mounts: Vec<Mount>,
    /// The transfer file.
    open: Option<File>,
    started: Instant,
}

/// One entry of a directory listing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirEntry {
    pub name: String,
    pub is_dir: bool,
    pub size: u64,
}

fn failure(e: Errno) -> FsFailure {
    match e {
        Errno::ENOENT | Errno::ENOTDIR => FsFailure::NotFound,
        Errno::EXDEV | Errno::ELOOP | Errno::ENAMETOOLONG => FsFailure::InvalidName,
        Errno::EISDIR => FsFailure::IsDirectory,
        Errno::EROFS => FsFailure::ReadOnly,
        _ => FsFailure::Failed,
    }
}

fn io_failure(e: std::io::Error) -> FsFailure {
    match e.raw_os_error() {
        Some(n) => failure(Errno::from_raw(n)),
        None => FsFailure::Failed,
    }
}

impl Fs {
    /// Creates (when missing) and opens the directory of each mount point
    /// under `root`. A mount point that cannot be opened is left out.
    pub fn mount(root: &Path, names: &[String]) -> Self {
        let mut mounts = Vec::new();
        for name in names {
            let dir = root.join(name);
            let opened = std::fs::create_dir_all(&dir).and_then(|()| File::open(&dir));
            match opened {
                Ok(handle) => mounts.push(Mount {
                    name: name.clone(),
                    dir,
                    handle,
                }),
                Err(e) => warn!("fs: cannot mount /{name} at {}: {e}", dir.display()),
            }
        }
        Fs {
            mounts,
            open: None,
            started: Instant::now(),
        }
    }

    /// Opens `path` (absolute, checked by the core's rules) beneath its mount.
    fn open_beneath(&self, path: &str, flags: OFlag) -> Result<OwnedFd, FsFailure> {
        let rest = path.strip_prefix('/').ok_or(FsFailure::InvalidName)?;
        let (mount, rel) = rest.split_once('/').unwrap_or((rest, "."));
        let mount = self
            .mounts
            .iter()
            .find(|m| m.name == mount)
            .ok_or(FsFailure::NoMountPoint)?;
        // openat2 accepts nothing but O_CLOEXEC and O_DIRECTORY beside O_PATH;
        // otherwise O_NONBLOCK keeps a FIFO from blocking the open (it is then
        // refused as not a regular file) and O_NOCTTY a terminal from being taken.
        let extra = if flags.contains(OFlag::O_PATH) {
            OFlag::O_CLOEXEC
        } else {
            OFlag::O_CLOEXEC | OFlag::O_NOCTTY | OFlag::O_NONBLOCK
        };
        let mut how = OpenHow::new()
            .flags(flags | extra)
            .resolve(ResolveFlag::RESOLVE_BENEATH | ResolveFlag::RESOLVE_NO_MAGICLINKS);
        if flags.contains(OFlag::O_CREAT) {
            // openat2 refuses a mode without O_CREAT
            how = how.mode(Mode::from_bits_truncate(0o644));
        }
        openat2(mount.handle.as_fd(), rel, how).map_err(failure)
    }

    /// Opens a regular file beneath its mount.
    fn open_file(&self, path: &str, flags: OFlag) -> Result<File, FsFailure> {
        let file = File::from(self.open_beneath(path, flags)?);
        let meta = file.metadata().map_err(io_failure)?;
        if meta.is_dir() {
            return Err(FsFailure::IsDirectory);
        }
        if !meta.is_file() {
            return Err(FsFailure::InvalidName);
        }
        Ok(file)
    }

    /// The entries of the directory `path` (`/` lists the mount points).
    pub fn list(&self, path: &str) -> Result<Vec<DirEntry>, FsFailure> {
        if path == "/" {
            return Ok(self
                .mounts
                .iter()
                .map(|m| DirEntry {
                    name: m.name.clone(),
                    is_dir: true,
                    size: 0,
                })
                .collect());
        }
        let fd = self.open_beneath(path, OFlag::O_RDONLY | OFlag::O_DIRECTORY)?;
        let dir_file = File::from(fd.try_clone().map_err(io_failure)?);
        let mut dir = nix::dir::Dir::from_fd(fd).map_err(failure)?;
        let mut entries = Vec::new();
        for entry in dir.iter() {
            let entry = entry.map_err(failure)?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name == "." || name == ".." {
                continue;
            }
            let stat = nix::sys::stat::fstatat(
                dir_file.as_fd(),
                entry.file_name(),
                nix::fcntl::AtFlags::AT_SYMLINK_NOFOLLOW,
            )
            .map_err(failure)?;
            let kind = stat.st_mode & nix::libc::S_IFMT;
            entries.push(DirEntry {
                name,
                is_dir: kind == nix::libc::S_IFDIR,
                size: if kind == nix::libc::S_IFREG {
                    stat.st_size as u64
                } else {
                    0
                },
            });
        }
        entries.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(entries)
    }

    /// Deletes every file and directory of every mount point (storage erase).
    pub fn erase_all(&mut self) -> std::io::Result<()> {
        self.open = None;
        for mount in &self.mounts {
            for entry in std::fs::read_dir(&mount.dir)? {
                let entry = entry?;
                // symlink_metadata: a link is removed, never followed
                if entry.path().symlink_metadata()?.is_dir() {
                    std::fs::remove_dir_all(entry.path())?;
                } else {
                    std::fs::remove_file(entry.path())?;
                }
            }
        }
        Ok(())
    }
}

impl FsPlatform for Fs {
    fn now_ms(&mut self) -> u64 {
        self.started.elapsed().as_millis() as u64
    }

    fn file_size(&mut self, path: &str) -> Result<u64, FsFailure> {
        let file = File::from(self.open_beneath(path, OFlag::O_PATH)?);
        let meta = file.metadata().map_err(io_failure)?;
        if meta.is_dir() {
            return Err(FsFailure::IsDirectory);
        }
        if !meta.is_file() {
            return Err(FsFailure::InvalidName);
        }
        Ok(meta.len())
    }

    fn open(&mut self, path: &str, mode: OpenMode) -> Result<(), FsFailure> {
        self.open = None;
        let flags = match mode {
            OpenMode::Read => OFlag::O_RDONLY,
            OpenMode::Write => OFlag::O_WRONLY | OFlag::O_CREAT | OFlag::O_APPEND,
        };
        self.open = Some(self.open_file(path, flags)?);
        Ok(())
    }

    fn read(&mut self, offset: u64, buf: &mut [u8]) -> Result<usize, FsFailure> {
        let file = self.open.as_ref().ok_or(FsFailure::Failed)?;
        loop {
            match file.read_at(buf, offset) {
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                other => return other.map_err(io_failure),
            }
        }
    }

    fn truncate(&mut self) -> Result<(), FsFailure> {
        let file = self.open.as_ref().ok_or(FsFailure::Failed)?;
        file.set_len(0).map_err(io_failure)
    }

    fn append(&mut self, data: &[u8]) -> Result<(), FsFailure> {
        use std::io::Write;
        let mut file = self.open.as_ref().ok_or(FsFailure::Failed)?;
        file.write_all(data).map_err(io_failure)
    }

    fn close(&mut self) {
        self.open = None;
    }

    fn read_range(
        &mut self,
        path: &str,
        offset: u64,
        len: u64,
        sink: &mut dyn FnMut(&[u8]),
    ) -> Result<u64, FsFailure> {
        let file = self.open_file(path, OFlag::O_RDONLY)?;
        let mut buf = vec![0u8; 4096];
        let mut done = 0u64;
        while done < len {
            let want = usize::try_from(len - done)
                .unwrap_or(usize::MAX)
                .min(buf.len());
            let n = match file.read_at(&mut buf[..want], offset + done) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => return Err(io_failure(e)),
            };
            sink(&buf[..n]);
            done += n as u64;
        }
        Ok(done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::device::testdir::TestDir;
    use std::os::unix::fs::symlink;

    fn mounted(dir: &TestDir) -> Fs {
        Fs::mount(&dir.path().join("fs"), &["lfs".to_string()])
    }

    fn lfs(dir: &TestDir) -> PathBuf {
        dir.path().join("fs/lfs")
    }

    #[test]
    fn mounting_creates_the_mount_directory() {
        let dir = TestDir::new();
        mounted(&dir);
        assert!(lfs(&dir).is_dir());
    }

    #[test]
    fn a_written_file_lands_in_the_mount_directory() {
        let dir = TestDir::new();
        let mut fs = mounted(&dir);
        fs.open("/lfs/a.txt", OpenMode::Write).unwrap();
        fs.append(b"hello").unwrap();
        fs.close();
        assert_eq!(std::fs::read(lfs(&dir).join("a.txt")).unwrap(), b"hello");
        assert_eq!(fs.file_size("/lfs/a.txt"), Ok(5));
    }

    #[test]
    fn truncate_then_append_rewrites_from_the_start() {
        let dir = TestDir::new();
        std::fs::create_dir_all(lfs(&dir)).unwrap();
        std::fs::write(lfs(&dir).join("a"), b"old content").unwrap();
        let mut fs = mounted(&dir);
        fs.open("/lfs/a", OpenMode::Write).unwrap();
        fs.truncate().unwrap();
        fs.append(b"new").unwrap();
        assert_eq!(std::fs::read(lfs(&dir).join("a")).unwrap(), b"new");
    }

    #[test]
    fn reads_at_offsets() {
        let dir = TestDir::new();
        std::fs::create_dir_all(lfs(&dir)).unwrap();
        std::fs::write(lfs(&dir).join("a"), b"hello world").unwrap();
        let mut fs = mounted(&dir);
        fs.open("/lfs/a", OpenMode::Read).unwrap();
        let mut buf = [0u8; 5];
        assert_eq!(fs.read(6, &mut buf), Ok(5));
        assert_eq!(&buf, b"world");
        assert_eq!(fs.read(11, &mut buf), Ok(0));
    }

    #[test]
    fn an_unknown_mount_point_is_no_mount_point() {
        let dir = TestDir::new();
        let mut fs = mounted(&dir);
        assert_eq!(fs.file_size("/etc/passwd"), Err(FsFailure::NoMountPoint));
        assert_eq!(
            fs.open("/tmp/x", OpenMode::Write),
            Err(FsFailure::NoMountPoint)
        );
    }

    #[test]
    fn a_missing_file_or_directory_is_not_found() {
        let dir = TestDir::new();
        let mut fs = mounted(&dir);
        assert_eq!(fs.file_size("/lfs/none"), Err(FsFailure::NotFound));
        assert_eq!(
            fs.open("/lfs/nodir/x", OpenMode::Write),
            Err(FsFailure::NotFound)
        );
        assert!(!lfs(&dir).join("nodir").exists());
    }

    #[test]
    fn the_mount_point_and_its_directories_are_directories() {
        let dir = TestDir::new();
        std::fs::create_dir_all(lfs(&dir).join("sub")).unwrap();
        let mut fs = mounted(&dir);
        assert_eq!(fs.file_size("/lfs"), Err(FsFailure::IsDirectory));
        assert_eq!(fs.file_size("/lfs/sub"), Err(FsFailure::IsDirectory));
        assert_eq!(
            fs.open("/lfs/sub", OpenMode::Write),
            Err(FsFailure::IsDirectory)
        );
    }

    #[test]
    fn dot_dot_never_leaves_the_mount() {
        let dir = TestDir::new();
        std::fs::write(dir.path().join("secret"), b"s").unwrap();
        let mut fs = mounted(&dir);
        for path in ["/lfs/../../secret", "/lfs/../lfs/../../secret"] {
            assert_eq!(fs.file_size(path), Err(FsFailure::InvalidName), "{path}");
            assert_eq!(
                fs.open(path, OpenMode::Write),
                Err(FsFailure::InvalidName),
                "{path}"
            );
        }
    }

    #[test]
    fn a_symbolic_link_out_of_the_mount_is_refused() {
        let dir = TestDir::new();
        std::fs::write(dir.path().join("secret"), b"s").unwrap();
        let mut fs = mounted(&dir);
        symlink(dir.path().join("secret"), lfs(&dir).join("abs")).unwrap();
        symlink("../../secret", lfs(&dir).join("rel")).unwrap();
        symlink(dir.path(), lfs(&dir).join("dirlink")).unwrap();
        for path in ["/lfs/abs", "/lfs/rel", "/lfs/dirlink/secret"] {
            assert_eq!(fs.file_size(path), Err(FsFailure::InvalidName), "{path}");
            assert_eq!(
                fs.open(path, OpenMode::Read),
                Err(FsFailure::InvalidName),
                "{path}"
            );
            assert_eq!(
                fs.open(path, OpenMode::Write),
                Err(FsFailure::InvalidName),
                "{path}"
            );
            assert_eq!(
                fs.read_range(path, 0, 1, &mut |_| {}),
                Err(FsFailure::InvalidName),
                "{path}"
            );
        }
        assert_eq!(std::fs::read(dir.path().join("secret")).unwrap(), b"s");
    }

    #[test]
    fn a_dangling_link_out_of_the_mount_is_not_created_through() {
        let dir = TestDir::new();
        let mut fs = mounted(&dir);
        symlink(dir.path().join("created"), lfs(&dir).join("dangling")).unwrap();
        assert_eq!(
            fs.open("/lfs/dangling", OpenMode::Write),
            Err(FsFailure::InvalidName)
        );
        assert!(!dir.path().join("created").exists());
    }

    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let dir = TestDir::new();
        let mut fs = mounted(&dir);
        nix::unistd::mkfifo(&lfs(&dir).join("fifo"), Mode::from_bits_truncate(0o644)).unwrap();
        assert_eq!(fs.file_size("/lfs/fifo"), Err(FsFailure::InvalidName));
        assert_eq!(
            fs.open("/lfs/fifo", OpenMode::Read),
            Err(FsFailure::InvalidName)
        );
    }

    #[test]
    fn a_symbolic_link_inside_the_mount_is_followed() {
        let dir = TestDir::new();
        let mut fs = mounted(&dir);
        std::fs::write(lfs(&dir).join("target"), b"abc").unwrap();
        symlink("target", lfs(&dir).join("link")).unwrap();
        assert_eq!(fs.file_size("/lfs/link"), Ok(3));
    }

    #[test]
    fn read_range_streams_the_requested_bytes() {
        let dir = TestDir::new();
        let mut fs = mounted(&dir);
        let content: Vec<u8> = (0..10_000u32).map(|i| i as u8).collect();
        std::fs::write(lfs(&dir).join("big"), &content).unwrap();
        let mut got = Vec::new();
        let n = fs
            .read_range("/lfs/big", 100, 9_000, &mut |p| got.extend_from_slice(p))
            .unwrap();
        assert_eq!(n, 9_000);
        assert_eq!(got, &content[100..9_100]);
    }

    #[test]
    fn listing_shows_directories_and_file_sizes_in_order() {
        let dir = TestDir::new();
        let fs = mounted(&dir);
        std::fs::create_dir(lfs(&dir).join("sub")).unwrap();
        std::fs::write(lfs(&dir).join("b"), b"12").unwrap();
        assert_eq!(
            fs.list("/lfs").unwrap(),
            [
                DirEntry {
                    name: "b".into(),
                    is_dir: false,
                    size: 2
                },
                DirEntry {
                    name: "sub".into(),
                    is_dir: true,
                    size: 0
                },
            ]
        );
        assert_eq!(fs.list("/").unwrap()[0].name, "lfs");
    }

    #[test]
    fn erase_removes_files_and_directories_but_not_link_targets() {
        let dir = TestDir::new();
        let mut fs = mounted(&dir);
        std::fs::write(dir.path().join("outside"), b"keep").unwrap();
        std::fs::create_dir(lfs(&dir).join("sub")).unwrap();
        std::fs::write(lfs(&dir).join("sub/f"), b"x").unwrap();
        symlink(dir.path(), lfs(&dir).join("link")).unwrap();
        fs.erase_all().unwrap();
        assert_eq!(std::fs::read_dir(lfs(&dir)).unwrap().count(), 0);
        assert_eq!(std::fs::read(dir.path().join("outside")).unwrap(), b"keep");
    }
}
