//! Group and handler tables, and the server that answers one buffer of SMP
//! packets (protocol.md §1.5–1.8).

use crate::cbor::{Encoder, Response, Writer};
use crate::error::{Error, GroupErr, MgmtErr};
use crate::event::Event;
use crate::groups::State;
use crate::header::{GroupId, Header, Op, Version, HEADER_LEN};
use crate::hooks::{Hooks, NoHooks};
use crate::platform::Platform;
pub use crate::request::{Access, Request, Transport};

/// A command handler: decodes the request payload, does the work through the
/// platform and writes its response entries into the already opened map.
pub type Handler = fn(&mut Ctx<'_>, &Request<'_>, &mut Response<'_>) -> Result<(), Error>;

/// One command id: its read and write handlers.
#[derive(Clone, Copy)]
pub struct Command {
    /// Runs for [`Op::Read`]; `None` answers reads of this id with rc 8.
    pub read: Option<Handler>,
    /// Runs for [`Op::Write`]; `None` answers writes of this id with rc 8.
    pub write: Option<Handler>,
}

impl Command {
    /// A reserved or unimplemented id (answered with rc 8).
    pub const NONE: Command = Command {
        read: None,
        write: None,
    };

    /// A command that only reads.
    pub const fn read(h: Handler) -> Self {
        Command {
            read: Some(h),
            write: None,
        }
    }

    /// A command that only writes.
    pub const fn write(h: Handler) -> Self {
        Command {
            read: None,
            write: Some(h),
        }
    }

    /// A command with both a read and a write.
    pub const fn read_write(r: Handler, w: Handler) -> Self {
        Command {
            read: Some(r),
            write: Some(w),
        }
    }
}

/// The length of a command table holding `entries`: the highest id plus one.
// Evaluated at compile time only (`command_table!`): an index out of range
// would stop the build, never a running server.
#[allow(clippy::indexing_slicing)]
#[doc(hidden)]
pub const fn table_len(entries: &[(u8, Command)]) -> usize {
    let mut len = 0;
    let mut i = 0;
    while i < entries.len() {
        let id = entries[i].0 as usize;
        if id + 1 > len {
            len = id + 1;
        }
        i += 1;
    }
    len
}

/// The command table indexed by id that holds `entries`, ids not named
/// answering rc 8. Evaluated at compile time ([`command_table!`](crate::command_table),
/// a group's `commands()`): an id named twice or beyond `N` stops the build.
// Compile time only, as `table_len`: its panic and indexing are build errors.
#[allow(clippy::indexing_slicing, clippy::panic)]
pub const fn keyed<const N: usize>(entries: &[(u8, Command)]) -> [Command; N] {
    let mut table = [Command::NONE; N];
    let mut i = 0;
    while i < entries.len() {
        let (id, command) = entries[i];
        let slot = &mut table[id as usize];
        if slot.read.is_some() || slot.write.is_some() {
            panic!("a command id is named twice in one table");
        }
        *slot = command;
        i += 1;
    }
    table
}

/// A `&'static` command table from named ids, built at compile time:
///
/// ```
/// use smp_server::dispatch::{Command, Ctx, Group, Request};
/// use smp_server::{cbor::Response, command_table, Error, GroupId};
///
/// const GET: u8 = 0;
/// const RESET: u8 = 2;
///
/// fn get(_: &mut Ctx<'_>, _: &Request<'_>, rsp: &mut Response<'_>) -> Result<(), Error> {
///     rsp.str("value")?.u32(7)?;
///     Ok(())
/// }
///
/// fn reset(_: &mut Ctx<'_>, _: &Request<'_>, _: &mut Response<'_>) -> Result<(), Error> {
///     Ok(())
/// }
///
/// static GROUP: Group = Group {
///     id: GroupId(64),
///     name: "counter",
///     commands: command_table![GET => Command::read(get), RESET => Command::write(reset)],
/// };
/// assert_eq!(GROUP.commands.len(), 3); // id 1 answers rc 8
/// ```
#[macro_export]
macro_rules! command_table {
    ($($id:expr => $command:expr),+ $(,)?) => {{
        const ENTRIES: &[(u8, $crate::dispatch::Command)] = &[$(($id, $command)),+];
        const TABLE: [$crate::dispatch::Command; $crate::dispatch::table_len(ENTRIES)] =
            $crate::dispatch::keyed(ENTRIES);
        &TABLE
    }};
}

/// A management group: its number, its name (for enum details) and its table,
/// indexed by command id.
pub struct Group {
    /// The group number requests carry in their header.
    pub id: GroupId,
    /// The name enumeration details report, as Zephyr names its groups
    /// (`"os mgmt"`).
    pub name: &'static str,
    /// Handlers by command id; ids past the end answer rc 8.
    pub commands: &'static [Command],
}

impl Group {
    fn handler(&self, id: u8, op: Op) -> Option<Handler> {
        let cmd = self.commands.get(usize::from(id))?;
        match op {
            Op::Read => cmd.read,
            Op::Write => cmd.write,
            _ => None,
        }
    }
}

/// Buffer geometry, reported by MCUmgr parameters (os 6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Params {
    /// Largest SMP packet (header included) the server receives.
    pub buf_size: usize,
    /// Number of buffers; a client may keep `buf_count - 1` requests in flight.
    pub buf_count: usize,
}

