"""Fixtures that run the virtual device (`smp-sim`) for the end-to-end tests.

Each test gets its own device process with a fresh `--state` directory, its own
loopback address 127.X.Y.Z:1337 (smpmgr's `--ip` always uses port 1337, and Linux
routes all of 127/8 to loopback) and its own serial PTY.

External device: with `SMP_TARGET=udp:HOST:PORT,serial:PATH` (either or both)
the tests talk to a device they did not start (the Zephyr application on
native_sim, a board) instead of starting smp-sim. Variants for a transport the
target lacks are skipped, and so are tests that need the virtual device itself (its command
line options, process, state directory, its own shell commands and
settings; `@pytest.mark.sim_only(reason)`) or a factory-fresh device
(`@pytest.mark.fresh_device`). Optional: `SMP_TARGET_PID` (the device's
process, for the tests' "still alive" checks), `SMP_TARGET_LOG` (a log file
shown on failures), `SMP_TARGET_NETBUF=SIZExCOUNT` (the buffer geometry the
device should report), `SMP_TARGET_TIMEOUT=SECONDS` (smpclient's request
timeout, for slow links such as an emulated UART).
"""

from __future__ import annotations

import asyncio
import itertools
import os
import select
import signal
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SMP_PORT = 1337
START_TIMEOUT_S = 15.0
STOP_TIMEOUT_S = 10.0

_addr_counter = itertools.count()


def _parse_target(text: str | None) -> dict[str, object] | None:
    """`udp:HOST:PORT` and/or `serial:PATH`, comma-separated."""
    if not text:
        return None
    target: dict[str, object] = {}
    for part in text.split(","):
        kind, _, rest = part.strip().partition(":")
        if kind == "udp":
            host, _, port = rest.rpartition(":")
            if host and port.isdigit():
                target["udp"] = (host.strip("[]"), int(port))
                continue
        elif kind == "serial" and rest:
            target["serial"] = rest
            continue
        raise pytest.UsageError(f"SMP_TARGET={text!r}: expected udp:HOST:PORT and/or serial:PATH, comma-separated")
    return target


EXTERNAL = _parse_target(os.environ.get("SMP_TARGET"))
CLIENT_TIMEOUT_S = float(os.environ.get("SMP_TARGET_TIMEOUT") or 2.5) if EXTERNAL else 2.5
NEEDS_SIM = "needs the virtual device (smp-sim), not SMP_TARGET"

# The bootloader the virtual device runs: SMP_SIM_BOOTLOADER=mcuboot for the real
# MCUboot (a smp-sim built with the real-mcuboot feature; docs/real-mcuboot.md).
BOOTLOADER = os.environ.get("SMP_SIM_BOOTLOADER") or None
# The real MCUboot's upgrade mode, as tests/run-real-mcuboot built it
# (SMP_SIM_MCUBOOT_MODE); the emulation is swap using move.
MCUBOOT_MODE = (os.environ.get("SMP_SIM_MCUBOOT_MODE") or "swap-move") if BOOTLOADER == "mcuboot" else "swap-move"


def bootloader_args() -> list[str]:
    """smp-sim's options for the bootloader SMP_SIM_BOOTLOADER names."""
    return ["--bootloader", BOOTLOADER] if BOOTLOADER else []


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "fresh_device: needs a device in its power-on state (skipped with SMP_TARGET)"
    )
    config.addinivalue_line(
        "markers", "sim_only(reason): tests what only the virtual device has (skipped with SMP_TARGET)"
    )


def pytest_collection_modifyitems(config, items):
    if EXTERNAL is None:
        return
    for item in items:
        if item.get_closest_marker("fresh_device"):
            item.add_marker(pytest.mark.skip(reason="needs a factory-fresh device, not SMP_TARGET"))
        elif marker := item.get_closest_marker("sim_only"):
            why = marker.args[0] if marker.args else "the virtual device's own behaviour"
            item.add_marker(pytest.mark.skip(reason=f"{NEEDS_SIM}: {why}"))
        elif item.path.name == "test_sim_process.py":
            item.add_marker(pytest.mark.skip(reason=NEEDS_SIM))


