//! The CBOR request decoder: the request map walk, typed reads and skip, against minicbor.
//! The input format and the invariants: `smp_server_fuzz::cbor_request`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| smp_server_fuzz::cbor_request(data));
