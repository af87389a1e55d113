"""SMP over Bluetooth LE against the Zephyr application, through Bumble.

Run by tests/zephyr/run-ble, which starts two Bumble virtual controllers on
one emulated link and zephyr.exe (native_sim) on the first one (HCI over TCP);
this script is the central on the second:

    python tests/zephyr/ble_check.py MODE HCI_SPEC ADDRESS NAME KEYSTORE

KEYSTORE is the central's bond file (Bumble's JSON key store). MODE:

- `unpaired`: a central without a bond (another address, no key store) is
  refused: a write request and the CCC subscription get ATT's insufficient
  authentication (0x05: what the core specification, Vol 3 Part C 10.3.1,
  answers on an unencrypted link when the device has no key for the peer), a
  write command gets no notification back.
- `pair` (then the full check): pairs (Just Works, bonding) on connect, then
  checks what the transport itself does: requests split into MTU - 3 writes
  and reassembled, responses in MTU - 3 notifications, pipelined requests up
  to buf_count - 1, ATT errors for malformed first fragments, a partial packet
  dropped on disconnect, advertising resumed after a disconnect (and the link
  encrypted again with the bond, without pairing), connection parameters
  requested: fast while SMP is active, the preferred ones once idle.
- `bonded`: after a restart of zephyr.exe, the bonded central's write on a
  link it has not encrypted gets insufficient encryption (0x0f: the device
  has its key, read back from flash); then it encrypts with its stored keys,
  without pairing, and an echo is answered.
- `authen` (a build with RUST_SMP_TRANSPORT_BT_PERM_RW_AUTHEN): a Just Works
  pairing succeeds but does not authenticate: ATT's insufficient
  authentication (0x05).
"""

import asyncio
import sys
from pathlib import Path

import cbor2
from bumble.att import ATT_Error
from bumble.device import Peer
from bumble.hci import Address, AddressType
from bumble.l2cap import (
    L2CAP_CONNECTION_PARAMETERS_ACCEPTED_RESULT,
    L2CAP_Connection_Parameter_Update_Response,
)
from smp import header as smphdr
from smpclient import SMPClient
from smpclient.requests.os_management import (
    EchoWrite,
    MCUMgrParametersRead,
    OSApplicationInfoRead,
    TaskStatisticsRead,
)
from smpclient.transport.bumble import (
    PairingSucceeded,
    SMPBumbleTransport,
    _find_smp_characteristic,
)
from smpclient.transport.bumble.device import bumble_device
from smpclient.transport.bumble.keystore import Custom, InMemory
from smpclient.transport.bumble.pairing import NoInputNoOutput, pair

MODE, HCI, ADDRESS, NAME, KEYSTORE = sys.argv[1:6]
MTU = 498  # what clients ask for and overlays/bluetooth.conf allows
INSUFFICIENT_AUTHENTICATION = 0x05
INSUFFICIENT_ENCRYPTION = 0x0F
# Not the bonded central's (smpclient's default) address.
STRANGER = Address("F0:5C:81:00:00:02", AddressType.RANDOM_DEVICE)


def echo_packet(text: str, sequence: int) -> bytes:
    return EchoWrite(d=text, sequence=sequence).BYTES


def check(condition: bool, what: str) -> None:
    if not condition:
        raise SystemExit(f"FAILED: {what}")
    print(f"ok: {what}")


async def connected(mtu: int = MTU, pair: bool = False) -> tuple[SMPClient, SMPBumbleTransport]:
    """Connected with the bond in KEYSTORE, if any; pairing first if `pair`."""
    transport = SMPBumbleTransport(
        hci=HCI,
        preferred_mtu=mtu,
        keystore=Custom(Path(KEYSTORE)),
        pair_on_connect=NoInputNoOutput() if pair else None,
    )
    client = SMPClient(transport, ADDRESS)
    await client.connect()
    return client, transport


def encrypted_without_pairing(transport: SMPBumbleTransport) -> bool:
    # smpclient's transport pairs only with pair_on_connect (it is not set
    # here) and keeps the result; the link got encrypted with the bond.
    return transport._require_connected("check").connection.is_encrypted and transport._pair_result is None


