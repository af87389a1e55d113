//! Server::process with every group on the test bench's fakes: a session of requests, one per
//! call, sharing the server's and the device's state.
//! The input format and the invariants: `smp_server_fuzz::server_stream`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| smp_server_fuzz::server_stream(data));
