//! Image upload: first-chunk fields and checks, streaming, resume, pipelining.

use sha2::{Digest, Sha256};

use super::*;
use crate::mcuboot::fixtures::imgtool_digest;

/// One upload chunk; the first-chunk fields only where given.
#[derive(Clone, Default)]
struct Chunk<'a> {
    off: Option<u32>,
    data: Option<&'a [u8]>,
    len: Option<u32>,
    image: Option<u32>,
    sha: Option<&'a [u8]>,
    upgrade: Option<bool>,
}

impl Chunk<'_> {
    fn encode(&self) -> Vec<u8> {
        cbor(|e| {
            e.begin_map()?;
            if let Some(v) = self.image {
                e.str("image")?.u32(v)?;
            }
            if let Some(v) = self.len {
                e.str("len")?.u32(v)?;
            }
            if let Some(v) = self.off {
                e.str("off")?.u32(v)?;
            }
            if let Some(v) = self.sha {
                e.str("sha")?.bytes(v)?;
            }
            if let Some(v) = self.upgrade {
                e.str("upgrade")?.bool(v)?;
            }
            if let Some(v) = self.data {
                e.str("data")?.bytes(v)?;
            }
            e.end()?;
            Ok(())
        })
    }
}

fn sha256(b: &[u8]) -> [u8; 32] {
    Sha256::digest(b).into()
}

/// The first chunk of `image`: `n` bytes with `len` and `sha`.
fn first<'a>(image: &'a [u8], n: usize, sha: &'a [u8]) -> Chunk<'a> {
    Chunk {
        off: Some(0),
        data: Some(&image[..n]),
        len: Some(image.len() as u32),
        sha: Some(sha),
        ..Chunk::default()
    }
}

fn next(image: &[u8], from: usize, to: usize) -> Chunk<'_> {
    Chunk {
        off: Some(from as u32),
        data: Some(&image[from..to]),
        ..Chunk::default()
    }
}

fn send(s: &mut Session, d: &mut FakeImage, c: &Chunk<'_>) -> Vec<u8> {
    s.write(d, 1, &c.encode())
}

fn off(n: u32) -> Vec<u8> {
    cbor(|e| {
        e.begin_map()?.str("off")?.u32(n)?.end()?;
        Ok(())
    })
}

fn off_match(n: u32, matched: bool) -> Vec<u8> {
    cbor(|e| {
        e.begin_map()?
            .str("off")?
            .u32(n)?
            .str("match")?
            .bool(matched)?
            .end()?;
        Ok(())
    })
}

/// Uploads `image` in chunks of `chunk` bytes, checking each answer.
fn upload_all(
    s: &mut Session,
    d: &mut FakeImage,
    image: &[u8],
    chunk: usize,
    sha: &[u8],
) -> Vec<u8> {
    let n = chunk.min(image.len());
    let mut last = send(s, d, &first(image, n, sha));
    let mut at = n;
    while at < image.len() {
        assert_eq!(last, off(at as u32));
        let to = (at + chunk).min(image.len());
        last = send(s, d, &next(image, at, to));
        at = to;
    }
    last
}

#[test]
fn chunked_upload_lands_byte_for_byte_in_slot_1_with_match() {
    let mut d = FakeImage::single();
    let img = APP_1_2_4_5;
    let sha = sha256(img);
    let last = upload_all(&mut Session::new(), &mut d, img, 500, &sha);
    assert_eq!(last, off_match(img.len() as u32, true));
    assert_eq!(&d.flash(1).data[..img.len()], img);
    // The tail unit was padded with the erased value.
    let padded = img.len().next_multiple_of(8);
    assert!(d.flash(1).data[img.len()..padded]
        .iter()
        .all(|b| *b == 0xFF));
}

#[test]
fn uploaded_image_shows_in_state_read_with_imgtools_hash() {
    let mut d = FakeImage::single();
    upload_all(
        &mut Session::new(),
        &mut d,
        APP_1_3_0,
        777,
        &sha256(APP_1_3_0),
    );
    let v = parse(&Session::new().read(&mut d, 0, &[]));
    let entry = &v.get("images").unwrap().list()[1];
    assert_eq!(entry.get("version"), Some(&Val::S("1.3.0".into())));
    assert_eq!(
        entry.get("hash"),
        Some(&Val::Bytes(imgtool_digest(APP_1_3_0).to_vec()))
    );
}