/// Work the platform does once the response has been sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AfterResponse {
    /// Reset the device, as os reset asked.
    Reset {
        /// The `boot_mode` the request gave (Zephyr: 0 normal, 1 into the
        /// bootloader); `None` when it gave none.
        boot_mode: Option<u8>,
        /// Milliseconds the application's hooks asked to wait, beyond the
        /// platform's own delay.
        delay_ms: u32,
    },
}

/// What a handler may reach besides its request.
pub struct Ctx<'a> {
    /// The device, through the part of each group.
    pub platform: &'a mut dyn Platform,
    /// The application's hooks ([`NoHooks`] when it has none).
    pub hooks: &'a mut dyn Hooks,
    /// What the groups keep between requests (transfers in progress,
    /// counters).
    pub state: &'a mut State,
    /// Every group the server has, in its order (enumeration lists them).
    pub groups: &'a [&'static Group],
    /// The buffer geometry the server reports.
    pub params: Params,
    /// Where a handler leaves work that must wait until its response has
    /// been sent (a reset).
    pub after_response: &'a mut Option<AfterResponse>,
    /// One more entry the error response carries beside `err`, if the
    /// handler returns a group error (fs upload's expected `len`). Kept here
    /// rather than in [`Error`], so that every `Result` a handler passes
    /// around stays a few bytes.
    pub error_detail: Option<(&'static str, u64)>,
}

impl Ctx<'_> {
    /// The application's state of type `T` ([`Platform::app`]), for the
    /// groups an application adds; rc 8 where the platform holds none of
    /// that type.
    pub fn app<T: 'static>(&mut self) -> Result<&mut T, Error> {
        self.platform
            .app()
            .and_then(|state| state.downcast_mut::<T>())
            .ok_or(MgmtErr::NotSup.into())
    }

    /// Tells the server's parts what happened (see [`crate::event`]).
    pub fn notify(&mut self, event: Event) {
        self.state.on_event(&mut *self.platform, event);
    }
}

/// The SMP server: a list of groups and the buffer geometry it reports.
pub struct Server<'g> {
    groups: &'g [&'static Group],
    params: Params,
    state: State,
}

/// The response map of an error: `BF 62 "rc" <code> FF` is at most 8 bytes,
/// `err` with a detail field well under this.
const ERROR_PAYLOAD_MAX: usize = 48;

impl<'g> Server<'g> {
    /// A server answering for `groups` and reporting `params`; no transfer
    /// in progress, counters at 0.
    pub fn new(groups: &'g [&'static Group], params: Params) -> Self {
        Server {
            groups,
            params,
            state: State::default(),
        }
    }

    /// The buffer geometry the server reports.
    pub fn params(&self) -> Params {
        self.params
    }

    /// The groups the server answers for, in enumeration order.
    pub fn groups(&self) -> &'g [&'static Group] {
        self.groups
    }

    /// The groups' state, for tests that look behind the responses.
    #[cfg(test)]
    pub(crate) fn state(&self) -> &State {
        &self.state
    }

    /// Answers every SMP packet in `input`, in order, calling `emit` with each
    /// response packet built in `tx` (whose length caps the response size).
    ///
    /// Fewer than 8 bytes left get no answer; a packet whose payload is
    /// shorter than its header says is answered with rc 9 and ends the buffer.
    pub fn process(
        &mut self,
        platform: &mut dyn Platform,
        transport: Transport,
        input: &[u8],
        tx: &mut [u8],
        emit: &mut dyn FnMut(&[u8]),
    ) -> Option<AfterResponse> {
        self.process_with_hooks(platform, &mut NoHooks, transport, input, tx, emit)
    }

    /// [`process`](Server::process), telling `hooks` what happens and asking
    /// them where the groups let an application decide (see [`crate::hooks`]).
    pub fn process_with_hooks(
        &mut self,
        platform: &mut dyn Platform,
        hooks: &mut dyn Hooks,
        transport: Transport,
        input: &[u8],
        tx: &mut [u8],
        emit: &mut dyn FnMut(&[u8]),
    ) -> Option<AfterResponse> {
        let mut after_response = None;
        let cap = tx.len().min(usize::from(u16::MAX) + HEADER_LEN);
        let tx = tx.get_mut(..cap)?;
        if tx.len() < HEADER_LEN {
            return None;
        }
        let received = Event::Received {
            transport,
            bytes: input.len(),
        };
        self.state.on_event(platform, received);
        let mut rest = input;
        while let Some(header) = Header::parse(rest) {
            self.state.on_event(platform, Event::Packet { transport });
            let body = rest.get(HEADER_LEN..).unwrap_or_default();
            let payload = body.get(..usize::from(header.len));
            let (result, detail) = match payload {
                None => (Err(MgmtErr::Corrupt.into()), None),
                Some(payload) => {
                    let request = Request {
                        header,
                        payload,
                        transport,
                    };
                    let mut ctx = Ctx {
                        platform: &mut *platform,
                        hooks: &mut *hooks,
                        state: &mut self.state,
                        groups: self.groups,
                        params: self.params,
                        after_response: &mut after_response,
                        error_detail: None,
                    };
                    let out = tx.get_mut(HEADER_LEN..).unwrap_or_default();
                    let result = dispatch(&mut ctx, &request, out);
                    (result, ctx.error_detail)
                }
            };
            let error = result.is_err();
            let sent = respond(&header, result, detail, tx);
            if let Some(n) = sent {
                emit(tx.get(..n).unwrap_or_default());
            }
            let responded = Event::Responded {
                transport,
                sent,
                error,
            };
            self.state.on_event(platform, responded);
            match payload {
                Some(payload) => rest = body.get(payload.len()..).unwrap_or_default(),
                None => break,
            }
        }
        after_response
    }
}

