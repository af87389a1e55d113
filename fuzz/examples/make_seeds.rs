//! Makes each fuzz target's seeds from the protocol's byte vectors: the
//! requests the core's unit tests send (recorded by `smp_server::testing::
//! record_seed`), framed for each transport, their CBOR payloads, the
//! imgtool-signed images and the trailers MCUboot writes.
//!
//! `make_seeds RECORDED OUT`: RECORDED holds one folder per test bench with
//! its requests in order; OUT gets one folder per target. scripts/fuzz-seeds
//! runs it, then keeps the seeds that add coverage (libFuzzer's -merge).

use std::fs;
use std::path::{Path, PathBuf};

use smp_server::codec::{ble, serial};
use smp_server::mcuboot::fixtures::{APP_1_2_3, APP_1_2_4_5, APP_1_3_0};
use smp_server::mcuboot::mem_flash::MemFlash;
use smp_server::mcuboot::{set_next, write_copy_done, write_image_ok, write_magic, TrailerLayout};
use smp_server::HEADER_LEN;
use smp_server_fuzz::config::CONFIG_LEN;

/// The unit tests' bench: see `smp_server_fuzz::config`.
const UNIT_TEST_BENCH: [u8; CONFIG_LEN] = [0, 0];

fn main() {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let [recorded, out] = &args[..] else {
        eprintln!("usage: make_seeds RECORDED OUT");
        std::process::exit(2);
    };
    let benches = read_benches(recorded);
    let mut seeds = Seeds::new(out);
    for calls in &benches {
        for call in calls {
            seeds.add("server_request", [&UNIT_TEST_BENCH[..], call].concat());
            transports(&mut seeds, call);
            if let Some(payload) = call.get(HEADER_LEN..).filter(|p| !p.is_empty()) {
                seeds.add("cbor_request", payload.to_vec());
            }
        }
        seeds.add(
            "server_stream",
            [&UNIT_TEST_BENCH[..], &calls.concat()].concat(),
        );
    }
    for image in [APP_1_2_3, APP_1_2_4_5, APP_1_3_0] {
        seeds.add("mcuboot_image", image.to_vec());
    }
    trailers(&mut seeds);
    eprintln!("{} benches recorded; {}", benches.len(), seeds.summary());
}

/// Each bench's requests, in the order they were sent.
fn read_benches(recorded: &Path) -> Vec<Vec<Vec<u8>>> {
    let mut dirs: Vec<PathBuf> = fs::read_dir(recorded)
        .expect("the recorded requests")
        .map(|e| e.expect("a folder entry").path())
        .collect();
    dirs.sort();
    dirs.iter()
        .map(|dir| {
            let mut files: Vec<PathBuf> = fs::read_dir(dir)
                .expect("a bench's folder")
                .map(|e| e.expect("a file").path())
                .collect();
            // Named by a counter, zero-padded: their order is the sending order.
            files.sort();
            files
                .iter()
                .map(|f| fs::read(f).expect("a request"))
                .collect()
        })
        .collect()
}

/// One request as each codec target receives it: console lines, raw UART
/// bursts, GATT writes of the smallest MTU.
fn transports(seeds: &mut Seeds, packet: &[u8]) {
    // Selector 2: the unit tests' 384-byte buffer.
    let mut lines = vec![2u8];
    serial::encode(packet, &mut |line| lines.extend_from_slice(line));
    seeds.add("serial_decoder", lines);

    // Buffer 384, Zephyr's default timeout, all at once.
    let mut bursts = vec![2u8, 2];
    for burst in packet.chunks(255) {
        bursts.extend([0, burst.len() as u8]);
        bursts.extend_from_slice(burst);
    }
    seeds.add("raw_uart_decoder", bursts);

    // Buffer 384, ATT MTU 23.
    let mut writes = vec![2u8, 0];
    for chunk in ble::notifications(packet, 23) {
        writes.push(chunk.len() as u8);
        writes.extend_from_slice(chunk);
    }
    seeds.add("ble_reassembler", writes);
}

/// Trailer pairs in the states MCUboot and the image group leave them, as
/// the unit tests' fake slots are marked (4 KiB slots, `BOOT_MAX_ALIGN` 8).
fn trailers(seeds: &mut Seeds) {
    const SLOT: u32 = 0x1000;
    let layout = TrailerLayout::new(SLOT, 8);
    let erased = || MemFlash::new(SLOT, 0x200, 8);
    let tested = || {
        let mut f = erased();
        set_next(&mut f, &layout, false, false, 0).expect("erased trailer");
        f
    };
    let permanent = || {
        let mut f = erased();
        set_next(&mut f, &layout, false, true, 0).expect("erased trailer");
        f
    };
    let swapped_for_test = || {
        let mut f = erased();
        write_magic(&mut f, &layout).expect("erased trailer");
        write_copy_done(&mut f, &layout).expect("erased trailer");
        f
    };
    let confirmed = || {
        let mut f = swapped_for_test();
        write_image_ok(&mut f, &layout).expect("erased trailer");
        f
    };
    let pairs: [(MemFlash, MemFlash); 5] = [
        (erased(), erased()),
        (erased(), tested()),
        (erased(), permanent()),
        (swapped_for_test(), erased()),
        (confirmed(), tested()),
    ];
    // Enough of each slot's end for the widest trailer layout.
    const END: usize = 160;
    for (primary, secondary) in &pairs {
        // Each set_next argument combination, image 0.
        for args in 0..4u8 {
            let mut seed = vec![0u8, 0, args];
            seed.extend_from_slice(&primary.data[primary.data.len() - END..]);
            seed.extend_from_slice(&secondary.data[secondary.data.len() - END..]);
            seeds.add("mcuboot_trailer", seed);
        }
    }
}

/// The seed folders being written.
struct Seeds {
    out: PathBuf,
    counts: std::collections::BTreeMap<&'static str, usize>,
}

impl Seeds {
    fn new(out: &Path) -> Self {
        Seeds {
            out: out.to_path_buf(),
            counts: Default::default(),
        }
    }

    fn add(&mut self, target: &'static str, seed: Vec<u8>) {
        let count = self.counts.entry(target).or_default();
        let dir = self.out.join(target);
        fs::create_dir_all(&dir).expect("a seed folder");
        fs::write(dir.join(format!("seed-{count:05}")), seed).expect("a seed");
        *count += 1;
    }

    fn summary(&self) -> String {
        let counts: Vec<String> = self
            .counts
            .iter()
            .map(|(target, n)| format!("{target}: {n}"))
            .collect();
        counts.join(", ")
    }
}
