//! Statistics (group 2): the server's own traffic counters, one group per
//! enabled transport (`smp_udp`, `smp_serial`, ...). The device publishes no
//! group of its own yet (Zephyr's STATS subsystem groups are not walked).

use smp_server::groups::stat::{StatGroup, StatPlatform};
use smp_server::{Error, Transport};

/// The transports this build serves, in the order their traffic groups are
/// listed.
const TRANSPORTS: &[Transport] = &[
    #[cfg(CONFIG_RUST_SMP_TRANSPORT_UART)]
    crate::smp::SERIAL_TRANSPORT,
    #[cfg(CONFIG_RUST_SMP_TRANSPORT_BT)]
    Transport::Ble,
    #[cfg(CONFIG_RUST_SMP_TRANSPORT_UDP)]
    Transport::Udp,
];

pub struct Stats;

impl StatPlatform for Stats {
    fn transports(&self) -> &[Transport] {
        TRANSPORTS
    }

    fn for_each_group(
        &mut self,
        _visit: &mut dyn FnMut(StatGroup<'_>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        Ok(())
    }
}