#[test]
fn whole_image_in_one_chunk() {
    let mut d = FakeImage::single();
    let sha = sha256(APP_1_2_3);
    let r = send(
        &mut Session::new(),
        &mut d,
        &first(APP_1_2_3, APP_1_2_3.len(), &sha),
    );
    assert_eq!(r, off_match(APP_1_2_3.len() as u32, true));
}

#[test]
fn match_is_false_when_the_flash_does_not_hash_to_sha() {
    let mut d = FakeImage::single();
    let last = upload_all(&mut Session::new(), &mut d, APP_1_2_3, 600, &[9; 32]);
    assert_eq!(last, off_match(APP_1_2_3.len() as u32, false));
}

#[test]
fn no_match_without_a_full_sha() {
    let mut d = FakeImage::single();
    let sha = sha256(APP_1_2_3);
    let last = upload_all(&mut Session::new(), &mut d, APP_1_2_3, 600, &sha[..8]);
    assert_eq!(last, off(APP_1_2_3.len() as u32));
    let mut d = FakeImage::single();
    let mut s = Session::new();
    let c = Chunk {
        sha: None,
        ..first(APP_1_2_3, APP_1_2_3.len(), &[])
    };
    assert_eq!(send(&mut s, &mut d, &c), off(APP_1_2_3.len() as u32));
}

#[test]
fn integers_and_keys_in_any_order_and_unknown_keys() {
    let mut d = FakeImage::single();
    // {_ "data": h'..32 bytes..', "x": 1, "off": 0, "len": 32+...} in indefinite form
    let img = APP_1_2_3;
    let payload = cbor(|e| {
        e.begin_map()?
            .str("data")?
            .bytes(&img[..64])?
            .str("x")?
            .u8(1)?
            .str("off")?
            .u8(0)?
            .str("len")?
            .u32(img.len() as u32)?
            .end()?;
        Ok(())
    });
    assert_eq!(Session::new().write(&mut d, 1, &payload), off(64));
}

// ---- first-chunk checks ----

#[test]
fn missing_off_is_err_20() {
    let mut d = FakeImage::single();
    let c = Chunk {
        off: None,
        ..first(APP_1_2_3, 64, &[])
    };
    assert_eq!(send(&mut Session::new(), &mut d, &c), err(20));
}

#[test]
fn first_chunk_shorter_than_a_header_is_err_22() {
    let mut d = FakeImage::single();
    assert_eq!(
        send(&mut Session::new(), &mut d, &first(APP_1_2_3, 31, &[])),
        err(22)
    );
    let c = Chunk {
        data: None,
        ..first(APP_1_2_3, 0, &[])
    };
    assert_eq!(send(&mut Session::new(), &mut d, &c), err(22));
}

#[test]
fn missing_len_is_err_21() {
    let mut d = FakeImage::single();
    let c = Chunk {
        len: None,
        ..first(APP_1_2_3, 64, &[])
    };
    assert_eq!(send(&mut Session::new(), &mut d, &c), err(21));
}

#[test]
fn wrong_header_magic_is_err_23() {
    let mut d = FakeImage::single();
    for magic in [[0x3c, 0xb8, 0xf3, 0x96], [0xFF; 4], [0; 4]] {
        let mut img = APP_1_2_3.to_vec();
        img[..4].copy_from_slice(&magic);
        assert_eq!(
            send(&mut Session::new(), &mut d, &first(&img, 64, &[])),
            err(23)
        );
    }
}

#[test]
fn header_size_below_32_is_err_22() {
    let mut d = FakeImage::single();
    let mut img = APP_1_2_3.to_vec();
    img[8..10].copy_from_slice(&16u16.to_le_bytes());
    assert_eq!(
        send(&mut Session::new(), &mut d, &first(&img, 64, &[])),
        err(22)
    );
}

#[test]
fn sha_longer_than_32_bytes_is_err_24() {
    let mut d = FakeImage::single();
    assert_eq!(
        send(&mut Session::new(), &mut d, &first(APP_1_2_3, 64, &[1; 33])),
        err(24)
    );
}