def _address_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def unique_loopback(port: int = SMP_PORT) -> str:
    """A loopback address no other test (of this or a parallel pytest process) uses."""
    pid = os.getpid()
    for _ in range(1000):
        n = next(_addr_counter)
        # every byte within 1..254, however many addresses a session takes
        third = ((pid // 240) + n // 250) % 254 + 1
        host = f"127.{10 + pid % 240}.{third}.{n % 250 + 2}"
        if _address_free(host, port):
            return host
    raise RuntimeError("no free loopback address")


@pytest.fixture(scope="session")
def sim_binary() -> str:
    path = os.environ.get("SMP_SIM")
    if path:
        assert os.access(path, os.X_OK), f"SMP_SIM={path} is not an executable"
        return path
    path = REPO / "target" / "debug" / "smp-sim"
    if not path.exists():
        subprocess.run(["cargo", "build", "-p", "smp-sim"], cwd=REPO, check=True)
    return str(path)


class Sim:
    """One running virtual device."""

    def __init__(self, binary: str, state_dir: Path, log_path: Path, args: list[str], udp_count: int):
        self.binary = binary
        self.state_dir = state_dir
        self.log_path = log_path
        self.args = args
        self.udp_count = udp_count
        self.udp: list[tuple[str, int]] = []
        self.serial: str | None = None
        self.stdout_extra: list[bytes] = []
        self.proc: subprocess.Popen | None = None
        self.returncode: int | None = None

    # -- lifecycle -------------------------------------------------------------------

    def start(self) -> "Sim":
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [self.binary, *self.args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self._log,
        )
        fd = self.proc.stdout.fileno()
        buf = b""
        deadline = time.monotonic() + START_TIMEOUT_S
        while len(self.udp) < self.udp_count or self.serial is None:
            left = deadline - time.monotonic()
            if left <= 0:
                self._fail_start(f"timeout: endpoint lines so far {buf!r}, udp={self.udp}, serial={self.serial}")
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                continue
            chunk = os.read(fd, 4096)
            if not chunk:
                self._fail_start(f"stdout closed (exit code {self.proc.poll()}); got {buf!r}")
            buf += chunk
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                self._endpoint_line(line.decode(errors="replace").strip())
        if buf:
            self.stdout_extra.append(buf)
        # Keep draining stdout so a chatty device never blocks on a full pipe.
        threading.Thread(target=self._drain, args=(fd,), daemon=True).start()
        return self

    def _endpoint_line(self, line: str) -> None:
        if line.startswith("udp: "):
            host, _, port = line[5:].strip().rpartition(":")
            self.udp.append((host.strip("[]"), int(port)))
        elif line.startswith("serial: "):
            self.serial = line[8:].strip()
        else:
            self.stdout_extra.append(line.encode())

    def _drain(self, fd: int) -> None:
        try:
            while chunk := os.read(fd, 4096):
                self.stdout_extra.append(chunk)
        except OSError:
            pass

    def _fail_start(self, why: str) -> None:
        self.kill()
        pytest.fail(f"smp-sim did not come up ({why})\nargs: {self.args}\nstderr:\n{self.log_text()}")

    def signal(self, sig: int = signal.SIGTERM) -> int:
        """Sends `sig` and waits for the exit; returns the exit code."""
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            self.returncode = self.proc.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.kill()
            pytest.fail(f"smp-sim did not exit within {STOP_TIMEOUT_S}s of signal {sig}\n{self.log_text()}")
        self._log.close()
        return self.returncode

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-8000:]
        except OSError:
            return ""

    # -- endpoints -------------------------------------------------------------------

    @property
    def host(self) -> str:
        """The first UDP endpoint's address (the one smpclient/smpmgr `--ip` talk to)."""
        return self.udp[0][0]

    @property
    def udp_addr(self) -> tuple[str, int]:
        return self.udp[0]

    @property
    def pty(self) -> str:
        assert self.serial is not None
        return self.serial


class ExternalDevice:
    """The device named by SMP_TARGET: started and stopped by someone else."""

    def __init__(self, target: dict[str, object]):
        self.udp = [target["udp"]] if "udp" in target else []
        self.serial = target.get("serial")
        self.returncode = None
        pid = os.environ.get("SMP_TARGET_PID")
        self.pid = int(pid) if pid else None
        self.log_path = os.environ.get("SMP_TARGET_LOG")

    def alive(self) -> bool:
        if self.pid is None:
            return True
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        return True

    def log_text(self) -> str:
        if not self.log_path:
            return ""
        try:
            return Path(self.log_path).read_text(errors="replace")[-8000:]
        except OSError:
            return ""

    @property
    def host(self) -> str:
        return self.udp_addr[0]

    @property
    def udp_addr(self) -> tuple[str, int]:
        if not self.udp:
            pytest.skip("SMP_TARGET has no UDP link")
        return self.udp[0]

    @property
    def pty(self) -> str:
        if self.serial is None:
            pytest.skip("SMP_TARGET has no serial link")
        return self.serial


def on_sim(device) -> bool:
    """Whether the device is a virtual device this test started (its state
    directory can be looked at), not SMP_TARGET."""
    return isinstance(device, Sim)


def text_lines(text: str) -> str:
    """Shell output with `\n` line ends: Zephyr's shell writes `\r\n` (its dummy
    backend maps LF to CRLF like a terminal), the virtual device `\n`."""
    return text.replace("\r\n", "\n")


@pytest.fixture
def start_sim(request, tmp_path):
    """Factory: `start_sim(netbuf_size=..., netbuf_count=..., udp=[...], pty_link=..., extra=[...])`.

    Every device started is stopped with SIGTERM at teardown, which must give exit code 0.
    With SMP_TARGET, `start_sim()` without arguments is the external device and any
    argument skips the test, except `extra` options the target was built to behave as
    (SMP_TARGET_OPTIONS, e.g. `--read-only` for a Zephyr build with
    RUST_SMP_ACCESS_POLICY_READ_ONLY).
    """
    if EXTERNAL is not None:
        target_options = set(os.environ.get("SMP_TARGET_OPTIONS", "").split())

        def external(**kwargs) -> ExternalDevice:
            if kwargs.get("extra") and set(kwargs["extra"]) <= target_options:
                kwargs = {k: v for k, v in kwargs.items() if k != "extra"}
            if any(v is not None for v in kwargs.values()):
                pytest.skip(f"{NEEDS_SIM}: starts it with {sorted(k for k, v in kwargs.items() if v is not None)}")
            return ExternalDevice(EXTERNAL)

        yield external
        return

    sim_binary = request.getfixturevalue("sim_binary")
    sims: list[Sim] = []

    def start(
        netbuf_size: int | None = None,
        netbuf_count: int | None = None,
        udp: list[str] | None = None,
        pty_link: str | Path | None = None,
        state_dir: Path | None = None,
        extra: list[str] | None = None,
    ) -> Sim:
        if udp is None:
            udp = [f"{unique_loopback()}:{SMP_PORT}"]
        if state_dir is None:
            state_dir = Path(tempfile.mkdtemp(prefix="state-", dir=tmp_path))
        args: list[str] = []
        for addr in udp:
            args += ["--udp", addr]
        args += ["--state", str(state_dir)]
        if pty_link is not None:
            args += ["--pty-link", str(pty_link)]
        if netbuf_size is not None:
            args += ["--netbuf-size", str(netbuf_size)]
        if netbuf_count is not None:
            args += ["--netbuf-count", str(netbuf_count)]
        extra = extra or []
        if BOOTLOADER == "mcuboot" and "--boot-key" in extra:
            pytest.skip("SMP_SIM_BOOTLOADER=mcuboot: its build checks no signatures")
        args += bootloader_args() + extra
        sim = Sim(sim_binary, state_dir, tmp_path / f"sim-{len(sims)}.log", args, len(udp))
        sims.append(sim)
        return sim.start()

    yield start

    failures = []
    for sim in sims:
        if sim.returncode is not None:
            continue  # the test stopped it itself
        if not sim.alive():
            failures.append(f"smp-sim died during the test (exit {sim.proc.returncode})\n{sim.log_text()}")
            continue
        rc = sim.signal(signal.SIGTERM)
        if rc != 0:
            failures.append(f"smp-sim exited with {rc} on SIGTERM\n{sim.log_text()}")
    if failures:
        pytest.fail("\n\n".join(failures))


@pytest.fixture
def sim(start_sim) -> Sim:
    """A device with default settings."""
    return start_sim()


@pytest.fixture(params=["udp", "serial"])
def transport(request) -> str:
    if EXTERNAL is not None and request.param not in EXTERNAL:
        pytest.skip(f"SMP_TARGET has no {request.param} link")
    return request.param


def udp_port(sim) -> int:
    return sim.udp_addr[1]


def smp_udp_transport(sim, **kwargs):
    """smpclient's UDP transport aimed at the device's port (smpclient itself
    always connects to 1337). For SMP_TARGET, its datagrams fit the device's
    buffer (SMP_TARGET_NETBUF): smpclient sizes UDP requests from the MTU (1500)
    alone, not from the buf_size the device reports, and a device drops a
    datagram larger than its buffer (Zephyr's default: 384 bytes)."""
    from smpclient.transport.udp import IPV4_UDP_OVERHEAD, IPV6_UDP_OVERHEAD, SMPUDPTransport

    port = udp_port(sim)
    netbuf = os.environ.get("SMP_TARGET_NETBUF")
    if "mtu" not in kwargs and netbuf and not on_sim(sim):
        overhead = IPV6_UDP_OVERHEAD if ":" in sim.host else IPV4_UDP_OVERHEAD
        kwargs["mtu"] = min(1500, int(netbuf.split("x")[0]) + overhead)

    class Transport(SMPUDPTransport):
        async def connect(self, address: str, timeout_s: float, port: int = port) -> None:
            await super().connect(address, timeout_s, port)

    return Transport(**kwargs)


def run(coro):
    """Runs one coroutine to completion (the tests are synchronous pytest functions)."""
    return asyncio.run(coro)


# --------------------------------------------------------------------------------------
# MCUboot images (tests/e2e/images.py): keys generated by `imgtool keygen` once per session,
# images signed by `imgtool sign` on demand and kept for the session.


@pytest.fixture(scope="session")
def image_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("images")


@pytest.fixture(scope="session")
def signing_key(image_dir):
    import images

    return images.keygen(image_dir, "boot-key")


@pytest.fixture(scope="session")
def other_key(image_dir):
    """A second key: images signed with it must be refused by a device holding `signing_key`."""
    import images

    return images.keygen(image_dir, "other-key")


@pytest.fixture(scope="session")
def make_image(image_dir, signing_key):
    """`make_image(version, body_size=..., signed=True, seed=..., key=...)` -> images.Image.

    The body is random bytes from `seed` (same arguments, same image within a session)."""
    import images

    cache: dict = {}

    def make(version: str, body_size: int = 16 * 1024, signed: bool = True, seed: int = 1, key=None):
        key = key or (signing_key if signed else None)
        name = f"app-{version}-{body_size}-{seed}-{key.private.stem if key else 'unsigned'}"
        if name not in cache:
            cache[name] = images.sign(image_dir, version, body_size, key=key, seed=seed, name=name)
        return cache[name]

    return make
