//! The device's threads as task statistics report them, read from /proc.

use std::sync::Mutex;

use smp_server::groups::os::TaskInfo;
use smp_server::Error;

#[derive(Default)]
pub struct ThreadRegistry {
    threads: Mutex<Vec<(String, i32)>>,
}

impl ThreadRegistry {
    /// Records the calling thread under `name`.
    pub fn register_current(&self, name: &str) {
        let tid = nix::unistd::gettid().as_raw();
        let mut threads = self.threads.lock().unwrap_or_else(|p| p.into_inner());
        threads.retain(|(n, _)| n != name);
        threads.push((name.to_owned(), tid));
    }

    pub fn for_each(
        &self,
        visit: &mut dyn FnMut(&TaskInfo<'_>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let threads = self
            .threads
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        for (index, (name, tid)) in threads.iter().enumerate() {
            let Some(stat) = ProcStat::read(*tid) else {
                continue;
            };
            visit(&TaskInfo {
                name,
                prio: stat.priority,
                tid: index as u32,
                state: stat.zephyr_state(),
                stack: None,
                runtime: Some(stat.cpu_ticks),
            })?;
        }
        Ok(())
    }
}

/// The fields of /proc/self/task/TID/stat that task statistics use.
struct ProcStat {
    state: char,
    priority: i32,
    cpu_ticks: u64,
}

impl ProcStat {
    fn read(tid: i32) -> Option<Self> {
        let text = std::fs::read_to_string(format!("/proc/self/task/{tid}/stat")).ok()?;
        // The command name may hold spaces: fields start after its closing ')'.
        let fields: Vec<&str> = text.rsplit_once(')')?.1.split_whitespace().collect();
        let field = |n: usize| fields.get(n - 3).copied();
        Some(ProcStat {
            state: field(3)?.chars().next()?,
            priority: field(18)?.parse().ok()?,
            cpu_ticks: field(14)?.parse::<u64>().ok()? + field(15)?.parse::<u64>().ok()?,
        })
    }

    /// Zephyr thread state bits: 0 running/ready, 2 pending, 4 sleeping, 8 dead.
    fn zephyr_state(&self) -> u32 {
        match self.state {
            'R' => 0,
            'S' | 'D' => 2,
            'T' | 't' => 16,
            'Z' | 'X' => 8,
            _ => 0,
        }
    }
}
