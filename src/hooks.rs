//! The reference application's hooks: the access policy Kconfig chooses
//! (`RUST_SMP_ACCESS_POLICY_*`) and a log line for every step of an image
//! update (`RUST_SMP_DFU_LOG`).

use smp_server::hooks::DfuEvent;
use smp_server::platform::Access;
#[allow(unused_imports)]
use smp_server::{Error, GroupId, Hooks, MgmtErr, Op, Transport};

/// The hooks the SMP thread hands to the server.
pub struct ReferenceHooks;

impl Hooks for ReferenceHooks {
    fn command_received(&mut self, access: &Access) -> Result<(), Error> {
        if allowed(access) {
            Ok(())
        } else {
            Err(MgmtErr::AccessDenied.into())
        }
    }

    #[allow(unused_variables)]
    fn dfu(&mut self, event: &DfuEvent<'_>) {
        #[cfg(CONFIG_RUST_SMP_DFU_LOG)]
        match *event {
            DfuEvent::Started { slot, size, .. } => {
                smp_zephyr::log_info!("dfu: upload started, slot %ld, %ld bytes", slot, size)
            }
            DfuEvent::Chunk { .. } => {}
            DfuEvent::Pending { slot, .. } => smp_zephyr::log_info!("dfu: slot %ld pending", slot),
            DfuEvent::Confirmed { slot, .. } => {
                smp_zephyr::log_info!("dfu: slot %ld confirmed", slot)
            }
            DfuEvent::Stopped { slot, .. } => {
                smp_zephyr::log_info!("dfu: upload to slot %ld stopped", slot)
            }
        }
    }
}

/// Every write but os echo refused (`RUST_SMP_ACCESS_POLICY_READ_ONLY`).
#[cfg(CONFIG_RUST_SMP_ACCESS_POLICY_READ_ONLY)]
fn allowed(access: &Access) -> bool {
    access.op != Op::Write || is_echo(access)
}

/// Writes refused over Bluetooth, whoever is in radio range
/// (`RUST_SMP_ACCESS_POLICY_NO_WRITES_OVER_BT`).
#[cfg(CONFIG_RUST_SMP_ACCESS_POLICY_NO_WRITES_OVER_BT)]
fn allowed(access: &Access) -> bool {
    access.transport != Transport::Ble || access.op != Op::Write || is_echo(access)
}

/// Writes only over a link that is encrypted and authenticated by the build's
/// own configuration (`RUST_SMP_ACCESS_POLICY_WRITES_ONLY_SECURE`): Bluetooth
/// whose characteristic requires encryption, UDP over DTLS.
#[cfg(CONFIG_RUST_SMP_ACCESS_POLICY_WRITES_ONLY_SECURE)]
fn allowed(access: &Access) -> bool {
    let secure = match access.transport {
        Transport::Ble => cfg!(any(
            CONFIG_RUST_SMP_TRANSPORT_BT_PERM_RW_ENCRYPT,
            CONFIG_RUST_SMP_TRANSPORT_BT_PERM_RW_AUTHEN
        )),
        Transport::Udp => cfg!(CONFIG_RUST_SMP_TRANSPORT_UDP_DTLS),
        _ => false,
    };
    secure || access.op != Op::Write || is_echo(access)
}

/// Everything allowed (`RUST_SMP_ACCESS_POLICY_ALLOW_ALL`).
#[cfg(not(any(
    CONFIG_RUST_SMP_ACCESS_POLICY_READ_ONLY,
    CONFIG_RUST_SMP_ACCESS_POLICY_NO_WRITES_OVER_BT,
    CONFIG_RUST_SMP_ACCESS_POLICY_WRITES_ONLY_SECURE
)))]
fn allowed(_: &Access) -> bool {
    true
}

/// os echo is a write that changes nothing: always allowed, so a client can
/// still tell the device is there.
#[cfg(any(
    CONFIG_RUST_SMP_ACCESS_POLICY_READ_ONLY,
    CONFIG_RUST_SMP_ACCESS_POLICY_NO_WRITES_OVER_BT,
    CONFIG_RUST_SMP_ACCESS_POLICY_WRITES_ONLY_SECURE
))]
fn is_echo(access: &Access) -> bool {
    access.group == GroupId::OS && access.id == smp_server::groups::os::cmd::ECHO
}
