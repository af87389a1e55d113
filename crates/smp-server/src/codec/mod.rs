//! Transport framing: pure state machines and functions, no I/O.