#[test]
fn len_above_the_slot_size_is_err_30() {
    let mut d = FakeImage::single();
    let c = Chunk {
        len: Some(SLOT_SIZE + 1),
        ..first(APP_1_2_3, 64, &[])
    };
    assert_eq!(send(&mut Session::new(), &mut d, &c), err(30));
}

#[test]
fn len_reaching_into_the_trailer_mcuboot_needs_is_err_30() {
    let mut d = FakeImage::single();
    let c = Chunk {
        len: Some(MAX_IMAGE + 1),
        ..first(APP_1_2_3, 64, &[])
    };
    assert_eq!(send(&mut Session::new(), &mut d, &c), err(30));
    let c = Chunk {
        len: Some(MAX_IMAGE),
        ..first(APP_1_2_3, 64, &[])
    };
    assert_eq!(send(&mut Session::new(), &mut d, &c), off(64));
}

#[test]
fn first_chunk_longer_than_len_is_err_31() {
    let mut d = FakeImage::single();
    let c = Chunk {
        len: Some(40),
        ..first(APP_1_2_3, 64, &[])
    };
    assert_eq!(send(&mut Session::new(), &mut d, &c), err(31));
}

fn upgrade<'a>(img: &'a [u8]) -> Chunk<'a> {
    Chunk {
        upgrade: Some(true),
        ..first(img, 64, &[])
    }
}

#[test]
fn upgrade_of_a_newer_version_is_accepted() {
    let mut d = FakeImage::single(); // running 1.2.3
    assert_eq!(
        send(&mut Session::new(), &mut d, &upgrade(APP_1_3_0)),
        off(64)
    );
}

#[test]
fn upgrade_to_the_same_or_an_older_version_is_err_27() {
    let mut d = FakeImage::single();
    assert_eq!(
        send(&mut Session::new(), &mut d, &upgrade(APP_1_2_3)),
        err(27)
    );
    let mut d = FakeImage::single();
    d.flash(0).erase(0, SECTOR).unwrap();
    d.flash(0).program(0, APP_1_3_0);
    assert_eq!(
        send(&mut Session::new(), &mut d, &upgrade(APP_1_2_4_5)),
        err(27)
    );
}

#[test]
fn upgrade_false_allows_a_downgrade() {
    let mut d = FakeImage::single();
    d.flash(0).erase(0, SECTOR).unwrap();
    d.flash(0).program(0, APP_1_3_0);
    let c = Chunk {
        upgrade: Some(false),
        ..first(APP_1_2_3, 64, &[])
    };
    assert_eq!(send(&mut Session::new(), &mut d, &c), off(64));
}

#[test]
fn upgrade_compares_the_build_number_only_when_configured() {
    // Running 1.2.4 (no build), uploading 1.2.4+5.
    let mut running = APP_1_2_4_5.to_vec();
    running[24..28].fill(0);
    let mut d = FakeImage::single();
    d.flash(0).erase(0, SECTOR).unwrap();
    d.flash(0).program(0, &running);
    assert_eq!(
        send(&mut Session::new(), &mut d, &upgrade(APP_1_2_4_5)),
        err(27)
    );
    d.use_build = true;
    assert_eq!(
        send(&mut Session::new(), &mut d, &upgrade(APP_1_2_4_5)),
        off(64)
    );
}

#[test]
fn upgrade_with_the_running_version_unreadable_is_err_26() {
    let mut d = FakeImage::single();
    d.flash(0).erase(0, SECTOR).unwrap();
    assert_eq!(
        send(&mut Session::new(), &mut d, &upgrade(APP_1_3_0)),
        err(26)
    );
}

#[test]
fn write_granularity_larger_than_the_tail_buffer_is_err_2() {
    let mut d = FakeImage::single();
    d.slots[1] = Some(MemFlash::new(SLOT_SIZE, SECTOR, 256));
    assert_eq!(
        send(&mut Session::new(), &mut d, &first(APP_1_2_3, 64, &[])),
        err(2)
    );
}

// ---- slot choice ----

#[test]
fn no_free_slot_while_a_revert_is_pending_is_err_9() {
    let mut d = FakeImage::single()
        .with_image(1, APP_1_2_4_5)
        .mark_swapped_for_test(0);
    assert_eq!(
        send(&mut Session::new(), &mut d, &first(APP_1_3_0, 64, &[])),
        err(9)
    );
    assert_eq!(d.flash(1).data[..APP_1_2_4_5.len()], *APP_1_2_4_5);
}

