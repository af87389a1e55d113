//! Group 8, file system (protocol.md §2.4).
//!
//! One transfer (an upload or a download) is open at a time, owned by the
//! transport and path that opened it. While it is open, a transfer request from
//! another transport or for another path is rc 10 (`EBUSY`); the owner may
//! switch direction on its own path. A transfer closes when its last byte has
//! moved, after [`IDLE_CLOSE_MS`] without a request (checked at the next fs
//! request), on close (command 4), and on storage erase (group 63).
//!
//! Names are absolute paths of 1 to [`PATH_LEN`] bytes (else rc 3). The core
//! refuses names that are not absolute or hold an empty, `.` or `..`
//! component or a NUL byte (err {8, 2}); the platform confines everything else
//! to its mount points (symbolic links out of them, unknown mount points,
//! missing directories) and reports it as [`FsFailure`].
//!
//! A download chunk is as large as the response buffer allows: the data is
//! read straight into it, leaving room for the fields that follow, so a
//! response always fits whatever the buffer size or transport MTU.
//!
//! Where the reference leaves a choice, this group decides:
//! - an upload at offset 0 that declares `len` 0 empties an existing file
//!   (Zephyr only truncates when the packet carries data);
//! - a download past the end of the file returns empty `data`, as Zephyr.

use crate::cbor::Decoder;
use crate::sha256::Sha256;

use crate::cbor::{decode_map, head_len, once, put_in_place, Field, Response, StrKind};
use crate::dispatch::{Command, Ctx, Group, Request, Transport};
use crate::error::{Error, MgmtErr};
use crate::header::GroupId;

