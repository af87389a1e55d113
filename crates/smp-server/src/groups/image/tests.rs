//! Image group commands (protocol.md §2.1, §4.4–4.5), one behaviour per test,
//! against an in-memory NOR flash and the imgtool-signed fixtures.

mod direct_upload;
mod erase;
mod slot_state;
mod swap_offset;
mod upload;
mod zephyr_client;

use super::*;
use crate::dispatch::{Params, Server};
use crate::error::MgmtErr;
use crate::flash::FlashArea;
use crate::mcuboot::fixtures::{APP_1_2_3, APP_1_2_4_5, APP_1_3_0};
use crate::mcuboot::mem_flash::MemFlash;
use crate::mcuboot::BootMode;
use crate::platform::Platform;
use crate::request::Transport;
pub use crate::testing::cbor::{cbor, parse, Val};
pub use crate::testing::image::{FakeImage, MAX_IMAGE, SECTOR, SLOT_SIZE};
use crate::testing::{bytes, packet, Bench, Device};

const READ: u8 = 0x08;
const WRITE: u8 = 0x0A;
const V1_WRITE: u8 = 0x02;

pub const PARAMS: Params = Params {
    buf_size: 4096,
    buf_count: 4,
};

/// One server kept across requests, as on a device (the upload state lives
/// in it), in front of the bench's device with the slots of the test.
pub struct Session {
    server: Server<'static>,
    /// Tells sessions apart in recorded fuzz seeds.
    id: u64,
}

impl Session {
    pub fn new() -> Self {
        Session::with_groups(crate::testing::ALL_GROUPS)
    }

    /// A session whose server has only `groups`.
    pub fn with_groups(groups: &'static [&'static crate::dispatch::Group]) -> Self {
        Session {
            server: Server::new(groups, PARAMS),
            id: crate::testing::next_bench_id(),
        }
    }

    /// Every response to `input`, each without its 8-byte header.
    pub fn send_raw(&mut self, slots: &mut FakeImage, input: &[u8]) -> Vec<Vec<u8>> {
        let mut dev = Device {
            image: Some(std::mem::take(slots)),
            ..Device::default()
        };
        let out = self.send_to(&mut dev, input);
        *slots = dev.image.take().expect("the image fake stays");
        out
    }

    /// Every response of a device of the test's own making.
    pub fn send_to(&mut self, p: &mut dyn Platform, input: &[u8]) -> Vec<Vec<u8>> {
        crate::testing::record_seed(self.id, input);
        let mut tx = vec![0u8; PARAMS.buf_size];
        let mut out = Vec::new();
        self.server
            .process(p, Transport::Udp, input, &mut tx, &mut |r| {
                out.push(r[8..].to_vec())
            });
        out
    }

    /// The response payload to one request.
    pub fn send(&mut self, p: &mut FakeImage, op: u8, id: u8, payload: &[u8]) -> Vec<u8> {
        let mut r = self.send_raw(p, &packet(op, 1, 7, id, payload));
        assert_eq!(r.len(), 1);
        r.remove(0)
    }

    pub fn read(&mut self, p: &mut FakeImage, id: u8, payload: &[u8]) -> Vec<u8> {
        self.send(p, READ, id, payload)
    }

    pub fn write(&mut self, p: &mut FakeImage, id: u8, payload: &[u8]) -> Vec<u8> {
        self.send(p, WRITE, id, payload)
    }
}

/// `{"err": {"group": 1, "rc": rc}}`, as the server encodes it.
pub fn err(rc: u8) -> Vec<u8> {
    crate::testing::err(1, rc)
}

pub use crate::testing::rc;

#[test]
fn without_image_support_every_command_is_rc_8() {
    let mut b = Bench::new(Device::default());
    assert_eq!(b.ask_bytes(READ, 1, 0, &[]), rc(8));
    assert_eq!(b.ask(WRITE, 1, 1, "a0"), rc(8));
    assert_eq!(b.ask(WRITE, 1, 5, "a0"), rc(8));
    assert_eq!(b.ask_bytes(READ, 1, 6, &[]), rc(8));
}

#[test]
fn reserved_commands_file_corelist_coreload_are_rc_8() {
    let mut d = FakeImage::single();
    let mut s = Session::new();
    for id in [2, 3, 4] {
        assert_eq!(s.read(&mut d, id, &[]), rc(8), "read {id}");
        assert_eq!(s.write(&mut d, id, &[]), rc(8), "write {id}");
    }
    assert_eq!(s.read(&mut d, 7, &[]), rc(8));
}

#[test]
fn v1_translation_of_every_image_code() {
    use ImageMgmtError as E;
    let inval = [14, 19, 20, 21, 22, 24, 25];
    let noent = [3, 4];
    let badstate = [9, 27, 28];
    let all = [
        E::Unknown,
        E::FlashConfigQueryFail,
        E::NoImage,
        E::NoTlvs,
        E::InvalidTlv,
        E::TlvMultipleHashesFound,
        E::TlvInvalidSize,
        E::HashNotFound,
        E::NoFreeSlot,
        E::FlashOpenFailed,
        E::FlashReadFailed,
        E::FlashWriteFailed,
        E::FlashEraseFailed,
        E::InvalidSlot,
        E::NoFreeMemory,
        E::FlashContextAlreadySet,
        E::FlashContextNotSet,
        E::FlashAreaDeviceNull,
        E::InvalidPageOffset,
        E::InvalidOffset,
        E::InvalidLength,
        E::InvalidImageHeader,
        E::InvalidImageHeaderMagic,
        E::InvalidHash,
        E::InvalidFlashAddress,
        E::VersionGetFailed,
        E::CurrentVersionIsNewer,
        E::ImageAlreadyPending,
        E::InvalidImageVectorTable,
        E::InvalidImageTooLarge,
        E::InvalidImageDataOverrun,
        E::ImageConfirmationDenied,
        E::ImageSettingTestToActiveDenied,
        E::ActiveSlotNotKnown,
    ];
    for (i, e) in all.into_iter().enumerate() {
        let code = e.code();
        assert_eq!(usize::from(code), i + 1, "{e:?}");
        let want = if inval.contains(&code) {
            MgmtErr::Inval
        } else if noent.contains(&code) {
            MgmtErr::NoEnt
        } else if badstate.contains(&code) {
            MgmtErr::BadState
        } else if code == 15 {
            MgmtErr::NoMem
        } else {
            MgmtErr::Unknown
        };
        assert_eq!(e.v1(), want, "{e:?}");
    }
}

#[test]
fn v1_request_gets_the_translated_rc() {
    let mut d = FakeImage::single();
    let mut s = Session::new();
    // Erase of the running slot: NO_FREE_SLOT (9) -> EBADSTATE (6).
    let r = s.send(
        &mut d,
        V1_WRITE,
        5,
        &cbor(|e| e.map(1)?.str("slot")?.u8(0).map(|_| ())),
    );
    assert_eq!(r, rc(6));
}
