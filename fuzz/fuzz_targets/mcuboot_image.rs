//! The MCUboot image header and TLV parsers, the image hash, the core's SHA-256.
//! The input format and the invariants: `smp_server_fuzz::mcuboot_image`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| smp_server_fuzz::mcuboot_image(data));
