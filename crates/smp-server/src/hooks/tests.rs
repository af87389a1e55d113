//! Each hook: when the server calls it, what it sees, and what its answer does.

use super::fs_roots::within_roots;
use super::*;
use crate::dispatch::AfterResponse;
use crate::groups::image::ImageMgmtError;
use crate::header::{GroupId, Op};
use crate::mcuboot::fixtures::APP_1_2_4_5;
use crate::mcuboot::ImageVersion;
use crate::request::Transport;
use crate::testing::cbor::cbor;
use crate::testing::{bytes, err, rc, Bench, V2_READ, V2_WRITE};
use crate::MgmtErr;

/// The first `n` bytes of `image` as upload chunk 0 (with `len`).
fn first_chunk(image: &[u8], n: usize) -> Vec<u8> {
    cbor(|e| {
        e.map(3)?
            .str("off")?
            .u32(0)?
            .str("len")?
            .u32(image.len() as u32)?
            .str("data")?
            .bytes(&image[..n])?;
        Ok(())
    })
}

/// The rest of `image` from `from`.
fn next_chunk(image: &[u8], from: usize) -> Vec<u8> {
    cbor(|e| {
        e.map(2)?
            .str("off")?
            .u32(from as u32)?
            .str("data")?
            .bytes(&image[from..])?;
        Ok(())
    })
}

fn upload(b: &mut Bench, image: &[u8], split: usize) {
    b.tx_size = 1024;
    b.ask_bytes(V2_WRITE, 1, 1, &first_chunk(image, split));
    b.ask_bytes(V2_WRITE, 1, 1, &next_chunk(image, split));
}

#[test]
fn command_received_sees_group_id_op_and_transport() {
    let mut b = Bench::full();
    b.ask(V2_READ, 0, 6, "a0");
    assert_eq!(
        b.hooks.asked,
        [Access {
            transport: Transport::Udp,
            group: GroupId::OS,
            id: 6,
            op: Op::Read,
        }]
    );
}

#[test]
fn command_received_may_refuse_with_any_error() {
    let mut b = Bench::full();
    b.hooks.policy = Some(|a| a.group != GroupId::OS);
    assert_eq!(b.ask(V2_READ, 0, 6, "a0"), rc(11));
}

