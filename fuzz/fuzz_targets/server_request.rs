//! Server::process with every group on the test bench's fakes: one buffer (possibly several
//! packets) into a fresh server.
//! The input format and the invariants: `smp_server_fuzz::server_request`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| smp_server_fuzz::server_request(data));
