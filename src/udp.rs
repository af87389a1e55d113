//! The UDP transport over Zephyr sockets (`zsock_*`), driven by the SMP
//! thread alone: it polls, receives without blocking, answers and sends, so no
//! other thread ever uses the socket. (With native_sim's offloaded sockets a
//! blocking receive holds the socket's lock, which would stall a reply sent
//! from another thread.)

use core::ffi::{c_int, c_void};
use core::mem::size_of;

use crate::sys::raw;

/// One bound IPv4 datagram socket.
pub struct Udp {
    fd: c_int,
}

/// Where a datagram came from (and its reply goes).
pub struct Peer {
    addr: raw::sockaddr,
    len: raw::socklen_t,
}

impl Udp {
    /// A socket bound to 0.0.0.0:`port`; the errno on failure.
    pub fn bind(port: u16) -> Result<Self, i32> {
        // SAFETY: plain call; returns a descriptor or -1.
        let fd = unsafe {
            raw::zsock_socket(
                raw::AF_INET as c_int,
                raw::SOCK_DGRAM as c_int,
                raw::IPPROTO_UDP as c_int,
            )
        };
        if fd < 0 {
            return Err(crate::sys::errno());
        }
        let udp = Udp { fd };
        let addr = raw::sockaddr_in {
            sin_family: raw::AF_INET as raw::sa_family_t,
            sin_port: port.to_be(),
            // sin_addr zero: INADDR_ANY.
            ..Default::default()
        };
        // SAFETY: `addr` is a valid sockaddr_in and the length says so.
        let rc = unsafe {
            raw::zsock_bind(
                udp.fd,
                &addr as *const raw::sockaddr_in as *const raw::sockaddr,
                size_of::<raw::sockaddr_in>() as raw::socklen_t,
            )
        };
        if rc < 0 {
            return Err(crate::sys::errno());
        }
        Ok(udp)
    }

    /// The poll entry for this socket (readable). (`struct zsock_pollfd` is a
    /// macro for `struct zvfs_pollfd`.)
    pub fn pollfd(&self) -> raw::zvfs_pollfd {
        raw::zvfs_pollfd {
            fd: self.fd,
            events: raw::ZSOCK_POLLIN as i16,
            revents: 0,
        }
    }

    /// Receives one datagram without waiting: its length (which may exceed
    /// `buf`: then it was truncated) and sender, or `None` when nothing is
    /// queued or the receive failed.
    pub fn recv(&self, buf: &mut [u8]) -> Option<(usize, Peer)> {
        let mut peer = Peer {
            addr: raw::sockaddr::default(),
            len: size_of::<raw::sockaddr>() as raw::socklen_t,
        };
        // SAFETY: `buf` and `peer` are valid for writes of the lengths given.
        let n = unsafe {
            raw::zsock_recvfrom(
                self.fd,
                buf.as_mut_ptr() as *mut c_void,
                buf.len(),
                raw::ZSOCK_MSG_DONTWAIT as c_int,
                &mut peer.addr,
                &mut peer.len,
            )
        };
        if n < 0 {
            let errno = crate::sys::errno();
            if errno != raw::EAGAIN as i32 {
                log::warn!("udp: receive failed (errno {errno})");
            }
            return None;
        }
        Some((n as usize, peer))
    }

    /// Sends one datagram to `peer`; failures are logged and dropped, as a
    /// lost datagram would be.
    pub fn send(&self, data: &[u8], peer: &Peer) {
        // SAFETY: `data` is valid for reads of its length, `peer` holds the
        // address recvfrom filled in and its length.
        let n = unsafe {
            raw::zsock_sendto(
                self.fd,
                data.as_ptr() as *const c_void,
                data.len(),
                0,
                &peer.addr,
                peer.len,
            )
        };
        if n < 0 {
            log::warn!("udp: reply failed (errno {})", crate::sys::errno());
        }
    }
}

impl Drop for Udp {
    fn drop(&mut self) {
        // SAFETY: `fd` is this socket's descriptor, closed only here.
        unsafe { raw::zsock_close(self.fd) };
    }
}