#[test]
fn a_pending_slot_may_be_replaced_and_its_trailer_is_erased() {
    let mut d = FakeImage::single().with_image(1, APP_1_2_4_5).mark_test(1);
    let sha = sha256(APP_1_3_0);
    upload_all(&mut Session::new(), &mut d, APP_1_3_0, 1000, &sha);
    let v = parse(&Session::new().read(&mut d, 0, &[]));
    let entry = &v.get("images").unwrap().list()[1];
    assert_eq!(entry.get("version"), Some(&Val::S("1.3.0".into())));
    assert_eq!(entry.get("pending"), Some(&Val::B(false)));
}

#[test]
fn single_image_uses_the_slot_that_does_not_run() {
    let mut d = FakeImage::single();
    d.active[0] = 1;
    d.flash(1).program(0, APP_1_2_3);
    d.flash(0).erase(0, SECTOR).unwrap();
    d.clear_logs();
    let sha = sha256(APP_1_3_0);
    upload_all(&mut Session::new(), &mut d, APP_1_3_0, 1000, &sha);
    assert_eq!(d.flash(0).data[..APP_1_3_0.len()], *APP_1_3_0);
    assert!(d.flash(1).writes.is_empty() && d.flash(1).erases.is_empty());
}

#[test]
fn single_image_ignores_the_image_field() {
    let mut d = FakeImage::single();
    let c = Chunk {
        image: Some(1),
        ..first(APP_1_2_3, 64, &[])
    };
    let mut s = Session::new();
    assert_eq!(send(&mut s, &mut d, &c), off(64));
    let c = Chunk {
        image: Some(1),
        ..next(APP_1_2_3, 64, 128)
    };
    assert_eq!(send(&mut s, &mut d, &c), off(128));
}

#[test]
fn image_1_goes_to_slot_3() {
    let mut d = FakeImage::dual();
    let c = Chunk {
        image: Some(1),
        ..first(APP_1_2_4_5, APP_1_2_4_5.len(), &[])
    };
    assert_eq!(
        send(&mut Session::new(), &mut d, &c),
        off(APP_1_2_4_5.len() as u32)
    );
    assert_eq!(d.flash(3).data[..APP_1_2_4_5.len()], *APP_1_2_4_5);
    assert!(d.flash(1).writes.is_empty());
}

#[test]
fn image_beyond_the_image_count_is_err_9() {
    let mut d = FakeImage::dual();
    let c = Chunk {
        image: Some(2),
        ..first(APP_1_2_3, 64, &[])
    };
    assert_eq!(send(&mut Session::new(), &mut d, &c), err(9));
}

#[test]
fn unknown_active_slot_is_err_34() {
    let mut d = FakeImage::dual();
    d.active[1] = 0;
    let c = Chunk {
        image: Some(1),
        ..first(APP_1_2_3, 64, &[])
    };
    assert_eq!(send(&mut Session::new(), &mut d, &c), err(34));
}

// ---- continuation ----

#[test]
fn wrong_offset_is_answered_with_the_expected_one_and_dropped() {
    let mut d = FakeImage::single();
    let mut s = Session::new();
    send(&mut s, &mut d, &first(APP_1_2_3, 100, &[]));
    let before = d.flash(1).data.clone();
    assert_eq!(send(&mut s, &mut d, &next(APP_1_2_3, 200, 300)), off(100));
    assert_eq!(send(&mut s, &mut d, &next(APP_1_2_3, 50, 150)), off(100));
    assert_eq!(d.flash(1).data, before);
    assert_eq!(send(&mut s, &mut d, &next(APP_1_2_3, 100, 150)), off(150));
}

#[test]
fn continuation_without_an_upload_answers_off_0() {
    let mut d = FakeImage::single();
    assert_eq!(
        send(&mut Session::new(), &mut d, &next(APP_1_2_3, 100, 200)),
        off(0)
    );
    assert!(d.flash(1).writes.is_empty());
}

