"""The device driven by the `smpclient` library, over UDP and over the serial PTY.

Every test runs once per transport (the `transport` fixture is parametrized).
"""

from __future__ import annotations

import asyncio
import os
import re
import time
from datetime import datetime, timedelta

import pytest
from pydantic import Field
from smp import header as smphdr
from smp import message as smpmsg
from smp import os_management as smpos
from smp.error import MGMT_ERR
from smpclient import SMPClient
from smpclient.generics import error, error_v1, error_v2, success
from smpclient.requests.enumeration_management import (
    CountSupportedGroups,
    GroupDetails,
    GroupId,
    ListSupportedGroups,
)
from smpclient.requests.os_management import (
    BootloaderInformationRead,
    DateTimeRead,
    DateTimeWrite,
    EchoWrite,
    MCUMgrParametersRead,
    MemoryPoolStatisticsRead,
    OSApplicationInfoRead,
    ResetWrite,
    TaskStatisticsRead,
)
from smpclient.transport.serial import SMPSerialTransport

import smp_raw
from conftest import CLIENT_TIMEOUT_S, EXTERNAL, run, smp_udp_transport

OS, ENUM = 0, 10


def make_client(sim, transport: str, timeout_s: float = CLIENT_TIMEOUT_S) -> SMPClient:
    if transport == "udp":
        return SMPClient(smp_udp_transport(sim), sim.host, timeout_s)
    if transport == "serial":
        return SMPClient(SMPSerialTransport(), sim.pty, timeout_s)
    raise ValueError(transport)


def assert_ok(rsp):
    assert success(rsp), f"expected success, got {rsp!r}"
    return rsp


def assert_err_v2(rsp, group: int, rc: int):
    assert error_v2(rsp), f"expected err {{group {group}, rc {rc}}}, got {rsp!r}"
    assert (int(rsp.err.group), int(rsp.err.rc)) == (group, rc), rsp


def assert_rc(rsp, rc: int):
    assert error_v1(rsp), f"expected {{rc: {rc}}}, got {rsp!r}"
    assert int(rsp.rc) == rc, rsp


def assert_answers(rsp, request) -> None:
    """smpclient does not check these: response header mirrors the request's."""
    h, q = rsp.header, request.header
    want_op = smphdr.OP.READ_RSP if q.op == smphdr.OP.READ else smphdr.OP.WRITE_RSP
    assert (h.op, h.group_id, h.command_id, h.sequence, h.version) == (
        want_op,
        q.group_id,
        q.command_id,
        q.sequence,
        q.version,
    ), (h, q)
    assert int(h.flags) == 0, h


class BootloaderModeResponse(smpmsg.ReadResponse):
    """`{"mode": int, ["no-downgrade": true]}`: smpclient's own bootloader response
    model requires the `bootloader` key, which a `query: "mode"` reply does not have."""

    _GROUP_ID = smphdr.GroupId.OS_MANAGEMENT
    _COMMAND_ID = smphdr.CommandId.OSManagement.BOOTLOADER_INFO

    mode: int
    no_downgrade: bool | None = Field(alias="no-downgrade", default=None)


class BootloaderModeRead(BootloaderInformationRead):
    _Response = BootloaderModeResponse


# --------------------------------------------------------------------------------------
# echo


def test_echo(sim, transport):
    async def go():
        async with make_client(sim, transport) as c:
            for text in ["hello", "", "Grüße ✓ \u00e9", "x" * 300]:
                req = EchoWrite(d=text)
                rsp = assert_ok(await c.request(req))
                assert rsp.r == text
                assert_answers(rsp, req)

    run(go())


def test_echo_v1(sim, transport):
    async def go():
        async with make_client(sim, transport) as c:
            req = EchoWrite(d="legacy", version=smphdr.Version.V1)
            rsp = assert_ok(await c.request(req))
            assert rsp.r == "legacy"
            assert rsp.header.version == smphdr.Version.V1
            assert_answers(rsp, req)

    run(go())


def test_many_sequential_requests(sim, transport):
    """Sequence numbers wrap around; every request gets exactly its own answer."""

    async def go():
        async with make_client(sim, transport) as c:
            for i in range(300):
                rsp = assert_ok(await c.request(EchoWrite(d=f"n{i}")))
                assert rsp.r == f"n{i}"

    run(go())


# --------------------------------------------------------------------------------------
# mcumgr params


@pytest.mark.parametrize("size,count", [(384, 4), (2048, 2)])
def test_mcumgr_params(start_sim, transport, size, count):
    sim = start_sim(netbuf_size=size, netbuf_count=count)

    async def go():
        async with make_client(sim, transport) as c:
            req = MCUMgrParametersRead()
            rsp = assert_ok(await c.request(req))
            assert (rsp.buf_size, rsp.buf_count) == (size, count)
            assert_answers(rsp, req)
            # smpclient sizes its packets from buf_size: a request that fills it works.
            # (smpclient's UDP transport splits packets above 1472 bytes into datagrams)
            limit = min(size, 1400) if transport == "udp" else size
            text = "y" * (limit - 8 - 4 - 16)
            rsp = assert_ok(await c.request(EchoWrite(d=text)))
            assert rsp.r == text

    run(go())


