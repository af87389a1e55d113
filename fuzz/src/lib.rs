//! The fuzz targets' bodies: each feeds fuzzer input to one part of the core
//! and asserts what must hold whatever the input, beyond not panicking
//! (docs/robustness.md lists the invariants). A failed assertion is a crash
//! for libFuzzer, like a panic in the core.
//!
//! The files in `fuzz_targets/` only hand the input to the function of the
//! same name here, so that the checks are ordinary, testable Rust.

mod cbor;
mod codecs;
pub mod config;
mod mcuboot;
mod response;
mod server;

pub use cbor::cbor_request;
pub use codecs::{ble_reassembler, raw_uart_decoder, serial_decoder};
pub use mcuboot::{mcuboot_image, mcuboot_trailer};
pub use server::{server_request, server_stream, split_requests};