#[test]
fn overrun_is_err_31_and_ends_the_upload() {
    let mut d = FakeImage::single();
    let mut s = Session::new();
    send(&mut s, &mut d, &first(APP_1_2_3, 1000, &[]));
    let mut long = APP_1_2_3.to_vec();
    long.push(0);
    assert_eq!(
        send(&mut s, &mut d, &next(&long, 1000, long.len())),
        err(31)
    );
    assert_eq!(send(&mut s, &mut d, &next(APP_1_2_3, 1000, 1100)), off(0));
}

#[test]
fn completion_resets_the_state() {
    let mut d = FakeImage::single();
    let mut s = Session::new();
    let sha = sha256(APP_1_2_3);
    upload_all(&mut s, &mut d, APP_1_2_3, 1000, &sha[..16]);
    // The same (truncated) sha now starts a fresh upload rather than resuming.
    assert_eq!(
        send(&mut s, &mut d, &first(APP_1_2_3, 100, &sha[..16])),
        off(100)
    );
}

#[test]
fn an_error_resets_the_state() {
    let mut d = FakeImage::single();
    let mut s = Session::new();
    send(&mut s, &mut d, &first(APP_1_2_3, 100, &[]));
    let c = Chunk {
        off: None,
        ..next(APP_1_2_3, 100, 200)
    };
    assert_eq!(send(&mut s, &mut d, &c), err(20));
    assert_eq!(send(&mut s, &mut d, &next(APP_1_2_3, 100, 200)), off(0));
}

#[test]
fn same_sha_resumes_where_the_upload_stopped() {
    let mut d = FakeImage::single();
    let mut s = Session::new();
    let sha = sha256(APP_1_2_3);
    send(&mut s, &mut d, &first(APP_1_2_3, 300, &sha));
    send(&mut s, &mut d, &next(APP_1_2_3, 300, 600));
    d.clear_logs();
    assert_eq!(send(&mut s, &mut d, &first(APP_1_2_3, 300, &sha)), off(600));
    assert!(d.flash(1).writes.is_empty());
    let last = send(&mut s, &mut d, &next(APP_1_2_3, 600, APP_1_2_3.len()));
    assert_eq!(last, off_match(APP_1_2_3.len() as u32, true));
    assert_eq!(d.flash(1).data[..APP_1_2_3.len()], *APP_1_2_3);
}

#[test]
fn truncated_sha_resumes_too() {
    let mut d = FakeImage::single();
    let mut s = Session::new();
    let sha = sha256(APP_1_2_3);
    send(&mut s, &mut d, &first(APP_1_2_3, 300, &sha[..4]));
    assert_eq!(
        send(&mut s, &mut d, &first(APP_1_2_3, 300, &sha[..4])),
        off(300)
    );
}

#[test]
fn another_sha_or_none_starts_over() {
    let mut d = FakeImage::single();
    let mut s = Session::new();
    let sha = sha256(APP_1_2_3);
    send(&mut s, &mut d, &first(APP_1_2_3, 300, &sha));
    send(&mut s, &mut d, &next(APP_1_2_3, 300, 600));
    assert_eq!(
        send(&mut s, &mut d, &first(APP_1_2_3, 200, &sha[..31])),
        off(200)
    );
    assert_eq!(send(&mut s, &mut d, &first(APP_1_2_3, 100, &[])), off(100));
}

#[test]
fn slot_already_holding_the_file_answers_match_without_writing() {
    let mut d = FakeImage::single().with_image(1, APP_1_2_4_5);
    d.clear_logs();
    let sha = sha256(APP_1_2_4_5);
    let r = send(&mut Session::new(), &mut d, &first(APP_1_2_4_5, 100, &sha));
    assert_eq!(r, off_match(APP_1_2_4_5.len() as u32, true));
    assert!(d.flash(1).writes.is_empty() && d.flash(1).erases.is_empty());
}

#[test]
fn erase_resets_the_upload() {
    let mut d = FakeImage::single();
    let mut s = Session::new();
    let sha = sha256(APP_1_2_3);
    send(&mut s, &mut d, &first(APP_1_2_3, 300, &sha));
    assert_eq!(s.write(&mut d, 5, &bytes("a0")), bytes("bf ff"));
    assert_eq!(send(&mut s, &mut d, &next(APP_1_2_3, 300, 600)), off(0));
    assert_eq!(send(&mut s, &mut d, &first(APP_1_2_3, 300, &sha)), off(300));
}

