//! Group 10, enumeration (protocol.md §2.6): answers from the server's own
//! group list.

use crate::cbor::{decode_map, once, Field, Response};
use crate::dispatch::{Command, Ctx, Group, Request};
use crate::error::{Error, MgmtErr};
use crate::header::GroupId;

crate::group_errors! {
    /// Enumeration group errors (`err.rc` with group 10).
    pub enum EnumError for GroupId::ENUM {
        Unknown = 1 => Unknown,
        TooManyGroupEntries = 2 => Inval,
        InsufficientHeapForEntries = 3 => Unknown,
        IndexTooLarge = 4 => Unknown,
    }
}

/// Most group ids a details filter may list (as Zephyr's stack buffer).
pub const MAX_DETAILS_FILTER: usize = 16;

pub static GROUP: Group = Group {
    id: GroupId::ENUM,
    name: "enum mgmt",
    commands: &[
        Command::read(count),
        Command::read(list),
        Command::read(single),
        Command::read(details),
    ],
};

fn count(ctx: &mut Ctx<'_>, _: &Request<'_>, rsp: &mut Response<'_>) -> Result<(), Error> {
    rsp.str("count")?.u64(ctx.groups.len() as u64)?;
    Ok(())
}

fn list(ctx: &mut Ctx<'_>, _: &Request<'_>, rsp: &mut Response<'_>) -> Result<(), Error> {
    rsp.str("groups")?.begin_array()?;
    for g in ctx.groups {
        rsp.u16(g.id.0)?;
    }
    rsp.end()?;
    Ok(())
}

fn single(ctx: &mut Ctx<'_>, req: &Request<'_>, rsp: &mut Response<'_>) -> Result<(), Error> {
    let mut index = None;
    decode_map(req.payload, |key, dec| match key {
        "index" => once(&mut index, crate::cbor::uint::<u16>(dec)),
        _ => Ok(Field::Unknown),
    })?;
    let index = usize::from(index.unwrap_or(0));
    let group = ctx.groups.get(index).ok_or(EnumError::IndexTooLarge)?;
    rsp.str("group")?.u16(group.id.0)?;
    if index + 1 == ctx.groups.len() {
        rsp.str("end")?.bool(true)?;
    }
    Ok(())
}

fn details(ctx: &mut Ctx<'_>, req: &Request<'_>, rsp: &mut Response<'_>) -> Result<(), Error> {
    let mut filter: Option<heapless::Vec<u16, MAX_DETAILS_FILTER>> = None;
    decode_map(req.payload, |key, dec| match key {
        "groups" => {
            if filter.is_some() {
                return Err(MgmtErr::Inval.into());
            }
            let mut ids = heapless::Vec::new();
            let declared = dec.array().map_err(|_| MgmtErr::Inval)?;
            loop {
                match declared {
                    Some(n) if ids.len() as u64 == n => break,
                    None if dec.take_break().map_err(|_| MgmtErr::Inval)? => break,
                    _ => {}
                }
                let id = crate::cbor::uint::<u16>(dec)?;
                ids.push(id).map_err(|_| EnumError::TooManyGroupEntries)?;
            }
            filter = Some(ids);
            Ok(Field::Taken)
        }
        _ => Ok(Field::Unknown),
    })?;
    rsp.str("groups")?.begin_array()?;
    let listed = |g: &&&Group| filter.as_ref().is_none_or(|ids| ids.contains(&g.id.0));
    for g in ctx.groups.iter().filter(listed) {
        rsp.begin_map()?;
        rsp.str("group")?.u16(g.id.0)?;
        rsp.str("name")?.str(g.name)?;
        rsp.str("handlers")?.u64(g.commands.len() as u64)?;
        rsp.end()?;
    }
    rsp.end()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::testing::{bytes, exchange, packet, FakePlatform};

    fn enum_cmd(id: u8, body: &str) -> Vec<u8> {
        let rsp = exchange(
            &mut FakePlatform::default(),
            &packet(0x08, 10, 1, id, &bytes(body)),
        );
        rsp.only()[8..].to_vec()
    }

    #[test]
    fn count_is_the_number_of_registered_groups() {
        assert_eq!(enum_cmd(0, "a0"), bytes(r#"bf 65 "count" 02 ff"#));
    }

    #[test]
    fn list_is_the_group_ids_in_registration_order() {
        assert_eq!(enum_cmd(1, "a0"), bytes(r#"bf 66 "groups" 9f 00 0a ff ff"#));
    }

    #[test]
    fn single_defaults_to_index_0() {
        assert_eq!(enum_cmd(2, "a0"), bytes(r#"bf 65 "group" 00 ff"#));
    }

    #[test]
    fn single_marks_the_last_group_with_end() {
        assert_eq!(
            enum_cmd(2, r#"a1 65 "index" 01"#),
            bytes(r#"bf 65 "group" 0a 63 "end" f5 ff"#)
        );
    }

    #[test]
    fn single_past_the_end_is_index_too_large() {
        assert_eq!(
            enum_cmd(2, r#"a1 65 "index" 02"#),
            bytes(r#"bf 63 "err" bf 65 "group" 0a 62 "rc" 04 ff ff"#)
        );
    }

    #[test]
    fn single_index_above_65535_is_rc_3() {
        assert_eq!(
            enum_cmd(2, r#"a1 65 "index" 1a 00 01 00 00"#),
            bytes("bf 62 72 63 03 ff")
        );
    }

    #[test]
    fn details_lists_name_and_handler_count_of_every_group() {
        assert_eq!(
            enum_cmd(3, "a0"),
            bytes(concat!(
                r#"bf 66 "groups" 9f"#,
                r#" bf 65 "group" 00 64 "name" 67 "os mgmt" 68 "handlers" 09 ff"#,
                r#" bf 65 "group" 0a 64 "name" 69 "enum mgmt" 68 "handlers" 04 ff"#,
                " ff ff"
            ))
        );
    }

    #[test]
    fn details_filter_keeps_only_the_groups_asked_for() {
        assert_eq!(
            enum_cmd(3, r#"a1 66 "groups" 82 0a 18 3f"#),
            bytes(
                r#"bf 66 "groups" 9f bf 65 "group" 0a 64 "name" 69 "enum mgmt" 68 "handlers" 04 ff ff ff"#
            )
        );
    }

    #[test]
    fn details_filter_of_more_than_16_entries_is_too_many_group_entries() {
        let mut body = String::from(r#"a1 66 "groups" 91"#);
        body.push_str(&" 00".repeat(17));
        assert_eq!(
            enum_cmd(3, &body),
            bytes(r#"bf 63 "err" bf 65 "group" 0a 62 "rc" 02 ff ff"#)
        );
    }

    #[test]
    fn details_filter_of_non_integers_is_rc_3() {
        assert_eq!(
            enum_cmd(3, r#"a1 66 "groups" 81 61 "x""#),
            bytes("bf 62 72 63 03 ff")
        );
    }
}