/// Runs the handler of the request; the payload length written on success.
fn dispatch(ctx: &mut Ctx<'_>, request: &Request<'_>, out: &mut [u8]) -> Result<usize, Error> {
    let header = &request.header;
    if let Version::Unsupported(_) = header.version {
        return Err(MgmtErr::UnsupportedTooNew.into());
    }
    let handler = ctx
        .groups
        .iter()
        .find(|g| g.id == header.group)
        .and_then(|g| g.handler(header.id, header.op))
        .ok_or(MgmtErr::NotSup)?;
    let access = Access {
        transport: request.transport,
        group: header.group,
        id: header.id,
        op: header.op,
    };
    let result = ctx
        .hooks
        .command_received(&access)
        .and_then(|()| run(ctx, handler, request, out));
    ctx.hooks.command_done(&access, result.map(|_| ()));
    result
}

/// The handler's response map in `out`; its length.
fn run(
    ctx: &mut Ctx<'_>,
    handler: Handler,
    request: &Request<'_>,
    out: &mut [u8],
) -> Result<usize, Error> {
    let mut enc = Encoder::new(Writer::new(out));
    enc.begin_map()?;
    handler(ctx, request, &mut enc)?;
    enc.end()?;
    Ok(enc.into_writer().position())
}

/// Completes the response in `tx` (payload already there on success); its
/// length, or `None` when not even an error answer fits.
fn respond(
    request: &Header,
    result: Result<usize, Error>,
    detail: Option<(&'static str, u64)>,
    tx: &mut [u8],
) -> Option<usize> {
    let payload_len = match result {
        Ok(n) => n,
        Err(err) => {
            let end = tx.len().min(HEADER_LEN + ERROR_PAYLOAD_MAX);
            let out = tx.get_mut(HEADER_LEN..end)?;
            // A detail is extra help: a buffer too small for it (down to
            // MIN_NETBUF_SIZE) still gets the error itself, never silence.
            match encode_error(request.version, err, detail, out) {
                Some(n) => n,
                None => encode_error(request.version, err, None, out)?,
            }
        }
    };
    let mut header = request.response();
    // Cannot truncate: `tx` was capped at 65535 payload bytes.
    header.len = payload_len as u16;
    crate::bytes::copy(tx, &header.encode());
    Some(HEADER_LEN + payload_len)
}

/// `{"rc": N}` for SMP-level errors and for every error of a v1 request;
/// `{"err": {"group": G, "rc": R}}` (and `detail` beside it) for group
/// errors of a v2 request.
fn encode_error(
    version: Version,
    err: Error,
    detail: Option<(&'static str, u64)>,
    out: &mut [u8],
) -> Option<usize> {
    let mut enc = Encoder::new(Writer::new(out));
    let written: Result<(), Error> = (|| {
        enc.begin_map()?;
        match (err, version) {
            (Error::Mgmt(e), _) => {
                enc.str("rc")?.u16(e.code())?;
            }
            (Error::Group(GroupErr { v1, .. }), Version::V1) => {
                enc.str("rc")?.u16(v1.code())?;
            }
            (Error::Group(GroupErr { group, rc, .. }), _) => {
                enc.str("err")?.begin_map()?;
                enc.str("group")?.u16(group.0)?.str("rc")?.u16(rc)?;
                enc.end()?;
                if let Some((key, value)) = detail {
                    enc.str(key)?.u64(value)?;
                }
            }
        }
        enc.end()?;
        Ok(())
    })();
    written.ok()?;
    Some(enc.into_writer().position())
}

#[cfg(test)]
mod tests;
