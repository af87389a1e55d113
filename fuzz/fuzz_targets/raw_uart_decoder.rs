//! The raw UART decoder, with silences between bursts of bytes.
//! The input format and the invariants: `smp_server_fuzz::raw_uart_decoder`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| smp_server_fuzz::raw_uart_decoder(data));
