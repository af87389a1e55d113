//! What an application names: its own groups (after the built-in ones
//! Kconfig enables), its hooks, the state its groups keep, and which of the
//! compiled-in transports to start. [`Builder::run`] then serves them on the
//! calling thread.

use core::any::Any;

use smp_server::{Group, Hooks};

/// The most groups one server holds: the nine built-in ones and the
/// application's. Groups past it are left out, with an error in the log.
pub const MAX_GROUPS: usize = 24;

/// The transports to start, of those compiled in (`RUST_SMP_TRANSPORT_*`).
/// Naming one that Kconfig left out does not add it: its code is not in the
/// image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Transports {
    /// UDP on `RUST_SMP_TRANSPORT_UDP_PORT`.
    pub udp: bool,
    /// The `zephyr,uart-mcumgr` UART (console or raw framing).
    pub serial: bool,
    /// The SMP GATT service.
    pub bluetooth: bool,
}

impl Transports {
    /// Every transport Kconfig compiled in.
    pub const KCONFIG: Transports = Transports {
        udp: cfg!(CONFIG_RUST_SMP_TRANSPORT_UDP),
        serial: cfg!(CONFIG_RUST_SMP_TRANSPORT_SERIAL),
        bluetooth: cfg!(CONFIG_RUST_SMP_TRANSPORT_BT),
    };
}

/// The server an application starts: by default the built-in groups Kconfig
/// enables, no hooks, no application state, every compiled-in transport.
pub struct Builder<'a> {
    pub(crate) groups: &'a [&'static Group],
    pub(crate) hooks: Option<&'a mut dyn Hooks>,
    pub(crate) app: Option<&'a mut dyn Any>,
    pub(crate) transports: Transports,
}

impl Default for Builder<'_> {
    fn default() -> Self {
        Self::new()
    }
}

impl<'a> Builder<'a> {
    /// The built-in groups, no hooks, every compiled-in transport.
    pub fn new() -> Self {
        Builder {
            groups: &[],
            hooks: None,
            app: None,
            transports: Transports::KCONFIG,
        }
    }

    /// The application's own groups, served after the built-in ones, listed
    /// by enum and policed by the hooks like them. A group whose id is taken
    /// already is left out (an error in the log).
    pub fn groups(mut self, groups: &'a [&'static Group]) -> Self {
        self.groups = groups;
        self
    }

    /// The hooks every request and update goes through
    /// ([`smp_server::hooks`]); default: none.
    pub fn hooks(mut self, hooks: &'a mut dyn Hooks) -> Self {
        self.hooks = Some(hooks);
        self
    }

    /// The application's state, which its groups' handlers take with
    /// `Ctx::app::<T>()`.
    pub fn app_state(mut self, state: &'a mut dyn Any) -> Self {
        self.app = Some(state);
        self
    }

    /// The transports to start (default [`Transports::KCONFIG`]).
    pub fn transports(mut self, transports: Transports) -> Self {
        self.transports = transports;
        self
    }

    /// Serves SMP on the calling thread (the main thread: a thread of its
    /// own would only add a stack), named `smp` in task statistics. Returns
    /// only if no transport is enabled or the server was started before.
    pub fn run(self) {
        crate::smp::run(self);
    }
}
