//! Statistics (group 2): the virtual device's own group, `sim`, beside the
//! server's traffic groups.

use std::sync::Arc;
use std::time::Instant;

use smp_server::groups::stat::{StatGroup, StatPlatform};
use smp_server::{Error, Transport};

use crate::transport::pool::SharedPool;

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

pub struct Stat {
    boots: u64,
    booted: Instant,
    pool: Arc<SharedPool>,
    transports: Vec<Transport>,
    shell_commands: u64,
}

impl Stat {
    /// The statistics of the boot number `boots`, started at `booted`.
    pub fn new(
        boots: u64,
        booted: Instant,
        pool: Arc<SharedPool>,
        transports: Vec<Transport>,
    ) -> Self {
        Stat {
            boots,
            booted,
            pool,
            transports,
            shell_commands: 0,
        }
    }

    /// Counts a shell command. The count lives here, not in the shell, as a
    /// Zephyr subsystem increments counters its statistics group owns.
    pub fn count_shell_command(&mut self) {
        self.shell_commands += 1;
    }
}

impl StatPlatform for Stat {
    fn transports(&self) -> &[Transport] {
        &self.transports
    }

    fn for_each_group(
        &mut self,
        visit: &mut dyn FnMut(StatGroup<'_>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let (free, min_free) = self.pool.usage();
        let counters = SimCounters {
            boots: self.boots,
            uptime_ms: self.booted.elapsed().as_millis() as u64,
            netbuf_free: free as u64,
            netbuf_min_free: min_free as u64,
            shell_cmds: self.shell_commands,
        };
        visit(StatGroup {
            name: SIM_GROUP,
            counters: &counters,
        })
    }
}