def expected_netbuf() -> tuple[int, int]:
    """The geometry the device should report: smp-sim's defaults, or SMP_TARGET_NETBUF."""
    want = os.environ.get("SMP_TARGET_NETBUF") if EXTERNAL else None
    if not want:
        return (2048, 4)
    size, _, count = want.partition("x")
    return int(size), int(count)


def test_mcumgr_params_default(sim, transport):
    """The device reports its buffers and takes a request that fills one."""

    async def go():
        async with make_client(sim, transport) as c:
            req = MCUMgrParametersRead()
            rsp = assert_ok(await c.request(req))
            assert_answers(rsp, req)
            assert (rsp.buf_size, rsp.buf_count) == expected_netbuf()
            limit = min(rsp.buf_size, 1400) if transport == "udp" else rsp.buf_size
            text = "p" * (limit - 8 - 4 - 16)
            rsp = assert_ok(await c.request(EchoWrite(d=text)))
            assert rsp.r == text

    run(go())


# --------------------------------------------------------------------------------------
# os info


def test_os_info(sim, transport):
    async def go():
        async with make_client(sim, transport) as c:
            req = OSApplicationInfoRead()
            default = assert_ok(await c.request(req)).output
            assert_answers(await c.request(req), req)
            assert default, "empty kernel name"

            one = {}
            for letter in "snrvbmpio":
                rsp = await c.request(OSApplicationInfoRead(format=letter))
                if letter == "b" and error(rsp):  # build time is optional
                    assert_err_v2(rsp, OS, 2)
                    continue
                one[letter] = assert_ok(rsp).output
            assert one["s"] == default

            everything = assert_ok(await c.request(OSApplicationInfoRead(format="a"))).output
            assert everything == " ".join(one[l] for l in "snrvbmpio" if l in one)

            # Output order is fixed, whatever the order of the letters asked for.
            rsp = assert_ok(await c.request(OSApplicationInfoRead(format="os"))).output
            assert rsp == f"{one['s']} {one['o']}"
            rsp = assert_ok(await c.request(OSApplicationInfoRead(format="imns"))).output
            assert rsp == " ".join([one["s"], one["n"], one["m"], one["i"]])

    run(go())


@pytest.mark.skipif(
    not os.environ.get("SMP_TARGET_HOSTNAME"),
    reason="needs SMP_TARGET_HOSTNAME (a target built with a network hostname)",
)
def test_os_info_node_name_is_the_network_hostname(sim, transport):
    async def go():
        async with make_client(sim, transport) as c:
            rsp = assert_ok(await c.request(OSApplicationInfoRead(format="n")))
            assert rsp.output == os.environ["SMP_TARGET_HOSTNAME"], rsp

    run(go())


@pytest.mark.parametrize("fmt", ["q", "sq", "S", "?", "a!"])
def test_os_info_invalid_letter(sim, transport, fmt):
    async def go():
        async with make_client(sim, transport) as c:
            assert_err_v2(await c.request(OSApplicationInfoRead(format=fmt)), OS, 2)
            # SMP v1: the OS group translates INVALID_FORMAT to EINVAL (3).
            rsp = await c.request(OSApplicationInfoRead(format=fmt, version=smphdr.Version.V1))
            assert_rc(rsp, MGMT_ERR.EINVAL)

    run(go())


# --------------------------------------------------------------------------------------
# datetime


DATETIME_RE = re.compile(r"^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d{1,6})?$")


def parse_datetime(text: str) -> datetime:
    m = DATETIME_RE.match(text)
    assert m, f"datetime {text!r} is not YYYY-MM-DDTHH:MM:SS[.fff] (no timezone)"
    return datetime(*(int(g) for g in m.groups()[:6]))


@pytest.mark.fresh_device
def test_datetime_not_set(sim, transport):
    async def go():
        async with make_client(sim, transport) as c:
            assert_err_v2(await c.request(DateTimeRead()), OS, 4)
            # v1: RTC_NOT_SET translates to ENOENT (5).
            assert_rc(await c.request(DateTimeRead(version=smphdr.Version.V1)), MGMT_ERR.ENOENT)

    run(go())


