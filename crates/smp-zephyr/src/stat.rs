//! Statistics (group 2): the server's own traffic counters, one group per
//! enabled transport (`smp_udp`, `smp_serial`, ...), and the device's
//! `smp_links` group: whether each transport is up, how many attempts to
//! start it failed and the last one's errno. (Zephyr's STATS subsystem
//! groups are not walked.)

use smp_server::groups::stat::{StatFields, StatGroup, StatPlatform};
use smp_server::{Error, Transport};

/// The transports this build serves, in the order their traffic groups are
/// listed.
const TRANSPORTS: &[Transport] = &[
    #[cfg(CONFIG_RUST_SMP_TRANSPORT_SERIAL)]
    crate::smp::SERIAL_TRANSPORT,
    #[cfg(CONFIG_RUST_SMP_TRANSPORT_BT)]
    Transport::Ble,
    #[cfg(CONFIG_RUST_SMP_TRANSPORT_UDP)]
    Transport::Udp,
];

/// How one transport's start went, as `smp_links` reports it.
#[derive(Clone, Copy, Default)]
pub struct LinkState {
    /// The transport serves.
    up: bool,
    /// Failed start attempts since boot.
    start_errs: u32,
    /// The errno of the last failed attempt (positive; 0: none failed).
    errno: u32,
}

impl LinkState {
    /// Visits the three counters under `names` (up, start_errs, errno).
    #[inline(never)]
    fn visit(
        &self,
        visit: &mut dyn FnMut(&str, u64) -> Result<(), Error>,
        names: [&str; 3],
    ) -> Result<(), Error> {
        visit(names[0], u64::from(self.up))?;
        visit(names[1], u64::from(self.start_errs))?;
        visit(names[2], u64::from(self.errno))
    }

    #[cfg(CONFIG_RUST_SMP_GRP_STAT_LINKS)]
    fn record(&mut self, result: Result<(), i32>) {
        match result {
            Ok(()) => self.up = true,
            Err(errno) => {
                self.up = false;
                self.start_errs = self.start_errs.saturating_add(1);
                self.errno = errno.unsigned_abs();
            }
        }
    }
}

#[derive(Default)]
pub struct Stats {
    #[cfg(CONFIG_RUST_SMP_TRANSPORT_UDP)]
    udp: LinkState,
    #[cfg(CONFIG_RUST_SMP_TRANSPORT_SERIAL)]
    serial: LinkState,
    #[cfg(CONFIG_RUST_SMP_TRANSPORT_BT)]
    bt: LinkState,
}

#[cfg(CONFIG_RUST_SMP_GRP_STAT_LINKS)]
impl Stats {
    /// Records an attempt to start `transport` (the SMP thread's, see
    /// `smp::Links::start`).
    pub fn record(&mut self, transport: Transport, result: Result<(), i32>) {
        // Annotated: with no transport compiled in, only the last arm is left.
        let state: &mut LinkState = match transport {
            #[cfg(CONFIG_RUST_SMP_TRANSPORT_UDP)]
            Transport::Udp => &mut self.udp,
            #[cfg(CONFIG_RUST_SMP_TRANSPORT_SERIAL)]
            crate::smp::SERIAL_TRANSPORT => &mut self.serial,
            #[cfg(CONFIG_RUST_SMP_TRANSPORT_BT)]
            Transport::Ble => &mut self.bt,
            _ => return,
        };
        state.record(result);
    }
}

/// The `smp_links` counters: `<link>_up`, `<link>_start_errs`,
/// `<link>_errno` for each enabled transport (udp, serial, bt).
struct Links<'a>(&'a Stats);

impl StatFields for Links<'_> {
    fn for_each_field(
        &self,
        visit: &mut dyn FnMut(&str, u64) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let _ = &visit;
        #[cfg(CONFIG_RUST_SMP_TRANSPORT_UDP)]
        self.0
            .udp
            .visit(visit, ["udp_up", "udp_start_errs", "udp_errno"])?;
        #[cfg(CONFIG_RUST_SMP_TRANSPORT_SERIAL)]
        self.0
            .serial
            .visit(visit, ["serial_up", "serial_start_errs", "serial_errno"])?;
        #[cfg(CONFIG_RUST_SMP_TRANSPORT_BT)]
        self.0
            .bt
            .visit(visit, ["bt_up", "bt_start_errs", "bt_errno"])?;
        Ok(())
    }
}

impl StatPlatform for Stats {
    fn transports(&self) -> &[Transport] {
        TRANSPORTS
    }

    fn for_each_group(
        &mut self,
        visit: &mut dyn FnMut(StatGroup<'_>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        if TRANSPORTS.is_empty() || !cfg!(CONFIG_RUST_SMP_GRP_STAT_LINKS) {
            let _ = visit;
            return Ok(());
        }
        visit(StatGroup {
            name: "smp_links",
            counters: &Links(self),
        })
    }
}
