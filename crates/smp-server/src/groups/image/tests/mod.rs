//! Image group commands (protocol.md §2.1, §4.4–4.5), one behaviour per test,
//! against an in-memory NOR flash and the imgtool-signed fixtures.

mod erase;
mod state;
mod upload;

use minicbor::data::Type;
use minicbor::encode::write::Cursor;
use minicbor::{Decoder, Encoder};

use super::*;
use crate::dispatch::{Params, Server, Transport};
use crate::groups::os;
use crate::groups::os::OsPlatform;
use crate::mcuboot::fixtures::{APP_1_2_3, APP_1_2_4_5, APP_1_3_0};
use crate::mcuboot::mem_flash::MemFlash;
use crate::mcuboot::{write_copy_done, write_image_ok, write_magic};
use crate::platform::Platform;
use crate::testing::{bytes, packet, FakePlatform};

pub const SLOT_SIZE: u32 = 0x10000;
pub const SECTOR: u32 = 0x1000;
/// Swap using move, 16 sectors of 4 KiB: one sector of trailer, one for moving.
pub const MAX_IMAGE: u32 = SLOT_SIZE - 2 * SECTOR;

const READ: u8 = 0x08;
const WRITE: u8 = 0x0A;
const V1_WRITE: u8 = 0x02;

/// A device with one or two image pairs in memory.
pub struct Device {
    os: FakePlatform,
    /// Indexed by absolute slot; `None` for a slot that does not exist.
    pub slots: Vec<Option<MemFlash>>,
    pub image_count: u8,
    pub active: [u8; 2],
    pub active_image: u8,
    pub config: BootConfig,
    pub use_build: bool,
}

impl Device {
    /// One image, running 1.2.3 from slot 0, slot 1 erased; swap using move.
    pub fn single() -> Self {
        let mut d = Device {
            os: FakePlatform::default(),
            slots: vec![
                Some(MemFlash::new(SLOT_SIZE, SECTOR, 8)),
                Some(MemFlash::new(SLOT_SIZE, SECTOR, 8)),
            ],
            image_count: 1,
            active: [0, 2],
            active_image: 0,
            config: BootConfig {
                mode: BootMode::SwapUsingMove,
                max_align: 8,
                downgrade_prevention: false,
            },
            use_build: false,
        };
        d.flash(0).program(0, APP_1_2_3);
        d
    }

    /// Two images: image 0 runs 1.2.3 from slot 0, image 1 runs 1.3.0 from slot 2.
    pub fn dual() -> Self {
        let mut d = Device::single();
        d.image_count = 2;
        d.slots.push(Some(MemFlash::new(SLOT_SIZE, SECTOR, 8)));
        d.slots.push(Some(MemFlash::new(SLOT_SIZE, SECTOR, 8)));
        d.flash(2).program(0, APP_1_3_0);
        d
    }

    pub fn flash(&mut self, slot: usize) -> &mut MemFlash {
        self.slots[slot].as_mut().expect("slot exists")
    }

    /// Puts `image` in `slot` as a programmer would.
    pub fn with_image(mut self, slot: usize, image: &[u8]) -> Self {
        self.flash(slot).program(0, image);
        self
    }

    pub fn layout(&self) -> TrailerLayout {
        TrailerLayout::new(SLOT_SIZE, 8)
    }

    /// The trailer state after "test" of `slot` (as `boot_set_next` leaves it).
    pub fn mark_test(mut self, slot: usize) -> Self {
        let l = self.layout();
        let image = (slot / 2) as u8;
        crate::mcuboot::set_next(self.flash(slot), &l, false, false, image).unwrap();
        self
    }

    /// The trailer state after "confirm" (permanent) of `slot`.
    pub fn mark_permanent(mut self, slot: usize) -> Self {
        let l = self.layout();
        let image = (slot / 2) as u8;
        crate::mcuboot::set_next(self.flash(slot), &l, false, true, image).unwrap();
        self
    }

    /// The trailer state after MCUboot swapped a test image into `slot` (its
    /// primary): magic and copy_done set, image_ok not.
    pub fn mark_swapped_for_test(mut self, slot: usize) -> Self {
        let l = self.layout();
        write_magic(self.flash(slot), &l).unwrap();
        write_copy_done(self.flash(slot), &l).unwrap();
        self
    }

    /// Confirmed after a swap: magic, copy_done and image_ok set.
    pub fn mark_confirmed(mut self, slot: usize) -> Self {
        let l = self.layout();
        self = self.mark_swapped_for_test(slot);
        write_image_ok(self.flash(slot), &l).unwrap();
        self
    }

    pub fn clear_logs(&mut self) {
        for f in self.slots.iter_mut().flatten() {
            f.clear_log();
        }
    }
}

impl Platform for Device {
    fn os(&mut self) -> &mut dyn OsPlatform {
        &mut self.os
    }

    fn image(&mut self) -> Option<&mut dyn ImagePlatform> {
        Some(self)
    }
}

impl ImagePlatform for Device {
    fn image_count(&self) -> u8 {
        self.image_count
    }

    fn slot(&mut self, slot: u8) -> Option<&mut dyn FlashArea> {
        self.slots
            .get_mut(usize::from(slot))?
            .as_mut()
            .map(|f| f as &mut dyn FlashArea)
    }

    fn active_slot(&self, image: u8) -> u8 {
        self.active[usize::from(image)]
    }

    fn boot_config(&self) -> BootConfig {
        self.config
    }

    fn active_image(&self) -> u8 {
        self.active_image
    }

    fn version_cmp_use_build(&self) -> bool {
        self.use_build
    }
}

pub static GROUPS: &[&Group] = &[&os::GROUP, &GROUP];

