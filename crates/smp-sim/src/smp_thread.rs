//! The one thread that answers requests, one at a time, as Zephyr's SMP work
//! queue does; it also performs resets of the virtual device.

use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::Arc;
use std::time::Duration;

use log::{debug, error, info, warn};
use smp_server::codec::udp;
use smp_server::dispatch::{AfterResponse, Group, Params, Server};
use smp_server::hooks::fs_roots::FsRoots;

use crate::device::config::DeviceConfig;
use crate::device::SimDevice;
use crate::hooks::SimHooks;
use crate::threads::ThreadRegistry;
use crate::transport::link::{Inbound, ReplyTo, Shared, POLL_INTERVAL};
use crate::transport::serial::{Framing, SerialWriter};
use crate::transport::shell::{Console, PROMPT};

/// Delay between the reset response and the reset (Zephyr's MCUMGR_GRP_OS_RESET_MS).
const RESET_DELAY: Duration = Duration::from_millis(250);

pub struct SmpThread {
    pub shared: Arc<Shared>,
    pub queue: Receiver<Inbound>,
    pub serial: Option<SerialWriter>,
    /// The serial link's interactive shell (used with the shell framing).
    pub console: Console,
    pub groups: &'static [&'static Group],
    pub threads: Arc<ThreadRegistry>,
    pub config: Arc<DeviceConfig>,
}

impl SmpThread {
    /// Serves requests with `device`, booted already.
    pub fn run(mut self, mut device: SimDevice) {
        let pool = &self.shared.pool;
        let params = Params {
            buf_size: pool.buf_size(),
            buf_count: pool.buf_count(),
        };
        let mut server = Server::new(self.groups, params);
        let mut sim_hooks = SimHooks::new(self.config.read_only, self.config.example_hooks);
        let config = Arc::clone(&self.config);
        let mut hooks = FsRoots::new(&config.fs_roots, &mut sim_hooks);
        // The response buffer belongs to this thread, so receivers can always
        // hold every pool buffer without starving the answers.
        let mut tx = vec![0u8; params.buf_size];
        info!("virtual device booted");
        self.start_console();
        while !self.shared.stopping() {
            let inbound = match self.queue.recv_timeout(POLL_INTERVAL) {
                Ok(inbound) => inbound,
                Err(RecvTimeoutError::Timeout) => continue,
                Err(RecvTimeoutError::Disconnected) => break,
            };
            let (buf, reply) = match inbound {
                Inbound::Packet { buf, reply } => (buf, reply),
                Inbound::ShellInput(typed) => {
                    self.shell_input(&mut device, &typed);
                    continue;
                }
            };
            let cap = match reply {
                ReplyTo::Udp { .. } => udp::max_response(params.buf_size, udp::DEFAULT_MTU),
                ReplyTo::Serial(_) => params.buf_size,
            };
            let after = server.process_with_hooks(
                &mut device,
                &mut hooks,
                reply.transport(),
                buf.bytes(),
                &mut tx[..cap],
                &mut |rsp| self.send(reply, rsp),
            );
            self.shared.pool.release(buf);
            if let Some(AfterResponse::Reset {
                boot_mode,
                delay_ms,
            }) = after
            {
                info!("reset requested (boot mode {boot_mode:?})");
                std::thread::sleep(RESET_DELAY + Duration::from_millis(delay_ms.into()));
                match self.reset(device) {
                    Some(rebooted) => {
                        device = rebooted;
                        self.start_console();
                    }
                    None => break,
                }
                // Group state (an upload, a file transfer, the counters) lives in RAM: gone.
                server = Server::new(self.groups, params);
            }
        }
    }

    /// A fresh line and a prompt at boot, with the shell framing.
    fn start_console(&mut self) {
        self.console = Console::default();
        if let Some(writer) = self.serial.as_mut() {
            if writer.framing() == Framing::Shell {
                writer.write_text(&format!("\r\n{PROMPT}"));
            }
        }
    }

    /// Echoes bytes typed at the serial link's shell and runs each line
    /// (`--serial-framing shell`).
    fn shell_input(&mut self, device: &mut SimDevice, typed: &[u8]) {
        let text = self.console.input(typed, &mut |words| {
            let mut out = String::new();
            device.run_shell_command(words, &mut out);
            out
        });
        if let Some(writer) = self.serial.as_mut() {
            writer.write_text(&text);
        }
    }

    fn send(&mut self, reply: ReplyTo, packet: &[u8]) {
        match reply {
            ReplyTo::Udp { socket, peer } => {
                if let Err(e) = self.shared.udp_sockets[socket].send_to(packet, peer) {
                    warn!("udp: reply to {peer} failed: {e}");
                }
            }
            ReplyTo::Serial(_) => match self.serial.as_mut() {
                Some(writer) => writer.send(packet),
                None => debug!("serial: no link for a reply"),
            },
        }
    }

    /// Restarts the device in-process: requests that were waiting are lost,
    /// uptime starts again, persistent state is kept, the emulated bootloader
    /// runs. `None`: the flash failed and the device cannot boot; the process
    /// stops.
    fn reset(&mut self, old: SimDevice) -> Option<SimDevice> {
        info!("resetting after {:.1?} of uptime", old.uptime());
        self.shared.boot_generation.fetch_add(1, Ordering::AcqRel);
        while let Ok(lost) = self.queue.try_recv() {
            if let Inbound::Packet { buf, .. } = lost {
                self.shared.pool.release(buf);
            }
        }
        match SimDevice::boot(
            old.power_off(),
            self.shared.pool.clone(),
            self.threads.clone(),
            self.config.clone(),
        ) {
            Ok(device) => {
                info!("virtual device rebooted");
                Some(device)
            }
            Err(e) => {
                error!("the virtual device cannot boot: flash failed ({e:?}); stopping");
                self.shared.stop.store(true, Ordering::Relaxed);
                None
            }
        }
    }
}