def test_datetime_set_get(sim, transport):
    async def go():
        async with make_client(sim, transport) as c:
            req = DateTimeWrite(datetime="2024-02-29T23:59:58")
            rsp = assert_ok(await c.request(req))
            assert_answers(rsp, req)
            req = DateTimeRead()
            rsp = assert_ok(await c.request(req))
            assert_answers(rsp, req)
            got = parse_datetime(rsp.datetime)
            want = datetime(2024, 2, 29, 23, 59, 58)
            assert want <= got <= want + timedelta(seconds=5), rsp.datetime

            # The clock runs.
            await asyncio.sleep(1.2)
            later = parse_datetime(assert_ok(await c.request(DateTimeRead())).datetime)
            assert later >= want + timedelta(seconds=1), (got, later)
            assert later.date().isoformat() in ("2024-02-29", "2024-03-01")

            # Milliseconds and a trailing timezone are accepted (the zone is ignored).
            assert_ok(await c.request(DateTimeWrite(datetime="2030-01-02T03:04:05.678")))
            got = parse_datetime(assert_ok(await c.request(DateTimeRead())).datetime)
            assert datetime(2030, 1, 2, 3, 4, 5) <= got <= datetime(2030, 1, 2, 3, 4, 10)
            assert_ok(await c.request(DateTimeWrite(datetime="2031-05-06T07:08:09+01:00")))
            got = parse_datetime(assert_ok(await c.request(DateTimeRead())).datetime)
            assert datetime(2031, 5, 6, 7, 8, 9) <= got <= datetime(2031, 5, 6, 7, 8, 14)

    run(go())


@pytest.mark.parametrize(
    "text,want",
    [
        ("2024/01/02 03.04.05", datetime(2024, 1, 2, 3, 4, 5)),  # any one delimiter char
        ("1900-01-01T00:00:00", datetime(1900, 1, 1, 0, 0, 0)),  # lowest year
        ("2024-12-31T23:59:59Z", datetime(2024, 12, 31, 23, 59, 59)),  # trailing zone ignored
    ],
)
def test_datetime_set_formats(sim, transport, text, want):
    async def go():
        async with make_client(sim, transport) as c:
            assert_ok(await c.request(DateTimeWrite(datetime=text)))
            got = parse_datetime(assert_ok(await c.request(DateTimeRead())).datetime)
            assert want <= got <= want + timedelta(seconds=5), (text, got)

    run(go())


@pytest.mark.parametrize(
    "text",
    [
        "",
        "yesterday",
        "2024-13-01T00:00:00",
        "2024-00-01T00:00:00",
        "2024-01-32T00:00:00",
        "2024-01-00T00:00:00",
        "2024-01-01T24:00:00",
        "2024-01-01T00:60:00",
        "2024-01-01T00:00:60",
        "1899-12-31T23:59:59",
        "2024-01-01",
        "2024-01-01T00:00:00.000+01:00:00",
    ],
)
@pytest.mark.fresh_device
def test_datetime_set_invalid(sim, transport, text):
    async def go():
        async with make_client(sim, transport) as c:
            assert_rc(await c.request(DateTimeWrite(datetime=text)), MGMT_ERR.EINVAL)
            # ... and the clock stays unset.
            assert_err_v2(await c.request(DateTimeRead()), OS, 4)

    run(go())


# --------------------------------------------------------------------------------------
# task / memory pool statistics


def test_taskstat(sim, transport):
    async def go():
        async with make_client(sim, transport) as c:
            req = TaskStatisticsRead()
            rsp = assert_ok(await c.request(req))
            assert_answers(rsp, req)
            assert rsp.tasks, "no tasks reported"
            tids = set()
            for name, t in rsp.tasks.items():
                assert name
                assert t.tid >= 0 and t.state >= 0
                tids.add(t.tid)
                if t.stksiz is not None:
                    assert t.stkuse is not None and 0 <= t.stkuse <= t.stksiz, (name, t)
            assert len(tids) == len(rsp.tasks), "tids are not unique"

    run(go())


def test_mpstat(sim, transport):
    async def go():
        async with make_client(sim, transport) as c:
            req = MemoryPoolStatisticsRead()
            rsp = assert_ok(await c.request(req))
            assert_answers(rsp, req)
            extra = rsp.model_extra or {}
            assert set(extra) == {"mpools"}, f"expected only the 'mpools' key, got {extra}"
            pools = extra["mpools"]
            assert isinstance(pools, dict) and pools, pools
            for name, p in pools.items():
                assert set(p) == {"blksiz", "nblks", "nfree", "min"}, (name, p)
                assert all(isinstance(v, int) and v >= 0 for v in p.values()), (name, p)
                assert p["min"] <= p["nfree"] <= p["nblks"], (name, p)

    run(go())


# --------------------------------------------------------------------------------------
# bootloader info