#[test]
fn pipelined_chunks_with_a_duplicate_in_one_buffer() {
    let mut d = FakeImage::single();
    let mut s = Session::new();
    let img = APP_1_2_3;
    let mut input = Vec::new();
    for (seq, c) in [
        first(img, 500, &[]),
        next(img, 500, 1000),
        next(img, 500, 1000), // retransmitted
        next(img, 1000, img.len()),
    ]
    .iter()
    .enumerate()
    {
        input.extend(packet(WRITE, 1, seq as u8, 1, &c.encode()));
    }
    let r = s.send_raw(&mut d, &input);
    assert_eq!(r, [off(500), off(1000), off(1000), off(img.len() as u32)]);
    assert_eq!(d.flash(1).data[..img.len()], *img);
}

#[test]
fn v1_upload_error_is_translated() {
    let mut d = FakeImage::single();
    let r = Session::new().send(&mut d, V1_WRITE, 1, &upgrade(APP_1_2_3).encode());
    assert_eq!(r, rc(6)); // CURRENT_VERSION_IS_NEWER -> EBADSTATE
}

// ---- flash discipline ----

#[test]
fn clean_slot_is_not_erased_at_all() {
    let mut d = FakeImage::single();
    upload_all(&mut Session::new(), &mut d, APP_1_3_0, 512, &[]);
    assert!(d.flash(1).erases.is_empty());
}

#[test]
fn dirty_sectors_are_erased_one_by_one_just_before_their_first_write() {
    let mut d = FakeImage::single();
    d.flash(1).program(0, &vec![0x00; SLOT_SIZE as usize]);
    d.clear_logs();
    let mut s = Session::new();
    // A 3-sector image: sector 0 and the trailer sector go at the first chunk.
    let mut img = APP_1_3_0.to_vec();
    img.resize(2 * SECTOR as usize + 100, 0xA5);
    let len = img.len() as u32;
    img[12..16].copy_from_slice(&(len - 0x200).to_le_bytes());
    send(&mut s, &mut d, &first(&img, 1000, &[]));
    assert_eq!(
        d.flash(1).erases,
        [(SLOT_SIZE - SECTOR, SLOT_SIZE), (0, SECTOR)]
    );
    send(&mut s, &mut d, &next(&img, 1000, 4096));
    assert_eq!(d.flash(1).erases.len(), 2);
    send(&mut s, &mut d, &next(&img, 4096, 4200));
    assert_eq!(d.flash(1).erases[2], (SECTOR, 2 * SECTOR));
    send(&mut s, &mut d, &next(&img, 4200, img.len()));
    assert_eq!(d.flash(1).erases[3], (2 * SECTOR, 3 * SECTOR));
    assert_eq!(d.flash(1).erases.len(), 4);
    assert_eq!(d.flash(1).data[..img.len()], img[..]);
    // Sectors past the image keep their old contents.
    assert_eq!(d.flash(1).data[3 * SECTOR as usize], 0x00);
}

#[test]
fn writes_follow_a_16_byte_granularity_from_odd_chunks() {
    let mut d = FakeImage::single();
    d.slots[1] = Some(MemFlash::new(SLOT_SIZE, SECTOR, 16));
    let sha = sha256(APP_1_2_4_5);
    let last = upload_all(&mut Session::new(), &mut d, APP_1_2_4_5, 37, &sha);
    assert_eq!(last, off_match(APP_1_2_4_5.len() as u32, true));
    let f = d.flash(1);
    assert!(f.writes.iter().all(|(o, n)| o % 16 == 0 && n % 16 == 0));
    // Every byte was written once: the writes tile the image without overlap.
    let total: u32 = f.writes.iter().map(|(_, n)| n).sum();
    assert_eq!(total as usize, APP_1_2_4_5.len().next_multiple_of(16));
}

#[test]
fn aligned_parts_are_written_straight_from_the_request() {
    let mut d = FakeImage::single();
    let mut s = Session::new();
    send(&mut s, &mut d, &first(APP_1_2_3, 500, &[])); // 496 written, 4 held
    assert_eq!(d.flash(1).writes, [(0, 496)]);
    // 4 bytes complete the held unit, 496 go straight, 3 are held.
    send(&mut s, &mut d, &next(APP_1_2_3, 500, 1003));
    assert_eq!(d.flash(1).writes[1..], [(496, 8), (504, 496)]);
    // The held 3 and 5 new bytes make one unit; nothing else is aligned.
    send(&mut s, &mut d, &next(APP_1_2_3, 1003, 1012));
    assert_eq!(d.flash(1).writes[3..], [(1000, 8)]);
}

