//! The UDP transport over Zephyr sockets (`zsock_*`), driven by the SMP
//! thread alone: it polls, receives without blocking, answers and sends, so no
//! other thread ever uses the socket. (With native_sim's offloaded sockets a
//! blocking receive holds the socket's lock, which would stall a reply sent
//! from another thread.)
//!
//! With CONFIG_RUST_SMP_TRANSPORT_UDP_DTLS the sockets are DTLS servers
//! (c/udp_dtls.c): a receive runs the handshake and answers EAGAIN until a
//! session's record holds a request, and a reply goes to the session's peer.

use core::ffi::{c_int, c_void};
use core::mem::size_of;

use crate::sys::raw;

/// The bound datagram sockets: IPv4 and, with CONFIG_NET_IPV6, IPv6 (a
/// socket of its own, IPv6-only, as Zephyr's UDP transport has one per
/// family; a dual-stack socket would also collide with the IPv4 one on
/// native_sim, whose sockets are the host's).
pub struct Udp {
    fds: [c_int; FAMILIES],
}

#[cfg(CONFIG_NET_IPV6)]
const FAMILIES: usize = 2;
#[cfg(not(CONFIG_NET_IPV6))]
const FAMILIES: usize = 1;

/// Where a datagram came from (and its reply goes): the socket it came in on
/// and the sender's address (`sockaddr` is sized for every enabled family).
pub struct Peer {
    fd: c_int,
    addr: raw::sockaddr,
    len: raw::socklen_t,
}

impl Udp {
    /// Sockets bound to port `port` of every address (0.0.0.0, and [::]
    /// with IPv6); the errno on failure.
    pub fn bind(port: u16) -> Result<Self, i32> {
        let v4 = raw::sockaddr_in {
            sin_family: raw::AF_INET as raw::sa_family_t,
            sin_port: port.to_be(),
            // sin_addr zero: INADDR_ANY.
            ..Default::default()
        };
        let v4 = bound(raw::AF_INET, &v4)?;
        #[cfg(CONFIG_NET_IPV6)]
        let v6 = {
            let any = raw::sockaddr_in6 {
                sin6_family: raw::AF_INET6 as raw::sa_family_t,
                sin6_port: port.to_be(),
                // sin6_addr zero: in6addr_any.
                ..Default::default()
            };
            match bound(raw::AF_INET6, &any) {
                Ok(fd) => fd,
                Err(errno) => {
                    // SAFETY: closes the IPv4 socket opened above, used nowhere else.
                    unsafe { raw::zsock_close(v4) };
                    return Err(errno);
                }
            }
        };
        Ok(Udp {
            #[cfg(CONFIG_NET_IPV6)]
            fds: [v4, v6],
            #[cfg(not(CONFIG_NET_IPV6))]
            fds: [v4],
        })
    }

    /// The poll entries for these sockets (readable). (`struct zsock_pollfd`
    /// is a macro for `struct zvfs_pollfd`.)
    pub fn pollfds(&self) -> [raw::zvfs_pollfd; FAMILIES] {
        self.fds.map(|fd| raw::zvfs_pollfd {
            fd,
            events: raw::ZSOCK_POLLIN as i16,
            revents: 0,
        })
    }

    /// Receives one datagram from any of the sockets without waiting: its
    /// length (which may exceed `buf`: then it was truncated) and sender, or
    /// `None` when nothing is queued.
    pub fn recv(&self, buf: &mut [u8]) -> Option<(usize, Peer)> {
        self.fds.iter().find_map(|&fd| recv(fd, buf))
    }

    /// Sends one datagram to `peer`; failures are logged and dropped, as a
    /// lost datagram would be.
    pub fn send(&self, data: &[u8], peer: &Peer) {
        // SAFETY: `data` is valid for reads of its length, `peer` holds the
        // address recvfrom filled in and its length.
        let n = unsafe {
            raw::zsock_sendto(
                peer.fd,
                data.as_ptr() as *const c_void,
                data.len(),
                0,
                &peer.addr,
                peer.len,
            )
        };
        if n < 0 {
            crate::log_warn!("udp: reply failed (errno %ld)", crate::sys::errno());
        }
    }
}

impl Drop for Udp {
    fn drop(&mut self) {
        for fd in self.fds {
            // SAFETY: `fd` is one of these sockets' descriptors, closed only here.
            unsafe { raw::zsock_close(fd) };
        }
    }
}

/// A datagram socket of `family` bound to `addr`; the errno on failure.
fn bound<A>(family: u32, addr: &A) -> Result<c_int, i32> {
    // SAFETY: plain call; returns a descriptor or -1.
    #[cfg(not(CONFIG_RUST_SMP_TRANSPORT_UDP_DTLS))]
    let fd = unsafe {
        raw::zsock_socket(
            family as c_int,
            raw::SOCK_DGRAM as c_int,
            raw::IPPROTO_UDP as c_int,
        )
    };
    // A DTLS server socket (c/udp_dtls.c): receives and sends go through
    // Zephyr's TLS layer, which runs the handshake inside the receive.
    // SAFETY: plain call; returns a descriptor or -1.
    #[cfg(CONFIG_RUST_SMP_TRANSPORT_UDP_DTLS)]
    let fd = unsafe { raw::rust_smp_udp_dtls_socket(family as c_int) };
    if fd < 0 {
        return Err(crate::sys::errno());
    }
    #[cfg(CONFIG_NET_IPV6)]
    if family == raw::AF_INET6 {
        let on: c_int = 1;
        // SAFETY: `on` is a valid int option value of the length given.
        let rc = unsafe {
            raw::zsock_setsockopt(
                fd,
                raw::IPPROTO_IPV6 as c_int,
                raw::IPV6_V6ONLY as c_int,
                &on as *const c_int as *const c_void,
                size_of::<c_int>() as raw::socklen_t,
            )
        };
        if rc < 0 {
            crate::log_warn!("udp: IPV6_V6ONLY refused (errno %ld)", crate::sys::errno());
        }
    }
    // SAFETY: `addr` is a valid socket address of its family and the length
    // says how long it is.
    let rc = unsafe {
        raw::zsock_bind(
            fd,
            addr as *const A as *const raw::sockaddr,
            size_of::<A>() as raw::socklen_t,
        )
    };
    if rc < 0 {
        let errno = crate::sys::errno();
        // SAFETY: the socket opened above, used nowhere else.
        unsafe { raw::zsock_close(fd) };
        return Err(errno);
    }
    Ok(fd)
}

/// Receives one datagram from `fd` without waiting (see [`Udp::recv`]).
fn recv(fd: c_int, buf: &mut [u8]) -> Option<(usize, Peer)> {
    let mut peer = Peer {
        fd,
        addr: raw::sockaddr::default(),
        len: size_of::<raw::sockaddr>() as raw::socklen_t,
    };
    // SAFETY: `buf` and `peer` are valid for writes of the lengths given.
    let n = unsafe {
        raw::zsock_recvfrom(
            fd,
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
            crate::log_warn!("udp: receive failed (errno %ld)", errno);
        }
        return None;
    }
    Some((n as usize, peer))
}