async def refused(write, what: str, code: int) -> None:
    try:
        await write()
        check(False, f"{what}: refused")
    except ATT_Error as error:
        check(error.error_code == code, f"{what}: ATT error 0x{error.error_code:02x} ({error.error_name})")


async def unpaired() -> None:
    async with bumble_device(hci=HCI, host_address=STRANGER, keystore=InMemory()) as device:
        connection = await device.connect(Address(ADDRESS))
        peer = Peer(connection)
        await peer.discover_all()
        characteristic = _find_smp_characteristic(peer)
        notifications: list[bytes] = []
        await refused(
            lambda: characteristic.subscribe(notifications.append),
            "unpaired central subscribing to notifications",
            INSUFFICIENT_AUTHENTICATION,
        )
        await refused(
            lambda: characteristic.write_value(echo_packet("unpaired", 1), with_response=True),
            "unpaired central's write request (an echo)",
            INSUFFICIENT_AUTHENTICATION,
        )
        # A write command gets no ATT answer at all; nor an SMP one.
        await characteristic.write_value(echo_packet("unpaired", 2), with_response=False)
        await asyncio.sleep(1)
        check(not notifications and not connection.is_encrypted, "no SMP answer to the unpaired central")
        await connection.disconnect()
    await asyncio.sleep(1)


async def bonded() -> None:
    # smpclient's default address: the bonded central's.
    async with bumble_device(hci=HCI, keystore=Custom(Path(KEYSTORE))) as device:
        connection = await device.connect(Address(ADDRESS))
        peer = Peer(connection)
        await peer.discover_all()
        characteristic = _find_smp_characteristic(peer)
        await refused(
            lambda: characteristic.write_value(echo_packet("not encrypted", 1), with_response=True),
            "bonded central's write before encrypting (the device has its key after the restart)",
            INSUFFICIENT_ENCRYPTION,
        )
        await connection.disconnect()
    await asyncio.sleep(1)
    client, transport = await connected()
    check(encrypted_without_pairing(transport), "bonded central reconnected after the restart: encrypted with its bond, no pairing")
    r = await client.request(EchoWrite(d="bonded"))
    check(getattr(r, "r", None) == "bonded", "echo over the bonded link")
    await client.disconnect()
    print("all bonded-reconnect checks passed")


async def authen() -> None:
    async with bumble_device(hci=HCI, host_address=STRANGER, keystore=InMemory()) as device:
        connection = await device.connect(Address(ADDRESS))
        result = await pair(
            connection, device, NoInputNoOutput(), pair_timeout_s=30, settle_s=1, force=False
        )
        check(isinstance(result, PairingSucceeded) and connection.is_encrypted, f"Just Works pairing: {result}")
        peer = Peer(connection)
        await peer.discover_all()
        characteristic = _find_smp_characteristic(peer)
        await refused(
            lambda: characteristic.subscribe(lambda _: None),
            "Just Works bond subscribing, authentication required",
            INSUFFICIENT_AUTHENTICATION,
        )
        await refused(
            lambda: characteristic.write_value(echo_packet("just works", 1), with_response=True),
            "Just Works bond writing, authentication required",
            INSUFFICIENT_AUTHENTICATION,
        )
        await connection.disconnect()
    print("all authentication checks passed")