def test_bootloader_info(sim, transport):
    async def go():
        async with make_client(sim, transport) as c:
            req = BootloaderInformationRead()
            rsp = assert_ok(await c.request(req))
            assert_answers(rsp, req)
            assert rsp.bootloader == "MCUboot"

            req = BootloaderModeRead(query="mode")
            rsp = assert_ok(await c.request(req))
            assert_answers(rsp, req)
            assert -1 <= rsp.mode <= 9, rsp
            assert rsp.no_downgrade in (None, True), "no-downgrade is only sent when true"

            assert_err_v2(await c.request(BootloaderInformationRead(query="colour")), OS, 3)

    run(go())


# --------------------------------------------------------------------------------------
# reset


async def echo_eventually(sim, transport, text: str, within_s: float = 8.0) -> None:
    """After a reset the device must answer again (a fresh client each try)."""
    deadline = time.monotonic() + within_s
    last: object = None
    while time.monotonic() < deadline:
        try:
            async with make_client(sim, transport, timeout_s=1.0) as c:
                rsp = await c.request(EchoWrite(d=text))
                if success(rsp) and rsp.r == text:
                    return
                last = rsp
        except Exception as e:  # noqa: BLE001 - retried until the deadline
            last = e
        await asyncio.sleep(0.2)
    pytest.fail(f"device did not answer an echo within {within_s}s after reset: {last!r}\n{sim.log_text()}")


@pytest.mark.parametrize("force", [None, 1])
def test_reset(sim, transport, force):
    async def go():
        async with make_client(sim, transport) as c:
            assert_ok(await c.request(DateTimeWrite(datetime="2025-01-01T00:00:00")))
            req = ResetWrite() if force is None else ResetWrite(force=force)
            rsp = assert_ok(await c.request(req))
            assert_answers(rsp, req)
        await asyncio.sleep(0.5)
        await echo_eventually(sim, transport, "back again")
        assert sim.alive(), "os reset must not end the process"

        async with make_client(sim, transport) as c:
            rsp = assert_ok(await c.request(EchoWrite(d="and again")))
            assert rsp.r == "and again"

    run(go())
    assert sim.alive()


def test_reset_twice(sim, transport):
    async def go():
        for i in range(2):
            async with make_client(sim, transport) as c:
                assert_ok(await c.request(ResetWrite()))
            await asyncio.sleep(0.3)
            await echo_eventually(sim, transport, f"reset {i}")

    run(go())


# --------------------------------------------------------------------------------------
# enumeration


def test_enum(sim, transport):
    async def go():
        async with make_client(sim, transport) as c:
            req = CountSupportedGroups()
            count_rsp = assert_ok(await c.request(req))
            assert_answers(count_rsp, req)
            count = count_rsp.count

            req = ListSupportedGroups()
            list_rsp = assert_ok(await c.request(req))
            assert_answers(list_rsp, req)
            groups = [int(g) for g in list_rsp.groups]
            assert len(groups) == count
            assert len(set(groups)) == count, f"duplicate groups {groups}"
            assert {OS, ENUM} <= set(groups), groups

            for i, g in enumerate(groups):
                req = GroupId(index=i)
                rsp = assert_ok(await c.request(req))
                assert_answers(rsp, req)
                assert int(rsp.group) == g
                assert rsp.end is (True if i == count - 1 else None), (i, rsp)

            first = assert_ok(await c.request(GroupId()))
            assert int(first.group) == groups[0]

            assert_err_v2(await c.request(GroupId(index=count)), ENUM, 4)
            assert_err_v2(await c.request(GroupId(index=1000)), ENUM, 4)

            req = GroupDetails()
            rsp = assert_ok(await c.request(req))
            assert_answers(rsp, req)
            details = {int(d.group): d for d in rsp.groups}
            assert [int(d.group) for d in rsp.groups] == groups
            assert details[OS].name == "os mgmt"
            assert details[ENUM].name == "enum mgmt"
            assert details[OS].handlers == 9, details[OS]
            assert details[ENUM].handlers == 4, details[ENUM]

            rsp = assert_ok(await c.request(GroupDetails(groups=(ENUM,))))
            assert [int(d.group) for d in rsp.groups] == [ENUM]
            assert rsp.groups[0].name == "enum mgmt"

            # More than 16 filter entries: err {10, 2}.
            assert_err_v2(await c.request(GroupDetails(groups=tuple(range(17)))), ENUM, 2)

    run(go())


def test_unsupported_group_rc8(sim, transport):
    """A group the device does not have is an SMP-level rc 8 in v1 and v2 (raw bytes
    through smpclient's transport, so the serial framing is smpclient's)."""

    async def go():
        async with make_client(sim, transport) as c:
            for ver, seq in ((0, 0x41), (1, 0x42)):
                req = smp_raw.request(smp_raw.OP_READ, 200, seq, 0, {}, ver=ver)
                rsp = smp_raw.parse_packet(bytes(await c._transport.send_and_receive(req)))
                smp_raw.assert_response_to(rsp, req)
                assert rsp.body == {"rc": 8}

    run(go())