pub const PARAMS: Params = Params {
    buf_size: 4096,
    buf_count: 4,
};

/// One server kept across requests, as on a device (the upload state lives in it).
pub struct Session {
    server: Server<'static>,
}

impl Session {
    pub fn new() -> Self {
        Session {
            server: Server::new(GROUPS, PARAMS),
        }
    }

    /// Every response to `input`, each without its 8-byte header.
    pub fn send_raw(&mut self, p: &mut dyn Platform, input: &[u8]) -> Vec<Vec<u8>> {
        let mut tx = vec![0u8; PARAMS.buf_size];
        let mut out = Vec::new();
        self.server
            .process(p, Transport::Udp, input, &mut tx, &mut |r| {
                out.push(r[8..].to_vec())
            });
        out
    }

    /// The response payload to one request.
    pub fn send(&mut self, p: &mut dyn Platform, op: u8, id: u8, payload: &[u8]) -> Vec<u8> {
        let mut r = self.send_raw(p, &packet(op, 1, 7, id, payload));
        assert_eq!(r.len(), 1);
        r.remove(0)
    }

    pub fn read(&mut self, p: &mut dyn Platform, id: u8, payload: &[u8]) -> Vec<u8> {
        self.send(p, READ, id, payload)
    }

    pub fn write(&mut self, p: &mut dyn Platform, id: u8, payload: &[u8]) -> Vec<u8> {
        self.send(p, WRITE, id, payload)
    }
}

/// `{"err": {"group": 1, "rc": rc}}`, as the server encodes it.
pub fn err(rc: u8) -> Vec<u8> {
    let rc = if rc < 24 {
        format!("{rc:02x}")
    } else {
        format!("18 {rc:02x}")
    };
    bytes(&format!(
        r#"bf 63 "err" bf 65 "group" 01 62 "rc" {rc} ff ff"#
    ))
}

/// `{"rc": rc}`.
pub fn rc(rc: u8) -> Vec<u8> {
    bytes(&format!(r#"bf 62 "rc" {rc:02x} ff"#))
}

/// Builds a CBOR request payload.
pub fn cbor(
    build: impl FnOnce(&mut Encoder<Cursor<&mut [u8]>>) -> Result<(), EncodeErr>,
) -> Vec<u8> {
    let mut buf = vec![0u8; 8192];
    let mut e = Encoder::new(Cursor::new(&mut buf[..]));
    build(&mut e).expect("request fits");
    let n = e.into_writer().position();
    buf.truncate(n);
    buf
}

pub type EncodeErr = minicbor::encode::Error<minicbor::encode::write::EndOfSlice>;

/// A value of a response map, for the fields the tests look at.
#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    U(u64),
    I(i64),
    B(bool),
    S(String),
    Bytes(Vec<u8>),
    Map(Vec<(String, Val)>),
    List(Vec<Val>),
}

impl Val {
    pub fn get(&self, key: &str) -> Option<&Val> {
        match self {
            Val::Map(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn keys(&self) -> Vec<&str> {
        match self {
            Val::Map(m) => m.iter().map(|(k, _)| k.as_str()).collect(),
            _ => vec![],
        }
    }

    pub fn list(&self) -> &[Val] {
        match self {
            Val::List(l) => l,
            _ => panic!("not a list: {self:?}"),
        }
    }
}

/// Decodes a response payload (indefinite or definite maps and arrays).
pub fn parse(payload: &[u8]) -> Val {
    fn value(d: &mut Decoder<'_>) -> Val {
        match d.datatype().expect("type") {
            Type::Bool => Val::B(d.bool().unwrap()),
            Type::U8 | Type::U16 | Type::U32 | Type::U64 => Val::U(d.u64().unwrap()),
            Type::I8 | Type::I16 | Type::I32 | Type::I64 => Val::I(d.i64().unwrap()),
            Type::String => Val::S(d.str().unwrap().to_string()),
            Type::Bytes => Val::Bytes(d.bytes().unwrap().to_vec()),
            Type::Map | Type::MapIndef => {
                let n = d.map().unwrap();
                let mut m = Vec::new();
                let mut i = 0;
                loop {
                    match n {
                        Some(n) if i == n => break,
                        None if d.datatype().unwrap() == Type::Break => {
                            d.skip().ok();
                            break;
                        }
                        _ => {}
                    }
                    let k = d.str().unwrap().to_string();
                    m.push((k, value(d)));
                    i += 1;
                }
                Val::Map(m)
            }
            Type::Array | Type::ArrayIndef => {
                let n = d.array().unwrap();
                let mut l = Vec::new();
                let mut i = 0;
                loop {
                    match n {
                        Some(n) if i == n => break,
                        None if d.datatype().unwrap() == Type::Break => {
                            d.skip().ok();
                            break;
                        }
                        _ => {}
                    }
                    l.push(value(d));
                    i += 1;
                }
                Val::List(l)
            }
            t => panic!("unexpected {t:?}"),
        }
    }
    value(&mut Decoder::new(payload))
}

#[test]
fn without_image_support_every_command_is_rc_8() {
    let mut p = FakePlatform::default();
    let mut s = Session::new();
    assert_eq!(s.read(&mut p, 0, &[]), rc(8));
    assert_eq!(s.write(&mut p, 1, &bytes("a0")), rc(8));
    assert_eq!(s.write(&mut p, 5, &bytes("a0")), rc(8));
    assert_eq!(s.read(&mut p, 6, &[]), rc(8));
}

#[test]
fn reserved_commands_file_corelist_coreload_are_rc_8() {
    let mut d = Device::single();
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
    let mut d = Device::single();
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