crate::group_errors! {
    /// File system group errors (`err.rc` with group 8).
    pub enum FsError for GroupId::FS {
        Unknown = 1 => Unknown,
        FileInvalidName = 2 => Inval,
        FileNotFound = 3 => NoEnt,
        FileIsDirectory = 4 => Unknown,
        FileOpenFailed = 5 => Unknown,
        FileSeekFailed = 6 => Unknown,
        FileReadFailed = 7 => Unknown,
        FileTruncateFailed = 8 => Unknown,
        FileDeleteFailed = 9 => Unknown,
        FileWriteFailed = 10 => Unknown,
        FileOffsetNotValid = 11 => Unknown,
        FileOffsetLargerThanFile = 12 => Unknown,
        ChecksumHashNotFound = 13 => Inval,
        MountPointNotFound = 14 => NoEnt,
        ReadOnlyFilesystem = 15 => Unknown,
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

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Direction {
    Upload,
    Download,
}

#[derive(Debug)]
struct Transfer {
    transport: Transport,
    path: heapless::String<PATH_LEN>,
    direction: Direction,
    /// Next offset: bytes written (upload) or read up to (download).
    off: u64,
    /// The file size (download) or the size announced at offset 0 (upload).
    len: Option<u64>,
    last_ms: u64,
}

/// The transfer in progress; part of the server's [`State`](crate::dispatch::State).
#[derive(Debug, Default)]
pub struct FsState {
    open: Option<Transfer>,
}

impl FsState {
    /// Whether a transfer is open.
    pub fn is_open(&self) -> bool {
        self.open.is_some()
    }

    /// Closes the transfer, if any, and the platform's transfer file.
    pub fn close(&mut self, fs: &mut dyn FsPlatform) {
        if self.open.take().is_some() {
            fs.close();
        }
    }

    /// Closes an idle transfer, then refuses a transfer request from another
    /// transport or for another path while one is open (rc 10).
    fn claim(
        &mut self,
        fs: &mut dyn FsPlatform,
        transport: Transport,
        path: &str,
        now: u64,
    ) -> Result<(), Error> {
        if let Some(t) = &self.open {
            if now.saturating_sub(t.last_ms) >= IDLE_CLOSE_MS {
                self.close(fs);
            }
        }
        match &self.open {
            Some(t) if t.transport != transport || t.path != path => Err(MgmtErr::Busy.into()),
            _ => Ok(()),
        }
    }

    /// The transfer of the caller in `direction`: the open one, or a new one
    /// opened by `open` (a transfer in the other direction is closed first).
    /// `true` when it was just opened.
    fn begin(
        &mut self,
        fs: &mut dyn FsPlatform,
        transport: Transport,
        path: &str,
        direction: Direction,
        now: u64,
        open: impl FnOnce(&mut dyn FsPlatform) -> Result<Option<u64>, Error>,
    ) -> Result<(&mut Transfer, bool), Error> {
        if self.open.as_ref().is_some_and(|t| t.direction != direction) {
            self.close(fs);
        }
        let fresh = self.open.is_none();
        if fresh {
            let len = open(fs)?;
            let mut owned = heapless::String::new();
            // Cannot fail: the name was checked to be at most PATH_LEN bytes.
            owned.push_str(path).map_err(|_| MgmtErr::Inval)?;
            self.open = Some(Transfer {
                transport,
                path: owned,
                direction,
                off: 0,
                len,
                last_ms: now,
            });
        }
        match self.open.as_mut() {
            Some(t) => {
                t.last_ms = now;
                Ok((t, fresh))
            }
            None => Err(MgmtErr::Unknown.into()),
        }
    }

    /// Closes the transfer once all of it has moved.
    fn finish_check(&mut self, fs: &mut dyn FsPlatform) {
        if self
            .open
            .as_ref()
            .is_some_and(|t| t.len.is_some_and(|len| t.off >= len))
        {
            self.close(fs);
        }
    }
}

/// Checks a name's length: rc 3 outside 1..=[`PATH_LEN`] bytes.
fn checked_name(name: Option<&str>) -> Result<&str, Error> {
    name.filter(|n| !n.is_empty() && n.len() <= PATH_LEN)
        .ok_or(MgmtErr::Inval.into())
}

/// The core's path rules: absolute, no empty, `.` or `..` component, no NUL.
pub fn path_is_valid(path: &str) -> bool {
    match path.strip_prefix('/') {
        Some(rest) => rest
            .split('/')
            .all(|c| !c.is_empty() && c != "." && c != ".." && !c.contains('\0')),
        None => false,
    }
}

fn checked_path(name: Option<&str>) -> Result<&str, Error> {
    let name = checked_name(name)?;
    if !path_is_valid(name) {
        return Err(FsError::FileInvalidName.into());
    }
    Ok(name)
}

/// Errors of looking a file up for reading (status, download, hash).
fn lookup_error(failure: FsFailure) -> Error {
    match failure {
        FsFailure::InvalidName => FsError::FileInvalidName,
        FsFailure::NotFound | FsFailure::NoMountPoint => FsError::FileNotFound,
        FsFailure::IsDirectory => FsError::FileIsDirectory,
        FsFailure::ReadOnly | FsFailure::Failed => FsError::Unknown,
    }
    .into()
}

/// Errors of opening a file for upload.
fn create_error(failure: FsFailure) -> Error {
    match failure {
        FsFailure::InvalidName => FsError::FileInvalidName,
        FsFailure::NotFound | FsFailure::NoMountPoint => FsError::MountPointNotFound,
        FsFailure::IsDirectory => FsError::FileIsDirectory,
        FsFailure::ReadOnly => FsError::ReadOnlyFilesystem,
        FsFailure::Failed => FsError::Unknown,
    }
    .into()
}

/// Errors of writing the transfer file; `otherwise` for plain I/O errors.
fn write_error(failure: FsFailure, otherwise: FsError) -> Error {
    match failure {
        FsFailure::ReadOnly => FsError::ReadOnlyFilesystem,
        _ => otherwise,
    }
    .into()
}

pub static GROUP: Group = Group {
    id: GroupId::FS,
    name: "fs mgmt",
    commands: &[
        Command::read_write(download, upload),
        Command::read(status),
        Command::read(hash),
        Command::read(hash_types),
        Command::write(close),
    ],
};

fn platform<'c>(ctx: &'c mut Ctx<'_>) -> Result<&'c mut dyn FsPlatform, Error> {
    ctx.platform.fs().ok_or(MgmtErr::NotSup.into())
}

fn download(ctx: &mut Ctx<'_>, req: &Request<'_>, rsp: &mut Response<'_>) -> Result<(), Error> {
    let (mut off, mut name) = (None, None);
    decode_map(req.payload, |key, dec| match key {
        "off" => once(&mut off, dec.u64()),
        "name" => once(&mut name, dec.str()),
        _ => Ok(Field::Unknown),
    })?;
    let off = off.ok_or(MgmtErr::Inval)?;
    let name = checked_name(name)?;
    let fs = ctx.platform.fs().ok_or(MgmtErr::NotSup)?;
    let state = &mut ctx.state.fs;
    let now = fs.now_ms();
    state.claim(fs, req.transport, name, now)?;
    let (transfer, _) = state.begin(fs, req.transport, name, Direction::Download, now, |fs| {
        let path = checked_path(Some(name))?;
        let size = fs.file_size(path).map_err(lookup_error)?;
        fs.open(path, OpenMode::Read).map_err(lookup_error)?;
        Ok(Some(size))
    })?;
    let size = transfer.len.unwrap_or(0);
    rsp.str("off")?.u64(off)?;
    rsp.str("data")?;
    // after the data: "len" and its number at offset 0, the map end
    let reserve = 1 + if off == 0 { 4 + head_len_u64(size) } else { 0 };
    let remaining = size.saturating_sub(off);
    let max = usize::try_from(remaining).unwrap_or(usize::MAX);
    let read = put_in_place(rsp, StrKind::Bytes, max, reserve, |buf| {
        let mut filled = 0;
        while filled < buf.len() {
            let n = fs
                .read(off + filled as u64, &mut buf[filled..])
                .map_err(|_| FsError::FileReadFailed)?;
            if n == 0 {
                break;
            }
            filled += n;
        }
        Ok(filled)
    });
    let n = match read {
        Ok(n) => n,
        Err(e) => {
            state.close(fs);
            return Err(e);
        }
    };
    if off == 0 {
        rsp.str("len")?.u64(size)?;
    }
    if let Some(t) = state.open.as_mut() {
        t.off = off + n as u64;
    }
    ctx.state.stats.transfer.fs_download_bytes += n as u64;
    state_finish(ctx);
    Ok(())
}

fn state_finish(ctx: &mut Ctx<'_>) {
    if let Some(fs) = ctx.platform.fs() {
        ctx.state.fs.finish_check(fs);
    }
}

fn head_len_u64(n: u64) -> usize {
    usize::try_from(n).map_or(9, head_len)
}

fn upload(ctx: &mut Ctx<'_>, req: &Request<'_>, rsp: &mut Response<'_>) -> Result<(), Error> {
    let (mut off, mut name, mut data, mut len) = (None, None, None, None);
    decode_map(req.payload, |key, dec: &mut Decoder<'_>| match key {
        "off" => once(&mut off, dec.u64()),
        "name" => once(&mut name, dec.str()),
        "data" => once(&mut data, dec.bytes()),
        "len" => once(&mut len, dec.u64()),
        _ => Ok(Field::Unknown),
    })?;
    let off = off.ok_or(MgmtErr::Inval)?;
    if off == 0 && len.is_none() {
        return Err(MgmtErr::Inval.into());
    }
    let name = checked_name(name)?;
    let data = data.unwrap_or(&[]);
    let fs = ctx.platform.fs().ok_or(MgmtErr::NotSup)?;
    let state = &mut ctx.state.fs;
    let now = fs.now_ms();
    state.claim(fs, req.transport, name, now)?;
    let (transfer, fresh) = state.begin(fs, req.transport, name, Direction::Upload, now, |fs| {
        let path = checked_path(Some(name))?;
        fs.open(path, OpenMode::Write).map_err(create_error)?;
        Ok(None)
    })?;
    if off == 0 {
        transfer.len = len;
    } else if fresh {
        // resuming after the transfer was closed: continue at the file's end
        match fs.file_size(name) {
            Ok(size) => transfer.off = size,
            Err(f) => {
                state.close(fs);
                return Err(lookup_error(f));
            }
        }
    }
    if off > 0 && off != transfer.off {
        let expected = transfer.off;
        state.close(fs);
        return Err(FsError::FileOffsetNotValid.with_detail("len", expected));
    }
    let written: Result<(), Error> = (|| {
        if off == 0 && (!data.is_empty() || len == Some(0)) {
            fs.truncate()
                .map_err(|f| write_error(f, FsError::FileTruncateFailed))?;
            transfer.off = 0;
        }
        if !data.is_empty() {
            fs.append(data)
                .map_err(|f| write_error(f, FsError::FileWriteFailed))?;
            transfer.off += data.len() as u64;
        }
        Ok(())
    })();
    if let Err(e) = written {
        state.close(fs);
        return Err(e);
    }
    rsp.str("off")?.u64(transfer.off)?;
    ctx.state.stats.transfer.fs_upload_bytes += data.len() as u64;
    state_finish(ctx);
    Ok(())
}

fn status(ctx: &mut Ctx<'_>, req: &Request<'_>, rsp: &mut Response<'_>) -> Result<(), Error> {
    let mut name = None;
    decode_map(req.payload, |key, dec| match key {
        "name" => once(&mut name, dec.str()),
        _ => Ok(Field::Unknown),
    })?;
    checked_name(name)?;
    let fs = platform(ctx)?;
    let path = checked_path(name)?;
    let size = fs.file_size(path).map_err(lookup_error)?;
    rsp.str("len")?.u64(size)?;
    Ok(())
}

/// A hash or checksum the group computes.
#[derive(Clone, Copy, Debug)]
struct HashType {
    name: &'static str,
    /// 0: the output is a number; 1: a byte string.
    format: u8,
    /// Output size in bytes.
    size: u8,
}

/// The supported types, in the order Zephyr registers them; the first is
/// the default.
const HASH_TYPES: [HashType; 2] = [
    HashType {
        name: "crc32",
        format: 0,
        size: 4,
    },
    HashType {
        name: "sha256",
        format: 1,
        size: 32,
    },
];

static CRC32: crc::Crc<u32> = crc::Crc::<u32>::new(&crc::CRC_32_ISO_HDLC);

fn hash(ctx: &mut Ctx<'_>, req: &Request<'_>, rsp: &mut Response<'_>) -> Result<(), Error> {
    let (mut kind, mut name, mut off, mut len) = (None, None, None, None);
    decode_map(req.payload, |key, dec| match key {
        "type" => once(&mut kind, dec.str()),
        "name" => once(&mut name, dec.str()),
        "off" => once(&mut off, dec.u64()),
        "len" => once(&mut len, dec.u64()),
        _ => Ok(Field::Unknown),
    })?;
    checked_name(name)?;
    let kind = kind.unwrap_or(HASH_TYPES[0].name);
    if kind.len() > HASH_TYPE_LEN || len == Some(0) {
        return Err(MgmtErr::Inval.into());
    }
    let off = off.unwrap_or(0);
    let fs = platform(ctx)?;
    let hash_type = HASH_TYPES
        .iter()
        .find(|t| t.name == kind)
        .ok_or(FsError::ChecksumHashNotFound)?;
    let path = checked_path(name)?;
    let size = fs.file_size(path).map_err(lookup_error)?;
    if size == 0 {
        return Err(FsError::FileEmpty.into());
    }
    if off >= size {
        return Err(FsError::FileOffsetLargerThanFile.into());
    }
    let len = len.unwrap_or(u64::MAX).min(size - off);
    rsp.str("type")?.str(hash_type.name)?;
    if off != 0 {
        rsp.str("off")?.u64(off)?;
    }
    if hash_type.format == 0 {
        let mut crc = CRC32.digest();
        let hashed = fs
            .read_range(path, off, len, &mut |piece| crc.update(piece))
            .map_err(|_| FsError::FileReadFailed)?;
        rsp.str("len")?.u64(hashed)?;
        rsp.str("output")?.u32(crc.finalize())?;
    } else {
        let mut sha = Sha256::new();
        let hashed = fs
            .read_range(path, off, len, &mut |piece| sha.update(piece))
            .map_err(|_| FsError::FileReadFailed)?;
        let digest = sha.finalize();
        rsp.str("len")?.u64(hashed)?;
        rsp.str("output")?.bytes(&digest)?;
    }
    Ok(())
}

fn hash_types(_: &mut Ctx<'_>, _: &Request<'_>, rsp: &mut Response<'_>) -> Result<(), Error> {
    rsp.str("types")?.begin_map()?;
    for t in HASH_TYPES {
        rsp.str(t.name)?.begin_map()?;
        rsp.str("format")?.u8(t.format)?;
        rsp.str("size")?.u8(t.size)?;
        rsp.end()?;
    }
    rsp.end()?;
    Ok(())
}

fn close(ctx: &mut Ctx<'_>, _: &Request<'_>, _: &mut Response<'_>) -> Result<(), Error> {
    let fs = ctx.platform.fs().ok_or(MgmtErr::NotSup)?;
    ctx.state.fs.close(fs);
    Ok(())
}

#[cfg(test)]
mod tests;
