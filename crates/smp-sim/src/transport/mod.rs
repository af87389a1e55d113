//! How requests reach the SMP thread and responses get back: the UDP and
//! serial receive threads fill netbufs from the shared `pool` and queue them
//! for the SMP thread with the `link` each answer goes back over; with the
//! shell framing, the serial link's typed input joins the same queue
//! (`shell`).

pub mod link;
pub mod pool;
pub mod serial;
pub mod shell;
pub mod udp;
