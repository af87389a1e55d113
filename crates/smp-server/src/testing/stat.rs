//! A device statistics group for the statistics group's tests.

use crate::error::Error;
use crate::groups::stat::{StatGroup, StatPlatform};
use crate::request::Transport;

crate::stat_counters! {
    /// A device group for the tests.
    pub struct RadioCounters { tx_frames, rx_frames }
}

pub struct FakeStat {
    pub transports: Vec<Transport>,
    pub radio: RadioCounters,
}

impl StatPlatform for FakeStat {
    fn transports(&self) -> &[Transport] {
        &self.transports
    }

    fn for_each_group(
        &mut self,
        visit: &mut dyn FnMut(StatGroup<'_>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        visit(StatGroup {
            name: "radio",
            counters: &self.radio,
        })
    }
}