#[test]
fn command_done_reports_each_outcome() {
    let mut b = Bench::full();
    b.ask(V2_READ, 0, 6, "a0");
    b.ask(V2_READ, 3, 0, r#"a1 64 "name" 61 "k""#);
    let outcomes: Vec<bool> = b.hooks.done.iter().map(|(_, r)| r.is_ok()).collect();
    assert_eq!(outcomes, [true, false]);
    assert_eq!(b.hooks.done[1].0.group, GroupId::SETTINGS);
}

#[test]
fn command_done_follows_a_refusal_too() {
    let mut b = Bench::full();
    b.hooks.policy = Some(|_| false);
    b.ask(V2_READ, 0, 6, "a0");
    assert_eq!(b.hooks.done.len(), 1);
    assert!(b.hooks.done[0].1.is_err());
}

#[test]
fn an_upload_reports_started_each_chunk_and_pending() {
    let mut b = Bench::full();
    upload(&mut b, APP_1_2_4_5, 1024);
    let size = APP_1_2_4_5.len();
    assert_eq!(
        b.hooks.dfu,
        [
            format!("Started {{ image: 0, slot: 1, size: {size}, hash: [] }}"),
            "Chunk { image: 0, slot: 1, offset: 0, len: 1024 }".to_string(),
            format!(
                "Chunk {{ image: 0, slot: 1, offset: 1024, len: {} }}",
                size - 1024
            ),
            "Pending { image: 0, slot: 1 }".to_string(),
        ]
    );
}

#[test]
fn upload_check_sees_slot_size_and_the_image_version() {
    let mut b = Bench::full();
    upload(&mut b, APP_1_2_4_5, 1024);
    let version = ImageVersion {
        major: 1,
        minor: 2,
        revision: 4,
        build: 5,
    };
    assert_eq!(
        b.hooks.upload_checks,
        [(0, 1, APP_1_2_4_5.len() as u32, version)]
    );
}

#[test]
fn a_refusing_upload_check_answers_its_error_and_writes_nothing() {
    let mut b = Bench::full();
    b.hooks.upload_refusal = Some(ImageMgmtError::InvalidImageHeader.into());
    b.tx_size = 1024;
    let answer = b.ask_bytes(V2_WRITE, 1, 1, &first_chunk(APP_1_2_4_5, 1024));
    assert_eq!(answer, err(1, 22));
    let image = b.dev.image.as_mut().unwrap();
    assert!(image.flash(1).data.iter().all(|byte| *byte == 0xFF));
    assert!(b.hooks.dfu.is_empty());
}

#[test]
fn erasing_the_slot_of_an_unfinished_upload_reports_stopped() {
    let mut b = Bench::full();
    b.tx_size = 1024;
    b.ask_bytes(V2_WRITE, 1, 1, &first_chunk(APP_1_2_4_5, 1024));
    b.ask(V2_WRITE, 1, 5, r#"a1 64 "slot" 01"#);
    assert_eq!(b.hooks.dfu.last().unwrap(), "Stopped { image: 0, slot: 1 }");
}

/// `{"hash": <slot 1's image hash>}`, with `"confirm": true` if `confirm`.
fn state_write(b: &mut Bench, confirm: bool) -> Vec<u8> {
    let image = b.dev.image.as_mut().unwrap();
    let hash = crate::mcuboot::read_image_info(image.flash(1))
        .unwrap()
        .hash;
    cbor(|e| {
        e.map(2)?
            .str("hash")?
            .bytes(&hash)?
            .str("confirm")?
            .bool(confirm)?;
        Ok(())
    })
}

#[test]
fn marking_an_image_for_test_reports_pending() {
    let mut b = Bench::full();
    upload(&mut b, APP_1_2_4_5, 1024);
    b.hooks.dfu.clear();
    let request = state_write(&mut b, false);
    b.ask_bytes(V2_WRITE, 1, 0, &request);
    assert_eq!(b.hooks.dfu, ["Pending { image: 0, slot: 1 }"]);
}

#[test]
fn confirming_an_image_reports_confirmed() {
    let mut b = Bench::full();
    upload(&mut b, APP_1_2_4_5, 1024);
    b.hooks.dfu.clear();
    let request = state_write(&mut b, true);
    b.ask_bytes(V2_WRITE, 1, 0, &request);
    assert_eq!(b.hooks.dfu, ["Confirmed { image: 0, slot: 1 }"]);
}

#[test]
fn reset_hook_sees_force_and_boot_mode() {
    let mut b = Bench::full();
    b.ask(V2_WRITE, 0, 5, r#"a2 65 "force" f5 69 "boot_mode" 01"#);
    assert_eq!(
        b.hooks.resets,
        [ResetRequest {
            force: true,
            boot_mode: Some(1),
        }]
    );
}

#[test]
fn a_vetoed_reset_answers_the_error_and_does_not_happen() {
    let mut b = Bench::full();
    b.hooks.reset_answer = Err(MgmtErr::BadState.into());
    assert_eq!(b.ask(V2_WRITE, 0, 5, "a0"), rc(6));
    assert_eq!(b.after_response, None);
}

#[test]
fn a_delayed_reset_carries_the_delay() {
    let mut b = Bench::full();
    b.hooks.reset_answer = Ok(ResetPlan { delay_ms: 1500 });
    assert_eq!(b.ask(V2_WRITE, 0, 5, "a0"), bytes("bf ff"));
    assert_eq!(
        b.after_response,
        Some(AfterResponse::Reset {
            boot_mode: None,
            delay_ms: 1500
        })
    );
}

#[test]
fn os_info_appends_the_applications_letters_after_its_own() {
    let mut b = Bench::full();
    b.hooks.os_letters = vec![('x', "extra")];
    assert_eq!(
        b.ask(V2_READ, 0, 7, r#"a1 66 "format" 63 "xsx""#),
        bytes(r#"bf 66 "output" 6c "Zephyr extra" ff"#)
    );
}

#[test]
fn os_info_letters_nobody_knows_stay_invalid() {
    let mut b = Bench::full();
    b.hooks.os_letters = vec![('x', "extra")];
    assert_eq!(b.ask(V2_READ, 0, 7, r#"a1 66 "format" 62 "sy""#), err(0, 2));
}

#[test]
fn fs_access_sees_each_kind_of_access_with_the_path() {
    let mut b = Bench::full();
    b.fs().files.insert("/lfs/f".into(), b"abc".to_vec());
    b.ask(V2_READ, 8, 1, r#"a1 64 "name" 66 "/lfs/f""#);
    b.ask(V2_READ, 8, 2, r#"a1 64 "name" 66 "/lfs/f""#);
    b.ask(V2_READ, 8, 0, r#"a2 63 "off" 00 64 "name" 66 "/lfs/f""#);
    let kinds: Vec<(FsAccess, &str)> = b
        .hooks
        .fs_seen
        .iter()
        .map(|(a, p)| (*a, p.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            (FsAccess::Status, "/lfs/f"),
            (FsAccess::Hash, "/lfs/f"),
            (FsAccess::Read, "/lfs/f")
        ]
    );
}

#[test]
fn a_refusing_fs_hook_answers_its_error_and_writes_nothing() {
    let mut b = Bench::full();
    b.hooks.fs_rule = Some(|_, _| Err(MgmtErr::AccessDenied.into()));
    assert_eq!(
        b.ask(
            V2_WRITE,
            8,
            0,
            r#"a4 63 "off" 00 63 "len" 01 64 "name" 66 "/lfs/f" 64 "data" 41 7a"#
        ),
        rc(11)
    );
    assert!(b.fs().files.is_empty());
}

#[test]
fn an_fs_hook_may_serve_a_file_under_another_path() {
    let mut b = Bench::full();
    b.fs().files.insert("/lfs/real".into(), b"abc".to_vec());
    b.hooks.fs_rule = Some(|_, path| {
        if path.as_str() == "/alias" {
            path.clear();
            let _ = path.push_str("/lfs/real");
        }
        Ok(())
    });
    assert_eq!(
        b.ask(V2_READ, 8, 1, r#"a1 64 "name" 66 "/alias""#),
        bytes(r#"bf 63 "len" 03 ff"#)
    );
}

#[test]
fn a_path_rewritten_out_of_the_rules_is_refused() {
    let mut b = Bench::full();
    b.hooks.fs_rule = Some(|_, path| {
        path.clear();
        let _ = path.push_str("/lfs/../etc");
        Ok(())
    });
    assert_eq!(
        b.ask(V2_READ, 8, 1, r#"a1 64 "name" 66 "/lfs/f""#),
        err(8, 2)
    );
}

#[test]
fn settings_access_sees_every_command_with_its_key() {
    let mut b = Bench::full();
    b.ask(V2_WRITE, 3, 0, r#"a2 64 "name" 61 "k" 63 "val" 41 01"#);
    b.ask(V2_READ, 3, 0, r#"a1 64 "name" 61 "k""#);
    b.ask(V2_WRITE, 3, 1, r#"a1 64 "name" 61 "k""#);
    b.ask(V2_WRITE, 3, 2, "a0");
    b.ask(V2_READ, 3, 3, "a0");
    b.ask(V2_WRITE, 3, 3, "a0");
    let seen: Vec<(SettingsAccess, Option<&str>)> = b
        .hooks
        .settings_seen
        .iter()
        .map(|(a, k)| (*a, k.as_deref()))
        .collect();
    assert_eq!(
        seen,
        [
            (SettingsAccess::Write, Some("k")),
            (SettingsAccess::Read, Some("k")),
            (SettingsAccess::Delete, Some("k")),
            (SettingsAccess::Commit, None),
            (SettingsAccess::Load, None),
            (SettingsAccess::Save, None),
        ]
    );
}

#[test]
fn a_refused_settings_key_is_not_written() {
    let mut b = Bench::full();
    b.hooks.settings_refusal = Some(("secret/", MgmtErr::AccessDenied.into()));
    assert_eq!(
        b.ask(
            V2_WRITE,
            3,
            0,
            r#"a2 64 "name" 68 "secret/k" 63 "val" 41 01"#
        ),
        rc(11)
    );
    assert!(b.settings().running.is_empty());
}

#[test]
fn fs_roots_admit_a_root_and_what_continues_it_with_a_slash() {
    for path in ["/lfs/pub", "/lfs/pub/a", "/lfs/pub/dir/a", "/lfs/log/x"] {
        assert!(within_roots("/lfs/pub,/lfs/log", path), "{path}");
    }
}

#[test]
fn fs_roots_refuse_what_only_shares_a_prefix_or_lies_outside() {
    for path in [
        "/lfs/public",
        "/lfs",
        "/lfs/",
        "/LFS/pub/a",
        "/other/a",
        "/",
    ] {
        assert!(!within_roots("/lfs/pub", path), "{path}");
    }
}

#[test]
fn fs_roots_refuse_paths_the_core_would_refuse() {
    for path in [
        "/lfs/pub/../secret",
        "/lfs/pub/./a",
        "/lfs/pub//a",
        "lfs/pub/a",
        "/lfs/pub/a\0",
        "",
    ] {
        assert!(!within_roots("/lfs/pub", path), "{path:?}");
    }
}

#[test]
fn fs_roots_entries_are_trimmed_and_a_trailing_slash_ignored() {
    assert!(within_roots(" /lfs/pub/ , ,/lfs/log", "/lfs/pub/a"));
    assert!(within_roots(" /lfs/pub/ , ,/lfs/log", "/lfs/log"));
    assert!(within_roots("/", "/anything/at/all"));
}

#[test]
fn fs_roots_naming_no_root_confine_nothing() {
    assert!(within_roots("", "/lfs/a"));
    assert!(within_roots(" , ", "/lfs/a"));
}

#[test]
fn a_file_outside_the_fs_roots_is_rc_11_and_left_unread() {
    let mut b = Bench::full();
    b.fs_roots = Some("/lfs/pub");
    b.fs().files.insert("/lfs/secret".into(), b"abc".to_vec());
    assert_eq!(
        b.ask(V2_READ, 8, 1, r#"a1 64 "name" 6b "/lfs/secret""#),
        rc(11)
    );
    assert_eq!(
        b.ask(
            V2_READ,
            8,
            0,
            r#"a2 63 "off" 00 64 "name" 6b "/lfs/secret""#
        ),
        rc(11)
    );
}

#[test]
fn an_upload_outside_the_fs_roots_is_rc_11_and_writes_nothing() {
    let mut b = Bench::full();
    b.fs_roots = Some("/lfs/pub");
    assert_eq!(
        b.ask(
            V2_WRITE,
            8,
            0,
            r#"a4 63 "off" 00 63 "len" 01 64 "name" 6b "/lfs/public" 64 "data" 41 7a"#
        ),
        rc(11)
    );
    assert!(b.fs().files.is_empty());
}

#[test]
fn a_file_inside_the_fs_roots_is_served() {
    let mut b = Bench::full();
    b.fs_roots = Some("/lfs/pub");
    b.fs().files.insert("/lfs/pub/f".into(), b"abc".to_vec());
    assert_eq!(
        b.ask(V2_READ, 8, 1, r#"a1 64 "name" 6a "/lfs/pub/f""#),
        bytes(r#"bf 63 "len" 03 ff"#)
    );
}

#[test]
fn fs_roots_check_the_path_the_application_hook_rewrote() {
    let mut b = Bench::full();
    b.fs_roots = Some("/lfs/pub");
    b.fs().files.insert("/lfs/secret".into(), b"abc".to_vec());
    b.hooks.fs_rule = Some(|_, path| {
        path.clear();
        let _ = path.push_str("/lfs/secret");
        Ok(())
    });
    assert_eq!(
        b.ask(V2_READ, 8, 1, r#"a1 64 "name" 6a "/lfs/pub/f""#),
        rc(11)
    );
}

#[test]
fn fs_roots_leave_a_path_the_core_refuses_to_its_own_error() {
    let mut b = Bench::full();
    b.fs_roots = Some("/lfs/pub");
    assert_eq!(
        b.ask(V2_READ, 8, 1, r#"a1 64 "name" 6d "/lfs/pub/../x""#),
        err(8, 2)
    );
}

#[test]
fn fs_roots_pass_every_other_event_to_the_application_hooks() {
    let mut b = Bench::full();
    b.fs_roots = Some("/lfs/pub");
    b.hooks.os_letters = vec![('x', "extra")];
    assert_eq!(
        b.ask(V2_READ, 0, 7, r#"a1 66 "format" 61 "x""#),
        bytes(r#"bf 66 "output" 65 "extra" ff"#)
    );
    assert_eq!(b.hooks.asked.len(), 1);
}

/// A bench whose image group is built without the application's image hooks
/// (Zephyr without `MCUMGR_GRP_IMG_STATUS_HOOKS` and `_UPLOAD_CHECK_HOOK`).
fn without_image_hooks() -> Bench {
    use crate::groups::image::{commands, group, ImageBuild, TABLE_LEN};
    struct NoImageHooks;
    impl ImageBuild for NoImageHooks {
        const STATUS_HOOKS: bool = false;
        const UPLOAD_CHECK_HOOK: bool = false;
    }
    static COMMANDS: [crate::dispatch::Command; TABLE_LEN] = commands::<NoImageHooks>();
    static IMAGE: crate::dispatch::Group = group(&COMMANDS);
    static GROUPS: [&crate::dispatch::Group; 1] = [&IMAGE];
    let mut b = Bench::full();
    let dev = core::mem::take(&mut b.dev);
    Bench::with_groups(&GROUPS, dev)
}

#[test]
fn without_status_hooks_an_upload_reports_no_steps() {
    let mut b = without_image_hooks();
    upload(&mut b, APP_1_2_4_5, 1024);
    assert!(b.hooks.dfu.is_empty(), "{:?}", b.hooks.dfu);
    let image = b.dev.image.as_mut().unwrap();
    assert_eq!(&image.flash(1).data[..APP_1_2_4_5.len()], APP_1_2_4_5);
}

#[test]
fn without_the_upload_check_hook_a_refusing_hook_is_not_asked() {
    let mut b = without_image_hooks();
    b.hooks.upload_refusal = Some(ImageMgmtError::InvalidImageHeader.into());
    upload(&mut b, APP_1_2_4_5, 1024);
    assert!(b.hooks.upload_checks.is_empty());
    let image = b.dev.image.as_mut().unwrap();
    assert_eq!(&image.flash(1).data[..APP_1_2_4_5.len()], APP_1_2_4_5);
}

#[test]
fn without_the_reset_hook_a_veto_is_not_asked_and_the_reset_happens() {
    use crate::groups::os::{commands, group, OsCommands, TABLE_LEN};
    static COMMANDS: [crate::dispatch::Command; TABLE_LEN] = commands(OsCommands {
        reset_hook: false,
        ..OsCommands::ALL
    });
    static OS: crate::dispatch::Group = group(&COMMANDS);
    static GROUPS: [&crate::dispatch::Group; 1] = [&OS];
    let mut b = Bench::full();
    let dev = core::mem::take(&mut b.dev);
    let mut b = Bench::with_groups(&GROUPS, dev);
    b.hooks.reset_answer = Err(MgmtErr::BadState.into());
    assert_eq!(b.ask(V2_WRITE, 0, 5, "a0"), bytes("bf ff"));
    assert!(b.hooks.resets.is_empty());
    assert_eq!(
        b.after_response,
        Some(AfterResponse::Reset {
            boot_mode: None,
            delay_ms: 0
        })
    );
}
