//! SMP over UDP (protocol.md §3.3, Zephyr `smp_udp.c`).
//!
//! There is no framing: one datagram carries one or more whole SMP packets
//! (`Server::process` splits them by their headers), with no reassembly
//! across datagrams. The answer goes back to the datagram's source address.

/// Default port (`MCUMGR_TRANSPORT_UDP_PORT`).
pub const DEFAULT_PORT: u16 = 1337;

/// Default link MTU, like `CONFIG_MCUMGR_TRANSPORT_UDP_MTU`.
pub const DEFAULT_MTU: usize = 1500;

/// IP and UDP header bytes subtracted from the MTU: an IPv6 header without
/// extension headers (40) plus the UDP header (8). This is the larger of the
/// two families (IPv4 without options needs 28), so one limit serves both
/// sockets and a response never needs IP fragmentation, which Zephyr's stack
/// does not do by default (zephyr#67675: `EMSGSIZE`).
pub const IP_UDP_OVERHEAD: usize = 40 + 8;

/// Largest response packet the server may build for a UDP datagram:
/// `min(buf_size, mtu - 48)`; 1452 bytes for the default 1500-byte MTU.
pub fn max_response(buf_size: usize, mtu: usize) -> usize {
    buf_size.min(mtu.saturating_sub(IP_UDP_OVERHEAD))
}

/// Whether a received datagram of `len` bytes is processed: it must fit one
/// buffer of `buf_size` bytes. Larger datagrams are dropped (they cannot be
/// split, since packets never span datagrams), and so are empty ones, which
/// Zephyr ignores too.
pub fn accept_datagram(len: usize, buf_size: usize) -> bool {
    len != 0 && len <= buf_size
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_mtu_leaves_1452_bytes() {
        assert_eq!(max_response(2048, DEFAULT_MTU), 1452);
    }

    #[test]
    fn small_buffer_limits_response() {
        assert_eq!(max_response(384, DEFAULT_MTU), 384);
    }

    #[test]
    fn tiny_mtu_gives_zero_not_underflow() {
        assert_eq!(max_response(2048, 20), 0);
    }

    #[test]
    fn jumbo_mtu_is_limited_by_buffer() {
        assert_eq!(max_response(2048, 9000), 2048);
    }

    #[test]
    fn datagram_up_to_buffer_size_is_accepted() {
        assert!(accept_datagram(8, 2048));
        assert!(accept_datagram(2048, 2048));
    }

    #[test]
    fn datagram_larger_than_buffer_is_dropped() {
        assert!(!accept_datagram(2049, 2048));
    }

    #[test]
    fn empty_datagram_is_dropped() {
        assert!(!accept_datagram(0, 2048));
    }
}
