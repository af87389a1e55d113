//! What makes a response well formed, checked with minicbor (an
//! implementation independent of the core's encoder).

use minicbor::data::Type;
use minicbor::Decoder;
use smp_server::{GroupId, Header, Op, Version, HEADER_LEN};

/// Asserts that `response` is a complete answer to the request whose header
/// is `request`: the answering op and version, flags 0, the request's group,
/// sequence number and command id echoed, a length field that is the
/// payload's length, no more than `tx_size` bytes, and a payload that is one
/// CBOR map with text keys and nothing after it.
pub fn check_response(request: &Header, response: &[u8], tx_size: usize) {
    assert!(
        response.len() <= tx_size,
        "response of {} bytes from a {tx_size}-byte buffer",
        response.len()
    );
    let answer = Header::parse(response).expect("a response starts with a full header");
    let op = if request.op == Op::Read {
        Op::ReadRsp
    } else {
        Op::WriteRsp
    };
    assert_eq!(answer.op, op, "response op to {:?}", request.op);
    let version = if request.version == Version::V1 {
        Version::V1
    } else {
        Version::V2
    };
    assert_eq!(answer.version, version, "response version");
    assert_eq!(answer.flags, 0, "response flags");
    assert_eq!(answer.group, request.group, "group echoed");
    assert_eq!(answer.seq, request.seq, "sequence number echoed");
    assert_eq!(answer.id, request.id, "command id echoed");
    assert_eq!(answer.packet_len(), response.len(), "length field");
    let payload = &response[HEADER_LEN..];
    if let Err(e) = check_payload(payload, request.group) {
        panic!("response payload {payload:02x?}: {e}");
    }
}

/// One CBOR map ending where the payload ends; an SMP error in it (`rc`, or
/// v2's `err`) is shaped as the protocol says.
fn check_payload(payload: &[u8], group: GroupId) -> Result<(), String> {
    let mut d = Decoder::new(payload);
    if !matches!(d.datatype(), Ok(Type::Map | Type::MapIndef)) {
        return Err("not a map".into());
    }
    let mut rc = None;
    let mut err = None;
    map(&mut d, 0, &mut |key, d| {
        let start = d.position();
        match key {
            "rc" => rc = Some(d.u64().map_err(|e| format!("rc: {e}"))?),
            "err" => err = Some(smp_err(d)?),
            _ => {}
        }
        d.set_position(start);
        item(d, 1)
    })?;
    if d.position() != payload.len() {
        return Err(format!(
            "{} bytes after the map",
            payload.len() - d.position()
        ));
    }
    if rc == Some(0) && err.is_some() {
        return Err("both rc 0 and err".into());
    }
    if let Some((err_group, err_rc)) = err {
        if err_group != u64::from(group.0) {
            return Err(format!("err names group {err_group}"));
        }
        if err_rc == 0 {
            return Err("err with rc 0".into());
        }
    }
    Ok(())
}

/// v2's `{"group": G, "rc": R}`.
fn smp_err(d: &mut Decoder<'_>) -> Result<(u64, u64), String> {
    let mut group = None;
    let mut rc = None;
    map(d, 1, &mut |key, d| {
        match key {
            "group" => group = Some(d.u64().map_err(|e| format!("err.group: {e}"))?),
            "rc" => rc = Some(d.u64().map_err(|e| format!("err.rc: {e}"))?),
            _ => item(d, 2)?,
        }
        Ok(())
    })?;
    Ok((
        group.ok_or("err without group")?,
        rc.ok_or("err without rc")?,
    ))
}

/// Deeper than any response nests (image state: map, list, map).
const MAX_DEPTH: usize = 8;

/// A map at the decoder's position, definite or not; `entry` is called with
/// each text key and must consume its value.
fn map(
    d: &mut Decoder<'_>,
    depth: usize,
    entry: &mut dyn FnMut(&str, &mut Decoder<'_>) -> Result<(), String>,
) -> Result<(), String> {
    let len = d.map().map_err(|e| format!("map: {e}"))?;
    let mut seen = 0u64;
    loop {
        match len {
            Some(n) if seen == n => return Ok(()),
            None if d.datatype().map_err(|e| e.to_string())? == Type::Break => {
                return d.skip().map_err(|e| e.to_string());
            }
            _ => {}
        }
        let key = d
            .str()
            .map_err(|e| format!("a map key at depth {depth}: {e}"))?
            .to_owned();
        entry(&key, d)?;
        seen += 1;
    }
}

/// One data item of the kinds the core's encoder writes (unsigned and
/// negative integers, booleans, UTF-8 text, bytes, arrays and maps with
/// text keys); anything else is an error.
fn item(d: &mut Decoder<'_>, depth: usize) -> Result<(), String> {
    if depth > MAX_DEPTH {
        return Err("nested too deep".into());
    }
    let at = d.position();
    let kind = d.datatype().map_err(|e| format!("item at {at}: {e}"))?;
    let result = match kind {
        Type::Bool => d.bool().map(drop),
        Type::U8 | Type::U16 | Type::U32 | Type::U64 => d.u64().map(drop),
        Type::I8 | Type::I16 | Type::I32 | Type::I64 => d.i64().map(drop),
        Type::Int => d.int().map(drop),
        // Checked as UTF-8: a text cut inside a character is an error.
        Type::String => d.str().map(drop),
        Type::Bytes => d.bytes().map(drop),
        Type::Array | Type::ArrayIndef => {
            let len = d.array().map_err(|e| e.to_string())?;
            let mut seen = 0u64;
            loop {
                match len {
                    Some(n) if seen == n => break,
                    None if d.datatype().map_err(|e| e.to_string())? == Type::Break => {
                        d.skip().map_err(|e| e.to_string())?;
                        break;
                    }
                    _ => {}
                }
                item(d, depth + 1)?;
                seen += 1;
            }
            Ok(())
        }
        Type::Map | Type::MapIndef => return map(d, depth, &mut |_, d| item(d, depth + 1)),
        other => return Err(format!("{other} at {at}, which the encoder never writes")),
    };
    result.map_err(|e| format!("item at {at}: {e}"))
}
