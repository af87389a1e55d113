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

pub mod platform;
pub mod state;

pub use platform::{
    path_is_valid, FsError, FsFailure, FsPlatform, OpenMode, HASH_TYPE_LEN, IDLE_CLOSE_MS, PATH_LEN,
};
pub use state::FsState;

use crate::cbor::Decoder;
use crate::sha256::Sha256;
use state::Direction;

use crate::cbor::{decode_map, head_len, once, put_in_place, Field, Response, StrKind};
use crate::dispatch::{Command, Ctx, Group, Request};
use crate::error::{Error, MgmtErr};
use crate::event::{Event, TransferKind};
use crate::header::GroupId;
use crate::hooks::FsAccess;

/// Checks a name's length: rc 3 outside 1..=[`PATH_LEN`] bytes.
fn checked_name(name: Option<&str>) -> Result<&str, Error> {
    name.filter(|n| !n.is_empty() && n.len() <= PATH_LEN)
        .ok_or(MgmtErr::Inval.into())
}

/// The file a request names, as the application's fs hook leaves it: it may
/// refuse the access or give another path (checked again by the caller).
fn hooked_name(
    ctx: &mut Ctx<'_>,
    access: FsAccess,
    name: &str,
) -> Result<heapless::String<PATH_LEN>, Error> {
    let mut path = heapless::String::new();
    // Cannot fail: the name was checked to be at most PATH_LEN bytes.
    path.push_str(name).map_err(|_| MgmtErr::Inval)?;
    ctx.hooks.fs_access(access, &mut path)?;
    Ok(path)
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

/// The group's command ids.
pub mod cmd {
    /// Download (read) and upload (write) of a file.
    pub const FILE: u8 = 0;
    /// The size of a file.
    pub const STATUS: u8 = 1;
    /// A hash or checksum of a file.
    pub const HASH_CHECKSUM: u8 = 2;
    /// The hash and checksum types.
    pub const SUPPORTED_HASH_CHECKSUM: u8 = 3;
    /// Closes the open transfer.
    pub const CLOSE: u8 = 4;
}

/// The group: its id, name and command table.
pub static GROUP: Group = Group {
    id: GroupId::FS,
    name: "fs mgmt",
    commands: crate::command_table![
        cmd::FILE => Command::read_write(download, upload),
        cmd::STATUS => Command::read(status),
        cmd::HASH_CHECKSUM => Command::read(hash),
        cmd::SUPPORTED_HASH_CHECKSUM => Command::read(hash_types),
        cmd::CLOSE => Command::write(close),
    ],
};

fn platform<'c>(ctx: &'c mut Ctx<'_>) -> Result<&'c mut dyn FsPlatform, Error> {
    ctx.platform.fs().ok_or(MgmtErr::NotSup.into())
}

fn download(ctx: &mut Ctx<'_>, req: &Request<'_>, rsp: &mut Response<'_>) -> Result<(), Error> {
    let (mut off, mut name) = (None, None);
    decode_map(req.payload, |key, dec| match key {
        k if k == b"off" => once(&mut off, dec.u64()),
        k if k == b"name" => once(&mut name, dec.str()),
        _ => Ok(Field::Unknown),
    })?;
    let off = off.ok_or(MgmtErr::Inval)?;
    let hooked = hooked_name(ctx, FsAccess::Read, checked_name(name)?)?;
    let name = hooked.as_str();
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
                .read(
                    off + filled as u64,
                    buf.get_mut(filled..).unwrap_or_default(),
                )
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
    ctx.notify(Event::Transferred {
        kind: TransferKind::FsDownload,
        bytes: n as u64,
    });
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
        k if k == b"off" => once(&mut off, dec.u64()),
        k if k == b"name" => once(&mut name, dec.str()),
        k if k == b"data" => once(&mut data, dec.bytes()),
        k if k == b"len" => once(&mut len, dec.u64()),
        _ => Ok(Field::Unknown),
    })?;
    let off = off.ok_or(MgmtErr::Inval)?;
    if off == 0 && len.is_none() {
        return Err(MgmtErr::Inval.into());
    }
    let hooked = hooked_name(ctx, FsAccess::Write, checked_name(name)?)?;
    let name = hooked.as_str();
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
        ctx.error_detail = Some(("len", expected));
        return Err(FsError::FileOffsetNotValid.into());
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
    ctx.notify(Event::Transferred {
        kind: TransferKind::FsUpload,
        bytes: data.len() as u64,
    });
    state_finish(ctx);
    Ok(())
}

fn status(ctx: &mut Ctx<'_>, req: &Request<'_>, rsp: &mut Response<'_>) -> Result<(), Error> {
    let mut name = None;
    decode_map(req.payload, |key, dec| match key {
        k if k == b"name" => once(&mut name, dec.str()),
        _ => Ok(Field::Unknown),
    })?;
    let hooked = hooked_name(ctx, FsAccess::Status, checked_name(name)?)?;
    let fs = platform(ctx)?;
    let path = checked_path(Some(&hooked))?;
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
        k if k == b"type" => once(&mut kind, dec.str()),
        k if k == b"name" => once(&mut name, dec.str()),
        k if k == b"off" => once(&mut off, dec.u64()),
        k if k == b"len" => once(&mut len, dec.u64()),
        _ => Ok(Field::Unknown),
    })?;
    checked_name(name)?;
    let kind = kind.unwrap_or(HASH_TYPES[0].name);
    if kind.len() > HASH_TYPE_LEN || len == Some(0) {
        return Err(MgmtErr::Inval.into());
    }
    let off = off.unwrap_or(0);
    let hooked = hooked_name(ctx, FsAccess::Hash, checked_name(name)?)?;
    let fs = platform(ctx)?;
    let hash_type = HASH_TYPES
        .iter()
        .find(|t| t.name == kind)
        .ok_or(FsError::ChecksumHashNotFound)?;
    let path = checked_path(Some(&hooked))?;
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
