//! The CBOR request decoder: the map walk every handler decodes its request
//! with, the typed reads, and `skip`, checked against minicbor.

use minicbor::data::Type;
use smp_server::cbor::{self, bool_or_int, decode_map, once, uint, DecodeError, Decoder, Field};
use smp_server::Error;

/// A request payload.
///
/// Input: the payload. Walking it as a request map, with each key the
/// groups know read as they read it, never moves the decoder backwards or
/// past the end, and consumes every value it takes. Each typed read of the
/// first item agrees with minicbor's (value and position, or both refusing),
/// and so does skipping it, wherever minicbor can.
pub fn cbor_request(data: &[u8]) {
    walk_as_request(data);
    compare_reads(data);
    compare_skip(data);
}

/// How a group reads the value of a key (the keys of every group).
#[derive(Clone, Copy)]
enum Kind {
    Uint,
    Text,
    Bytes,
    BoolOrInt,
    /// `argv`: an array of texts.
    Texts,
    /// Enumeration's `groups`: an array of group numbers.
    Uints,
}

fn kind_of(key: &[u8]) -> Option<Kind> {
    Some(match key {
        b"off" | b"len" | b"image" | b"slot" | b"index" | b"max_size" | b"boot_mode" => Kind::Uint,
        b"d" | b"name" | b"format" | b"query" | b"datetime" | b"type" => Kind::Text,
        b"data" | b"sha" | b"hash" | b"val" => Kind::Bytes,
        b"confirm" | b"force" | b"upgrade" => Kind::BoolOrInt,
        b"argv" => Kind::Texts,
        b"groups" => Kind::Uints,
        _ => return None,
    })
}

fn walk_as_request(data: &[u8]) {
    let mut taken: Vec<(&[u8], Option<()>)> = Vec::new();
    let mut last = 0;
    let result = decode_map(data, |key, d| {
        let at = d.position();
        assert!(
            at >= last && at <= data.len(),
            "decoder at {at}, was {last}"
        );
        let Some(kind) = kind_of(key) else {
            return Ok(Field::Unknown);
        };
        let slot = match taken.iter().position(|(k, _)| *k == key) {
            Some(i) => &mut taken[i].1,
            None => {
                taken.push((key, None));
                &mut taken.last_mut().expect("just pushed").1
            }
        };
        let field = match kind {
            Kind::Uint => once(slot, uint::<u64>(d).map(drop)),
            Kind::Text => once(slot, d.str().map(drop)),
            Kind::Bytes => once(slot, d.bytes().map(drop)),
            Kind::BoolOrInt => once(slot, bool_or_int(d).map(drop)),
            Kind::Texts => once(slot, list(d, |d| d.str().map(drop))),
            Kind::Uints => once(
                slot,
                list(d, |d| uint::<u16>(d).map(drop).map_err(|_| DecodeError)),
            ),
        }?;
        assert!(
            d.position() > at,
            "{key:?} taken without consuming its value"
        );
        assert!(d.position() <= data.len(), "decoder past the end");
        last = d.position();
        Ok(field)
    });
    if result.is_ok() && !data.is_empty() {
        assert_eq!(data[0] >> 5, 5, "a request that is not a map accepted");
    }
}