async def main() -> None:
    start = asyncio.get_running_loop().time()
    client, transport = await connected(pair=True)
    check(
        transport._pair_result == PairingSucceeded(bonded=True)
        and transport._require_connected("check").connection.is_encrypted,
        f"paired on connect (Just Works), bonded: {transport._pair_result}",
    )
    # Connection parameter update requests (L2CAP), as the central sees them.
    requested: list[tuple[int, int]] = []
    manager = transport._require_connected("check").connection.device.l2cap_channel_manager

    def record(connection, cid, request):
        requested.append((request.interval_min, request.interval_max))
        # Accepted, but not carried out: Bumble's controller does not do LE
        # Connection Update, and its host would wait for it forever, holding
        # back every later command (disconnect, connect).
        manager.send_control_frame(
            connection,
            cid,
            L2CAP_Connection_Parameter_Update_Response(
                identifier=request.identifier, result=L2CAP_CONNECTION_PARAMETERS_ACCEPTED_RESULT
            ),
        )

    manager.on_l2cap_connection_parameter_update_request = record
    # The transport's `mtu` is its largest write: ATT MTU - 3.
    check(transport.mtu == MTU - 3, f"ATT MTU {MTU} negotiated")
    r = await client.request(EchoWrite(d="hello"))
    check(getattr(r, "r", None) == "hello", "echo")
    r = await client.request(MCUMgrParametersRead())
    buf_size, buf_count = r.buf_size, r.buf_count
    check((buf_size, buf_count) == (2048, 4), f"params {buf_size} x {buf_count}")
    r = await client.request(OSApplicationInfoRead(format="n"))
    check(r.output == NAME, f"os info node name {r.output!r}")
    r = await client.request(TaskStatisticsRead())
    check("smp" in r.tasks, f"taskstat lists {sorted(r.tasks)}")

    # The largest echo that fits buf_size: 5 writes of MTU - 3 in, 5
    # notifications out.
    text = "x" * (buf_size - len(echo_packet("", 0)) - 3)
    request = echo_packet(text, 1)
    check(len(request) <= buf_size, f"{len(request)}-byte request")
    response = await transport.send_and_receive(request)
    check(cbor2.loads(response[8:]).get("r") == text, "largest echo reassembled and answered")

    # buf_count - 1 requests in flight (what os params promises).
    requests = [echo_packet(f"pipelined {i} " + "y" * 1500, 10 + i) for i in range(buf_count - 1)]
    for request in requests:
        await transport.send(request)
    answers = [await transport.receive() for _ in requests]
    check(
        [a[6] for a in answers] == [10 + i for i in range(len(requests))]
        and all(cbor2.loads(a[8:])["r"].startswith(f"pipelined {i} ") for i, a in enumerate(answers)),
        f"{len(requests)} pipelined requests answered in order",
    )

    # Connection parameters: Zephyr holds a peripheral's request until 5 s
    # into the connection (BT_CONN_PARAM_UPDATE_TIMEOUT), then sends the fast
    # ones the SMP thread asked for (6-9 x 1.25 ms); 5 s after the last
    # request the SMP thread asks for the preferred ones (24-40) again.
    while len(requested) < 2 and asyncio.get_running_loop().time() < start + 15:
        await asyncio.sleep(0.1)
    check(
        requested[:2] == [(6, 9), (24, 40)],
        f"connection parameters: fast while active, preferred when idle {requested}",
    )

    # Malformed first fragments, as write requests so the ATT error comes back.
    characteristic = transport._require_connected("check").smp_characteristic
    for what, fragment in [
        ("first fragment shorter than a header", b"\x02\x00\x00"),
        ("header announcing more than buf_size", smphdr.Header(
            op=smphdr.OP.WRITE, version=smphdr.Version.V2, flags=smphdr.Flag(0),
            length=buf_size, group_id=0, sequence=0, command_id=0).BYTES),
    ]:
        try:
            await characteristic.write_value(fragment, with_response=True)
            check(False, f"{what}: refused")
        except ATT_Error as error:
            check(error.error_code == 0x13, f"{what}: ATT error 0x{error.error_code:02x}")
    r = await client.request(EchoWrite(d="after errors"))
    check(getattr(r, "r", None) == "after errors", "echo after the refused writes")

    # Half a packet, then disconnect: the next connection must not see it.
    await transport.send(echo_packet("z" * 1000, 30)[:MTU - 3])
    await client.disconnect()
    await asyncio.sleep(1)

    client, transport = await connected(mtu=23)
    check(transport.mtu == 20, "reconnected (advertising resumed), default ATT MTU 23")
    check(encrypted_without_pairing(transport), "reconnected encrypted with the bond, no pairing")
    r = await client.request(EchoWrite(d="w" * 300))
    check(getattr(r, "r", None) == "w" * 300, "300-byte echo in 20-byte writes and notifications")
    await client.disconnect()

    print("all BLE checks passed")


asyncio.run({"unpaired": unpaired, "pair": main, "bonded": bonded, "authen": authen}[MODE]())
