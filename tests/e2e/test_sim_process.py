"""The virtual device as a process: command line, endpoint lines, signals, PTY link."""

from __future__ import annotations

import os
import signal
import stat

import pytest

import smp_raw
from conftest import SMP_PORT, unique_loopback
from smp_raw import RawSerial, RawUdp


def echo_udp(addr, text="udp ok", seq=1):
    u = RawUdp(addr)
    try:
        req = smp_raw.echo_request(text, seq)
        rsp = u.transact(req)
        smp_raw.assert_response_to(rsp, req)
        assert rsp.body == {"r": text}
    finally:
        u.close()


def echo_serial(path, text="serial ok", seq=2):
    s = RawSerial(path)
    try:
        req = smp_raw.echo_request(text, seq)
        rsp = s.transact(req)
        smp_raw.assert_response_to(rsp, req)
        assert rsp.body == {"r": text}
    finally:
        s.close()


def test_endpoint_lines(sim):
    assert len(sim.udp) == 1
    host, port = sim.udp_addr
    assert port == SMP_PORT and host.startswith("127.")
    assert stat.S_ISCHR(os.stat(sim.pty).st_mode), f"{sim.pty} is not a character device"
    echo_udp(sim.udp_addr)
    echo_serial(sim.pty)


def test_several_udp_addresses(start_sim):
    addrs = [f"{unique_loopback()}:{SMP_PORT}", f"{unique_loopback()}:{SMP_PORT}", f"{unique_loopback()}:{SMP_PORT}"]
    sim = start_sim(udp=addrs)
    assert sorted(f"{h}:{p}" for h, p in sim.udp) == sorted(addrs)
    for i, addr in enumerate(sim.udp):
        echo_udp(addr, f"endpoint {i}", seq=i)
    echo_serial(sim.pty)


def test_pty_link(start_sim, tmp_path):
    link = tmp_path / "ttySMP0"
    sim = start_sim(pty_link=link)
    assert link.is_symlink(), "--pty-link made no symlink"
    assert os.path.realpath(link) == os.path.realpath(sim.pty)
    echo_serial(str(link), "through the link")


def test_serial_reopen(sim):
    """Clients come and go on the PTY; the device keeps serving it."""
    for i in range(3):
        echo_serial(sim.pty, f"session {i}", seq=i)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_exits_cleanly(sim, sig):
    echo_udp(sim.udp_addr)
    assert sim.signal(sig) == 0, sim.log_text()


def test_signal_while_serial_client_open(sim):
    s = RawSerial(sim.pty)
    try:
        req = smp_raw.echo_request("open", 3)
        assert s.transact(req).body == {"r": "open"}
        assert sim.signal(signal.SIGTERM) == 0, sim.log_text()
    finally:
        s.close()


def test_signal_right_after_start(start_sim):
    sim = start_sim()
    assert sim.signal(signal.SIGTERM) == 0, sim.log_text()


def test_state_dir_reused(start_sim, tmp_path):
    """A second device on the same --state directory starts and serves."""
    state = tmp_path / "kept-state"
    state.mkdir()
    first = start_sim(state_dir=state)
    echo_udp(first.udp_addr)
    assert first.signal(signal.SIGTERM) == 0
    second = start_sim(state_dir=state)
    echo_udp(second.udp_addr)
    echo_serial(second.pty)


def test_missing_state_dir_created_or_refused(start_sim, sim_binary, tmp_path):
    """`--state` naming a directory that does not exist yet: either it is created and
    the device serves, or the device refuses to start with a non-zero exit."""
    import subprocess

    state = tmp_path / "new" / "state"
    proc = subprocess.Popen(
        [sim_binary, "--udp", f"{unique_loopback()}:{SMP_PORT}", "--state", str(state)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        line = proc.stdout.readline()
        if line:
            assert line.startswith((b"udp: ", b"serial: ")), line
            assert state.is_dir()
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(10) == 0
        else:
            assert proc.wait(10) != 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_bad_command_line_fails(sim_binary):
    import subprocess

    for args in (["--no-such-flag"], ["--udp", "not-an-address"], ["--netbuf-size", "lots"]):
        proc = subprocess.run([sim_binary, *args], stdin=subprocess.DEVNULL, capture_output=True, timeout=10)
        assert proc.returncode != 0, (args, proc.stdout, proc.stderr)
        assert b"udp: " not in proc.stdout
