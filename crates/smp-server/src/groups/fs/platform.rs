//! What the file system group and the device exchange: the transfer file,
//! the failures of file operations, and the group's errors.

use crate::header::GroupId;

/// The core's path rules: absolute, no empty, `.` or `..` component, no NUL.
/// (Here, below the group, so that the hooks' [`FsRoots`](crate::hooks::fs_roots::FsRoots)
/// can apply them without depending on the group's dispatch.)
pub fn path_is_valid(path: &str) -> bool {
    match path.strip_prefix('/') {
        Some(rest) => rest
            .split('/')
            .all(|c| !c.is_empty() && c != "." && c != ".." && !c.contains('\0')),
        None => false,
    }
}

crate::group_errors! {
    /// File system group errors (`err.rc` with group 8).
    pub enum FsError for GroupId::FS {
        /// An error no other code describes, such as an I/O failure.
        Unknown = 1 => Unknown,
        /// The path breaks the core's rules or is not acceptable to the file
        /// system.
        FileInvalidName = 2 => Inval,
        /// No such file, or no mount point for it.
        FileNotFound = 3 => NoEnt,
        /// The path names a directory.
        FileIsDirectory = 4 => Unknown,
        /// The file could not be opened.
        FileOpenFailed = 5 => Unknown,
        /// Seeking in the file failed.
        FileSeekFailed = 6 => Unknown,
        /// Reading the file failed.
        FileReadFailed = 7 => Unknown,
        /// Emptying the file for an upload from offset 0 failed.
        FileTruncateFailed = 8 => Unknown,
        /// Deleting the file failed.
        FileDeleteFailed = 9 => Unknown,
        /// Writing the file failed.
        FileWriteFailed = 10 => Unknown,
        /// upload: `off` is not where the file ends so far; the expected offset
        /// is sent beside `err` as `len`.
        FileOffsetNotValid = 11 => Unknown,
        /// hash: `off` is at or past the end of the file.
        FileOffsetLargerThanFile = 12 => Unknown,
        /// hash: `type` names no checksum or hash the server has.
        ChecksumHashNotFound = 13 => Inval,
        /// upload: no mount point for the path, or a directory on the way is
        /// missing.
        MountPointNotFound = 14 => NoEnt,
        /// upload: the file system is mounted read-only.
        ReadOnlyFilesystem = 15 => Unknown,
        /// hash: the file is empty.
        FileEmpty = 16 => Unknown,
    }
}

/// Longest file name (`CONFIG_MCUMGR_GRP_FS_PATH_LEN`).
pub const PATH_LEN: usize = 64;

/// An open transfer without requests for this long is closed
/// (`CONFIG_MCUMGR_GRP_FS_FILE_AUTOMATIC_IDLE_CLOSE_TIME`).
pub const IDLE_CLOSE_MS: u64 = 4000;

/// Longest hash type name a request may carry.
pub const HASH_TYPE_LEN: usize = 8;

/// Why the platform could not do a file operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FsFailure {
    /// The name is not acceptable to the file system, or resolving it would
    /// leave its mount point (a symbolic link out).
    InvalidName,
    /// No such file, or a directory on the way is missing.
    NotFound,
    /// The path names a directory.
    IsDirectory,
    /// The path is under no mount point.
    NoMountPoint,
    /// The file system is mounted read-only.
    ReadOnly,
    /// Any other I/O error.
    Failed,
}

/// How the transfer file is opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpenMode {
    /// For reading (a download).
    Read,
    /// For writing; created when missing, its content kept.
    Write,
}

/// What the file system group asks of the platform. The platform holds at
/// most one open file, the transfer file.
pub trait FsPlatform {
    /// A monotonic clock in milliseconds (idle close of transfers).
    fn now_ms(&mut self) -> u64;

    /// The size of the regular file `path`.
    fn file_size(&mut self, path: &str) -> Result<u64, FsFailure>;

    /// Opens `path` as the transfer file.
    fn open(&mut self, path: &str, mode: OpenMode) -> Result<(), FsFailure>;

    /// Reads the transfer file from `offset` into `buf`; the bytes read, 0 at
    /// the end of the file.
    fn read(&mut self, offset: u64, buf: &mut [u8]) -> Result<usize, FsFailure>;

    /// Empties the transfer file (an upload starting again at offset 0).
    fn truncate(&mut self) -> Result<(), FsFailure>;

    /// Appends `data` to the transfer file.
    fn append(&mut self, data: &[u8]) -> Result<(), FsFailure>;

    /// Closes the transfer file, if one is open.
    fn close(&mut self);

    /// Hands `len` bytes of `path` from `offset` (fewer at its end) to
    /// `sink`, in pieces, for hashing; returns how many it handed. Does not
    /// touch the transfer file.
    fn read_range(
        &mut self,
        path: &str,
        offset: u64,
        len: u64,
        sink: &mut dyn FnMut(&[u8]),
    ) -> Result<u64, FsFailure>;
}