/// An array, definite or not, of items that `item` reads.
fn list(
    d: &mut Decoder<'_>,
    item: impl Fn(&mut Decoder<'_>) -> Result<(), DecodeError>,
) -> Result<(), Error> {
    let bad = |_| Error::from(smp_server::MgmtErr::Inval);
    match d.array().map_err(bad)? {
        Some(n) => {
            for _ in 0..n {
                item(d).map_err(bad)?;
            }
        }
        None => {
            while !d.take_break().map_err(bad)? {
                item(d).map_err(bad)?;
            }
        }
    }
    Ok(())
}

/// Each typed read of the first item by the core and by minicbor.
fn compare_reads(data: &[u8]) {
    fn same<T: PartialEq + std::fmt::Debug, E, F>(
        what: &str,
        data: &[u8],
        core: impl FnOnce(&mut Decoder<'_>) -> Result<T, E>,
        reference: impl FnOnce(&mut minicbor::Decoder<'_>) -> Result<T, F>,
    ) {
        let mut ours = Decoder::new(data);
        let mut theirs = minicbor::Decoder::new(data);
        let a = core(&mut ours).ok().map(|v| (v, ours.position()));
        let b = reference(&mut theirs).ok().map(|v| (v, theirs.position()));
        assert_eq!(a, b, "{what}: the core, minicbor");
    }
    same("u64", data, |d| d.u64(), |d| d.u64());
    same("bool", data, |d| d.bool(), |d| d.bool());
    same(
        "str",
        data,
        |d| d.str().map(str::to_owned),
        |d| d.str().map(str::to_owned),
    );
    same(
        "bytes",
        data,
        |d| d.bytes().map(<[u8]>::to_vec),
        |d| d.bytes().map(<[u8]>::to_vec),
    );
    same("map", data, |d| d.map(), |d| d.map());
    same("array", data, |d| d.array(), |d| d.array());
}

/// How deep `skip` may nest (the core's `SKIP_DEPTH`).
const SKIP_DEPTH: usize = 16;

/// The core skips a well-formed first item (as minicbor's typed reads
/// decode it) to where it ends, unless it nests deeper than the core
/// follows, which is refused.
fn compare_skip(data: &[u8]) {
    let mut theirs = minicbor::Decoder::new(data);
    let Ok(depth) = nesting(&mut theirs) else {
        // Not one well-formed item: the core may skip it or not (it does not
        // check the chunks of an indefinite-length string, for one).
        return;
    };
    let mut ours = Decoder::new(data);
    let skipped = cbor::skip(&mut ours);
    if depth <= SKIP_DEPTH {
        assert_eq!(skipped, Ok(()), "skip of a well-formed item, {depth} deep");
        assert_eq!(ours.position(), theirs.position(), "where skip ends");
    } else {
        assert!(skipped.is_err(), "skip followed {depth} levels");
    }
}

/// Decodes the next item strictly (a break only where an indefinite-length
/// item ends, each chunk of an indefinite string a definite string of its
/// kind); the most containers open at once inside it, counting those the
/// core's `skip` keeps on its stack: non-empty arrays and maps and every
/// indefinite-length item (a tag opens none).
fn nesting(d: &mut minicbor::Decoder<'_>) -> Result<usize, minicbor::decode::Error> {
    let items = |d: &mut minicbor::Decoder<'_>, n: Option<u64>| {
        let mut deepest = 0;
        let mut seen = 0;
        loop {
            match n {
                Some(n) if seen == n => return Ok(deepest),
                None if d.datatype()? == Type::Break => {
                    d.skip()?;
                    return Ok(deepest);
                }
                _ => {}
            }
            deepest = deepest.max(nesting(d)?);
            seen += 1;
        }
    };
    Ok(match d.datatype()? {
        Type::Array | Type::ArrayIndef => {
            let n = d.array()?;
            let inner = items(d, n)?;
            usize::from(n != Some(0)) + inner
        }
        Type::Map | Type::MapIndef => {
            let n = d.map()?;
            let inner = items(d, n.map(|n| n.saturating_mul(2)))?;
            usize::from(n != Some(0)) + inner
        }
        Type::BytesIndef => {
            for chunk in d.bytes_iter()? {
                chunk?;
            }
            1
        }
        Type::StringIndef => {
            for chunk in d.str_iter()? {
                chunk?;
            }
            1
        }
        Type::Tag => {
            d.tag()?;
            nesting(d)?
        }
        Type::Break | Type::Unknown(_) => {
            return Err(minicbor::decode::Error::message("not a data item"));
        }
        _ => {
            d.skip()?;
            0
        }
    })
}
