//! Building request payloads and reading response payloads with minicbor, the
//! tests' reference CBOR implementation.

use minicbor::data::Type;
use minicbor::encode::write::Cursor;
use minicbor::{Decoder, Encoder};

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
