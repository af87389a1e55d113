//! The UDP transport: one receive thread per bound socket. A datagram holds one
//! or more SMP packets; it is handed whole to the SMP thread.

use std::io::ErrorKind;

use log::{debug, warn};
use smp_server::codec::udp;

use super::link::{ReplyTo, Shared, POLL_INTERVAL};

pub fn receive_loop(shared: &Shared, socket_index: usize) {
    let socket = &shared.udp_sockets[socket_index];
    if let Err(e) = socket.set_read_timeout(Some(POLL_INTERVAL)) {
        warn!("udp: cannot set a read timeout: {e}");
        return;
    }
    let buf_size = shared.pool.buf_size();
    let mut datagram = vec![0u8; 65536];
    while !shared.stopping() {
        let (len, peer) = match socket.recv_from(&mut datagram) {
            Ok(received) => received,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => continue,
            Err(e) => {
                debug!("udp: receive failed: {e}");
                continue;
            }
        };
        if !udp::accept_datagram(len, buf_size) {
            debug!("udp: dropped a {len}-byte datagram from {peer} (buffers are {buf_size} bytes)");
            continue;
        }
        let Some(mut buf) = shared.alloc() else { break };
        // Cannot fail: the datagram fits a buffer (checked above).
        let _ = buf.extend_from_slice(&datagram[..len]);
        shared.deliver(
            buf,
            ReplyTo::Udp {
                socket: socket_index,
                peer,
            },
        );
    }
}
