//! The MCUboot slot trailer: reading, swap types per boot mode, set_next.
//! The input format and the invariants: `smp_server_fuzz::mcuboot_trailer`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| smp_server_fuzz::mcuboot_trailer(data));
