//! The BLE (GATT write) reassembler, and notification chunking.
//! The input format and the invariants: `smp_server_fuzz::ble_reassembler`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| smp_server_fuzz::ble_reassembler(data));
