"""SMP beside an interactive shell on one serial link (`--serial-framing shell`,
Zephyr's shell transport): frame lines go to SMP, everything else to the shell,
whose prompt and output share the link with the responses. Clients skip the
shell's text; a person's commands run between requests. (The bad-input suite's
serial tests run on this link too: test_bad_input.py, `shell` variants.)"""

from __future__ import annotations

import time

import pytest

import smp_raw
from smp_raw import RawSerial
from smpclient import SMPClient
from smpclient.generics import success
from smpclient.requests.enumeration_management import ListSupportedGroups
from smpclient.requests.image_management import ImageStatesRead
from smpclient.requests.os_management import EchoWrite, MCUMgrParametersRead
from smpclient.transport.serial import SMPSerialTransport

from conftest import run
from test_smpmgr import ok, smpmgr

SHELL = ["--serial-framing", "shell"]


@pytest.fixture
def shell_sim(start_sim):
    return start_sim(extra=SHELL)


@pytest.fixture
def link(shell_sim):
    s = RawSerial(shell_sim.pty)
    yield s
    s.close()


def shell_output(link: RawSerial, expected: bytes, timeout: float = 5.0) -> bytes:
    """The shell's text (the lines that are no frames) once `expected` is in it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = b"".join(line + b"\n" for line in link.decoder.noise) + bytes(link.decoder.pending)
        if expected in text:
            return text
        link._pump(max(0.0, deadline - time.monotonic()))
    raise AssertionError(f"no {expected!r} from the shell; it printed {text!r}")


def echo(link: RawSerial, text: str, seq: int) -> None:
    req = smp_raw.echo_request(text, seq)
    rsp = link.transact(req, timeout=5.0)
    smp_raw.assert_response_to(rsp, req)
    assert rsp.body == {"r": text}


def test_smpclient_requests(shell_sim):
    async def go():
        async with SMPClient(SMPSerialTransport(), shell_sim.pty, 5.0) as c:
            rsp = await c.request(MCUMgrParametersRead())
            assert success(rsp), rsp
            rsp = await c.request(EchoWrite(d="beside the shell"))
            assert success(rsp) and rsp.r == "beside the shell", rsp
            rsp = await c.request(EchoWrite(d="x" * 300))
            assert success(rsp) and rsp.r == "x" * 300, rsp
            rsp = await c.request(ListSupportedGroups())
            assert success(rsp) and {0, 1} <= {int(g) for g in rsp.groups}, rsp
            rsp = await c.request(ImageStatesRead())
            assert success(rsp), rsp

    run(go())


def test_smpmgr_echo(shell_sim):
    assert "r='over the shell link'" in ok(smpmgr(shell_sim, "serial", "os", "echo", "over the shell link"))


def test_a_command_typed_between_two_requests_runs_and_prints(shell_sim, link):
    echo(link, "before", 1)
    link.write(b"echo typed between requests\r")
    out = shell_output(link, b"typed between requests\r\n")
    # The shell echoed the line as typed, then the command printed its argument.
    assert out.count(b"typed between requests") == 2, out
    echo(link, "after", 2)


def test_a_frame_after_a_half_typed_line_is_answered(shell_sim, link):
    link.write(b"echo half")
    echo(link, "mid-line", 3)
    link.write(b" done\r")
    shell_output(link, b"half done\r\n")


def test_frames_and_commands_in_one_write_are_all_answered(shell_sim, link):
    a = smp_raw.echo_request("one", 4)
    b = smp_raw.echo_request("two" * 100, 5)
    link.write(b"echo first\r" + smp_raw.serial_encode(a) + b"echo second\r" + smp_raw.serial_encode(b))
    got = link.recv_packets(2, timeout=5.0)
    assert [p.body for p in got] == [{"r": "one"}, {"r": "two" * 100}], got
    out = shell_output(link, b"second\r\n")
    assert b"first\r\n" in out, out


def test_shell_output_never_splits_a_response(shell_sim, link):
    """Long shell output (help) and multi-line responses at the same time: every
    response still decodes (RawSerial checks the framing and the CRC)."""
    for seq in range(6, 12):
        # One request in flight, as a client keeps within the device's buffers.
        link.write(b"help\r" + smp_raw.serial_encode(smp_raw.echo_request("z" * 300, seq)))
        (rsp,) = link.recv_packets(1, timeout=5.0)
        assert rsp.seq == seq and rsp.body == {"r": "z" * 300}, rsp
    assert link.decoder.noise, "the shell printed nothing"


def test_the_shell_link_has_its_own_statistics(shell_sim, link):
    echo(link, "count me", 12)
    rsp = link.transact(smp_raw.request(smp_raw.OP_READ, 2, 13, 0, {"name": "smp_shell"}), timeout=5.0)
    assert rsp.body["name"] == "smp_shell", rsp.body
    assert rsp.body["fields"]["rx_pkts"] >= 1, rsp.body
