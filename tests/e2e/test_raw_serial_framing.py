"""`--serial-framing raw` (Zephyr 4.4 raw UART mode): bare SMP packets on the PTY,
no base64, no CRC. Driven by smpclient's SMPSerialRawTransport and by raw writes."""

from __future__ import annotations

import os
import select
import time

import pytest
import serial  # pyserial

import smp_raw
from smpclient import SMPClient
from smpclient.generics import success
from smpclient.requests.enumeration_management import ListSupportedGroups
from smpclient.requests.os_management import EchoWrite, MCUMgrParametersRead
from smpclient.transport.serial import SMPSerialRawTransport

from conftest import run


def test_smpclient_raw_transport(start_sim):
    sim = start_sim(netbuf_size=512, netbuf_count=2, extra=["--serial-framing", "raw"])

    async def go():
        async with SMPClient(SMPSerialRawTransport(mtu=512), sim.pty) as c:
            rsp = await c.request(MCUMgrParametersRead())
            assert success(rsp) and (rsp.buf_size, rsp.buf_count) == (512, 2), rsp
            for text in ["raw", "r" * 400]:
                rsp = await c.request(EchoWrite(d=text))
                assert success(rsp) and rsp.r == text, rsp
            rsp = await c.request(ListSupportedGroups())
            assert success(rsp) and {0, 10} <= {int(g) for g in rsp.groups}, rsp

    run(go())


def read_packets(port: serial.Serial, count: int, timeout: float = 2.0) -> list[smp_raw.Packet]:
    buf = b""
    deadline = time.monotonic() + timeout
    out: list[smp_raw.Packet] = []
    while len(out) < count and time.monotonic() < deadline:
        ready, _, _ = select.select([port.fileno()], [], [], max(0.0, deadline - time.monotonic()))
        if ready:
            buf += os.read(port.fileno(), 4096)
        while len(buf) >= 8:
            length = int.from_bytes(buf[2:4], "big")
            if len(buf) < 8 + length:
                break
            out.extend(smp_raw.parse_packets(buf[: 8 + length]))
            buf = buf[8 + length :]
    return out


def test_raw_bytes(start_sim):
    sim = start_sim(extra=["--serial-framing", "raw"])
    port = serial.Serial(sim.pty, 115200, timeout=0)
    try:
        a = smp_raw.echo_request("one", 1)
        b = smp_raw.request(smp_raw.OP_READ, smp_raw.GROUP_OS, 2, 6, {})
        port.write(a + b)  # back to back in one write
        got = read_packets(port, 2)
        assert [p.seq for p in got] == [1, 2], got
        smp_raw.assert_response_to(got[0], a)
        smp_raw.assert_response_to(got[1], b)
        assert got[0].body == {"r": "one"}

        # split across writes, byte by byte
        c = smp_raw.echo_request("split", 3)
        for byte in c:
            port.write(bytes([byte]))
        (rsp,) = read_packets(port, 1)
        assert rsp.body == {"r": "split"}

        v3 = smp_raw.echo_request("new", 4, ver=3)
        port.write(v3)
        (rsp,) = read_packets(port, 1)
        smp_raw.assert_response_to(rsp, v3, ver=1)
        assert rsp.body == {"rc": 13}
    finally:
        port.close()


def test_raw_framing_traffic_is_counted_as_raw_uart(start_sim):
    sim = start_sim(extra=["--serial-framing", "raw"])
    from smpclient.requests.statistics_management import GroupData, ListOfGroups

    async def go():
        async with SMPClient(SMPSerialRawTransport(), sim.pty) as c:
            rsp = await c.request(ListOfGroups())
            assert success(rsp), rsp
            assert "smp_raw_uart" in rsp.stat_list and "smp_serial" not in rsp.stat_list, rsp
            rsp = await c.request(GroupData(name="smp_raw_uart"))
            assert success(rsp) and rsp.fields["rx_pkts"] >= 2, rsp

    run(go())


# --------------------------------------------------------------------------------------
# A device built for raw framing (SMP_TARGET=serial:PATH with SMP_TARGET_FRAMING=raw:
# tests/zephyr/run-e2e's raw stage, the Zephyr app with overlays/raw-uart.conf)

RAW_TARGET = os.environ.get("SMP_TARGET_FRAMING") == "raw"


@pytest.mark.skipif(not RAW_TARGET, reason="needs SMP_TARGET_FRAMING=raw (a raw-framing SMP_TARGET)")
def test_raw_target_answers_smpclient():
    from conftest import EXTERNAL

    assert EXTERNAL and "serial" in EXTERNAL, "SMP_TARGET needs a serial link"
    size = int(os.environ.get("SMP_TARGET_NETBUF", "2048x4").split("x")[0])

    async def go():
        async with SMPClient(SMPSerialRawTransport(mtu=size), EXTERNAL["serial"]) as c:
            rsp = await c.request(MCUMgrParametersRead())
            assert success(rsp) and rsp.buf_size == size, rsp
            for text in ["raw", "r" * (size - 64)]:
                rsp = await c.request(EchoWrite(d=text))
                assert success(rsp) and rsp.r == text, rsp
            rsp = await c.request(ListSupportedGroups())
            assert success(rsp) and {0, 10} <= {int(g) for g in rsp.groups}, rsp

    run(go())


@pytest.mark.skipif(not RAW_TARGET, reason="needs SMP_TARGET_FRAMING=raw (a raw-framing SMP_TARGET)")
def test_raw_target_survives_garbage_and_a_stalled_packet():
    """Headers announcing more than the buffer holds are dropped as their 8 bytes come in; a
    packet that stops half-way is dropped after the input timeout (3 s by default); then the
    device answers again."""
    from conftest import EXTERNAL

    with serial.Serial(EXTERNAL["serial"], 115200, timeout=0) as port:
        port.write(bytes(range(0xF0, 0x100)) * 2)  # lengths 0xF2F3, 0xFAFB: too large
        stalled = smp_raw.request(smp_raw.OP_WRITE, 0, 0x31, 0, {"d": "x" * 40})
        port.write(stalled[:20])
        time.sleep(3.5)
        req = smp_raw.request(smp_raw.OP_WRITE, 0, 0x32, 0, {"d": "after"})
        port.write(req)
        (rsp,) = read_packets(port, 1, timeout=3.0)
        smp_raw.assert_response_to(rsp, req)
        assert rsp.body == {"r": "after"}
