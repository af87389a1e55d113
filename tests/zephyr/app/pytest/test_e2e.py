"""Twister's pytest harness on native_sim: the project's end-to-end suite
(tests/e2e) against the zephyr.exe twister started (the `dut` fixture).

Twister runs this file with its own Python; the e2e suite needs smpclient and
smpmgr (tests/e2e/requirements.txt), so it runs in a pytest subprocess with
the Python named by $PYTHON, else the repository's .venv. It gets the device
through SMP_TARGET: the uart_1 PTY zephyr.exe prints and the UDP port the
build was configured with. tests/zephyr/run-e2e runs a larger subset (reset
included: native_sim reboots by re-executing itself, which gives uart_1 a
new PTY that only run-e2e's symlink follows).
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from twister_harness import DeviceAdapter

REPO = Path(__file__).resolve().parents[4]

# The device is not reset between tests: test_bad_input (which expects the
# clock unset) runs before test_datetime_set_get.
TESTS = [
    "tests/e2e/test_bad_input.py",
    "tests/e2e/test_smpclient.py::test_echo",
    "tests/e2e/test_smpclient.py::test_echo_v1",
    "tests/e2e/test_smpclient.py::test_many_sequential_requests",
    "tests/e2e/test_smpclient.py::test_mcumgr_params_default",
    "tests/e2e/test_smpclient.py::test_os_info",
    "tests/e2e/test_smpclient.py::test_os_info_invalid_letter",
    "tests/e2e/test_smpclient.py::test_datetime_set_get",
    "tests/e2e/test_smpclient.py::test_taskstat",
    "tests/e2e/test_smpclient.py::test_enum",
    "tests/e2e/test_smpclient.py::test_unsupported_group_rc8",
    "tests/e2e/test_smpmgr.py::test_echo",
    "tests/e2e/test_smpmgr.py::test_enum_group_details",
]


def kconfig(build_dir: Path, name: str) -> str | None:
    for line in (build_dir / "zephyr" / ".config").read_text().splitlines():
        if line.startswith(f"CONFIG_{name}="):
            return line.split("=", 1)[1].strip('"')
    return None


def e2e_python() -> str:
    python = os.environ.get("PYTHON") or str(REPO / ".venv" / "bin" / "python")
    probe = subprocess.run([python, "-c", "import smpclient"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"{python} lacks tests/e2e/requirements.txt (set PYTHON to a Python that has them)")
    return python


def test_e2e_suite(dut: DeviceAdapter):
    python = e2e_python()
    lines = dut.readlines_until(regex="rust-smp: ready", timeout=30)
    pty = next(
        (m.group(1) for line in lines if (m := re.search(r"uart_1 connected to pseudotty: (\S+)", line))),
        None,
    )
    assert pty, "no uart_1 PTY in the output:\n" + "\n".join(lines)

    build_dir = Path(dut.device_config.build_dir)
    target = f"serial:{pty}"
    port = kconfig(build_dir, "RUST_SMP_TRANSPORT_UDP_PORT")
    if port:
        target = f"udp:127.0.0.1:{port},{target}"
    env = {
        **os.environ,
        "SMP_TARGET": target,
        "SMP_TARGET_NETBUF": f"{kconfig(build_dir, 'RUST_SMP_TRANSPORT_NETBUF_SIZE')}x"
        f"{kconfig(build_dir, 'RUST_SMP_TRANSPORT_NETBUF_COUNT')}",
    }
    env.pop("PYTHONPATH", None)  # twister's, for its own plugin
    proc = subprocess.run(
        [python, "-m", "pytest", "-q", "-p", "no:cacheprovider", *TESTS],
        cwd=REPO,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=600,
    )
    print(proc.stdout[-4000:])
    assert proc.returncode == 0, f"tests/e2e against {target} failed:\n{proc.stdout[-8000:]}\n{proc.stderr[-2000:]}"
