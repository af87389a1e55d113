//! How requests reach the SMP thread and responses get back: the UDP and
//! serial receive threads fill netbufs from the shared `pool` and queue them
//! for the SMP thread with the `link` each answer goes back over.

pub mod link;
pub mod pool;
pub mod serial;
pub mod udp;
