//! Zephyr's own MCUmgr client (`img_mgmt_client.c`, run against the server by
//! tests/zephyr/run-zephyr-client): its requests byte for byte, as zcbor
//! encodes them, and the answers its decoders take. SMP v1, indefinite-length
//! maps; the upload's first chunk is `image`, `data`, `off`, `len`, `sha` in
//! that order, the others `image`, `data`, `off`; it reads `off` (and `rc`)
//! from an upload answer and wants `images` as the first key of a state
//! answer.

use sha2::{Digest, Sha256};

use super::*;
use crate::mcuboot::fixtures::imgtool_digest;

const V1_READ: u8 = 0x00;

/// A CBOR unsigned integer, shortest form (zcbor's and the server's).
fn uint(v: usize) -> String {
    match v {
        0..=23 => format!("{v:02x}"),
        24..=0xff => format!("18 {v:02x}"),
        0x100..=0xffff => format!("19 {v:04x}"),
        _ => format!("1a {v:08x}"),
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// One upload request of the client: `data` as a byte string with a 16-bit
/// length (59 NN NN), as zcbor_bstr_encode_ptr writes chunks of 256 bytes and
/// more.
fn upload_request(image: &[u8], off: usize, n: usize, first: Option<&[u8; 32]>) -> Vec<u8> {
    let data = &image[off..off + n];
    let mut spec = format!(
        r#"bf 65 "image" 00 64 "data" 59 {n:04x} {} 63 "off" {}"#,
        hex(data),
        uint(off)
    );
    if let Some(sha) = first {
        spec += &format!(
            r#" 63 "len" {} 63 "sha" 58 20 {}"#,
            uint(image.len()),
            hex(sha)
        );
    }
    spec += " ff";
    bytes(&spec)
}

#[test]
fn the_clients_upload_is_answered_with_the_offsets_it_decodes() {
    let mut d = FakeImage::single();
    let mut s = Session::new();
    // A 2 KiB image, not the running one (FakeImage::single's slot 0 is 1.2.3).
    let image = APP_1_2_4_5;
    let sha: [u8; 32] = Sha256::digest(image).into();
    // 300-byte chunks: what the client fits in its default 384-byte buffer.
    let mut off = 0;
    while off < image.len() {
        let n = 300.min(image.len() - off);
        let first = (off == 0).then_some(&sha);
        let answer = s.send(&mut d, V1_WRITE, 1, &upload_request(image, off, n, first));
        off += n;
        let want = if off < image.len() {
            format!(r#"bf 63 "off" {} ff"#, uint(off))
        } else {
            format!(r#"bf 63 "off" {} 65 "match" f5 ff"#, uint(off))
        };
        assert_eq!(answer, bytes(&want), "chunk ending at {off}");
    }
    assert_eq!(&d.flash(1).data[..image.len()], image);
}

#[test]
fn the_clients_state_read_is_answered_with_images_first() {
    let mut d = FakeImage::single();
    let answer = Session::new().send(&mut d, V1_READ, 0, &bytes("bf ff"));
    assert_eq!(
        answer[..9],
        bytes(r#"bf 66 "images" 9f"#)[..],
        "{answer:02x?}"
    );
}

#[test]
fn the_clients_state_write_test_marks_the_upload_pending() {
    let mut d = FakeImage::single();
    let mut s = Session::new();
    let sha: [u8; 32] = Sha256::digest(APP_1_2_4_5).into();
    s.send(
        &mut d,
        V1_WRITE,
        1,
        &upload_request(APP_1_2_4_5, 0, APP_1_2_4_5.len(), Some(&sha)),
    );
    let hash = imgtool_digest(APP_1_2_4_5);
    let req = bytes(&format!(
        r#"bf 67 "confirm" f4 64 "hash" 58 20 {} ff"#,
        hex(&hash)
    ));
    let v = parse(&s.send(&mut d, V1_WRITE, 0, &req));
    let slot1 = &v.get("images").unwrap().list()[1];
    assert_eq!(slot1.get("hash"), Some(&Val::Bytes(hash.to_vec())));
    assert_eq!(slot1.get("pending"), Some(&Val::B(true)));
    assert_eq!(slot1.get("confirmed"), Some(&Val::B(false)));
}
