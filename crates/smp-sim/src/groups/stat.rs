//! The virtual device's own statistics group, `sim`, beside the server's
//! traffic groups.

use smp_server::groups::stat::{StatGroup, StatPlatform};
use smp_server::{Error, Transport};

use crate::device::SimDevice;

smp_server::stat_counters! {
    /// The `sim` statistics group.
    pub struct SimCounters {
        /// Boots since the process started (resets count).
        boots,
        /// Milliseconds since this boot.
        uptime_ms,
        /// SMP buffers free now.
        netbuf_free,
        /// Fewest SMP buffers ever free.
        netbuf_min_free,
        /// Shell commands run since this boot.
        shell_cmds,
    }
}

/// Name of the device's statistics group.
pub const SIM_GROUP: &str = "sim";

impl StatPlatform for SimDevice {
    fn transports(&self) -> &[Transport] {
        &self.groups.config.transports
    }

    fn for_each_group(
        &mut self,
        visit: &mut dyn FnMut(StatGroup<'_>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let (free, min_free) = self.pool.usage();
        let counters = SimCounters {
            boots: self.persistent.boots,
            uptime_ms: self.booted.elapsed().as_millis() as u64,
            netbuf_free: free as u64,
            netbuf_min_free: min_free as u64,
            shell_cmds: self.groups.shell_commands,
        };
        visit(StatGroup {
            name: SIM_GROUP,
            counters: &counters,
        })
    }
}
