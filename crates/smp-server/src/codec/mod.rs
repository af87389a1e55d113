//! Transport framing: pure state machines and functions, no I/O.
//!
//! * [`serial`]: SMP over console (base64 lines with CRC).
//! * [`raw_uart`]: bare SMP packets on a UART (Zephyr 4.4 raw mode).
//! * [`shell`]: SMP frames taken out of an interactive shell's input.
//! * [`ble`]: GATT write reassembly and notification chunking.
//! * [`udp`]: datagram and response size limits.

pub mod ble;
pub mod raw_uart;
pub mod serial;
pub mod shell;
pub mod udp;
