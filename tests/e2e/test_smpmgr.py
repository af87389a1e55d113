"""The device driven by the `smpmgr` command line, as a user would (subprocesses).

smpmgr 0.19.1 offers, for the groups the device has: `os echo`, `os reset`,
`enum get-supported-groups` and `enum get-group-details`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def smpmgr_exe() -> str:
    here = Path(sys.executable).parent / "smpmgr"
    if here.exists():
        return str(here)
    found = shutil.which("smpmgr")
    assert found, "smpmgr is not installed (pip install -r tests/e2e/requirements.txt)"
    return found


def smpmgr(sim, transport: str, *args: str, timeout: float = 30.0, smp_timeout: float = 3.0) -> subprocess.CompletedProcess:
    if transport == "udp" and getattr(sim, "udp", None) and sim.udp_addr[1] != 1337:
        pytest.skip("smpmgr's --ip always uses port 1337")
    where = ["--ip", sim.host] if transport == "udp" else ["--port", sim.pty]
    env = {**os.environ, "COLUMNS": "500", "NO_COLOR": "1", "TERM": "dumb"}
    proc = subprocess.run(
        [smpmgr_exe(), "--timeout", str(smp_timeout), *where, *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=timeout,
        env=env,
    )
    proc.stdout = ANSI.sub("", proc.stdout.decode(errors="replace"))
    proc.stderr = ANSI.sub("", proc.stderr.decode(errors="replace"))
    return proc


def ok(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 0, f"smpmgr failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def flat(text: str) -> str:
    """Rich may wrap long reprs over lines: join them for matching."""
    return re.sub(r"\s+", " ", text)


def test_version():
    proc = subprocess.run([smpmgr_exe(), "--version"], capture_output=True, text=True, timeout=30)
    assert "0.19.1" in proc.stdout + proc.stderr


def test_echo(sim, transport):
    out = flat(ok(smpmgr(sim, transport, "os", "echo", "hello")))
    assert "EchoWriteResponse" in out, out
    assert "r='hello'" in out, out


def test_echo_spaces(sim, transport):
    out = flat(ok(smpmgr(sim, transport, "os", "echo", "hello smp world")))
    assert "r='hello smp world'" in out, out


def test_reset(sim, transport):
    out = flat(ok(smpmgr(sim, transport, "os", "reset")))
    assert "ResetWriteResponse" in out, out
    assert "rc=" not in out and "err=" not in out, out
    # The device comes back: smpmgr retries are ours to do.
    last = None
    for _ in range(10):
        last = smpmgr(sim, transport, "os", "echo", "after-reset")
        if last.returncode == 0 and "r='after-reset'" in flat(last.stdout):
            break
    else:
        pytest.fail(f"no echo after reset:\n{last.stdout}\n{last.stderr}\n{sim.log_text()}")
    assert sim.alive()


def test_enum_supported_groups(sim, transport):
    out = flat(ok(smpmgr(sim, transport, "enum", "get-supported-groups")))
    assert "ListOfGroupsResponse" in out, out
    m = re.search(r"groups=\(([^)]*)\)", out)
    assert m, out
    groups = [int(g) for g in re.findall(r"\d+", m.group(1))]
    assert 0 in groups and 10 in groups, groups


def test_enum_group_details(sim, transport):
    out = flat(ok(smpmgr(sim, transport, "enum", "get-group-details", "0", "10")))
    assert "GroupDetailsResponse" in out, out
    assert "name='os mgmt'" in out, out
    assert "name='enum mgmt'" in out, out


def test_enum_group_details_one(sim, transport):
    out = flat(ok(smpmgr(sim, transport, "enum", "get-group-details", "10")))
    assert "name='enum mgmt'" in out, out
    assert "os mgmt" not in out, out


def test_no_device_times_out(tmp_path):
    """Sanity check of the harness: smpmgr fails (not hangs) when nobody answers."""
    from conftest import unique_loopback

    class Nobody:
        host = unique_loopback()

    proc = smpmgr(Nobody, "udp", "os", "echo", "x", smp_timeout=0.5)
    assert proc.returncode != 0
