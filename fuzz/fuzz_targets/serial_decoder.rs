//! The console (serial) decoder, and the encoder round trip.
//! The input format and the invariants: `smp_server_fuzz::serial_decoder`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| smp_server_fuzz::serial_decoder(data));