#[test]
fn flash_write_failure_is_err_12_and_ends_the_upload() {
    let mut d = FakeImage::single();
    let mut s = Session::new();
    send(&mut s, &mut d, &first(APP_1_2_3, 100, &[]));
    d.flash(1).fail_writes = true;
    assert_eq!(send(&mut s, &mut d, &next(APP_1_2_3, 100, 200)), err(12));
    d.flash(1).fail_writes = false;
    assert_eq!(send(&mut s, &mut d, &next(APP_1_2_3, 100, 200)), off(0));
}

#[test]
fn flash_erase_failure_is_err_13() {
    let mut d = FakeImage::single();
    d.flash(1).program(0, &[0; 64]);
    d.flash(1).fail_erases = true;
    assert_eq!(
        send(&mut Session::new(), &mut d, &first(APP_1_2_3, 100, &[])),
        err(13)
    );
}

#[test]
fn written_bytes_are_counted_once_duplicates_not() {
    let mut d = FakeImage::single();
    let mut s = Session::new();
    let img = APP_1_2_3;
    send(&mut s, &mut d, &first(img, 500, &sha256(img)));
    send(&mut s, &mut d, &next(img, 500, 1000));
    // a duplicate chunk is dropped, not written
    assert_eq!(send(&mut s, &mut d, &next(img, 500, 1000)), off(1000));
    assert_eq!(s.server.state().stat.transfer.img_upload_bytes, 1000);
    send(&mut s, &mut d, &next(img, 1000, img.len()));
    assert_eq!(
        s.server.state().stat.transfer.img_upload_bytes,
        img.len() as u64
    );
}

/// A server whose image group does not check uploads against their `sha`
/// (Zephyr without `IMG_ENABLE_IMAGE_CHECK`).
fn unchecked() -> Session {
    struct Unchecked;
    impl ImageBuild for Unchecked {
        const IMAGE_CHECK: bool = false;
    }
    static COMMANDS: [crate::dispatch::Command; TABLE_LEN] = commands::<Unchecked>();
    static GROUP: crate::dispatch::Group = group(&COMMANDS);
    static GROUPS: [&crate::dispatch::Group; 1] = [&GROUP];
    Session::with_groups(&GROUPS)
}

#[test]
fn without_image_check_the_last_chunk_has_no_match() {
    let mut d = FakeImage::single();
    let sha = sha256(APP_1_2_4_5);
    let last = upload_all(&mut unchecked(), &mut d, APP_1_2_4_5, 500, &sha);
    assert_eq!(last, off(APP_1_2_4_5.len() as u32));
    assert_eq!(&d.flash(1).data[..APP_1_2_4_5.len()], APP_1_2_4_5);
}

#[test]
fn without_image_check_a_wrong_sha_is_not_reported() {
    let mut d = FakeImage::single();
    let last = upload_all(&mut unchecked(), &mut d, APP_1_2_3, 600, &[9; 32]);
    assert_eq!(last, off(APP_1_2_3.len() as u32));
}

#[test]
fn without_image_check_a_slot_holding_the_file_is_written_again() {
    let mut d = FakeImage::single().with_image(1, APP_1_2_4_5);
    d.clear_logs();
    let sha = sha256(APP_1_2_4_5);
    let r = send(&mut unchecked(), &mut d, &first(APP_1_2_4_5, 100, &sha));
    assert_eq!(r, off(100));
    assert!(!d.flash(1).writes.is_empty());
}

#[test]
fn without_image_check_sha_still_resumes() {
    let mut d = FakeImage::single();
    let mut s = unchecked();
    let sha = sha256(APP_1_2_3);
    assert_eq!(send(&mut s, &mut d, &first(APP_1_2_3, 300, &sha)), off(300));
    assert_eq!(send(&mut s, &mut d, &first(APP_1_2_3, 100, &sha)), off(300));
}
