"""A UDP port that is taken, on native_sim (tests/zephyr/run-e2e).

    python udp_retry_check.py ZEPHYR_EXE PORT WORKDIR

Takes UDP PORT on every address, starts ZEPHYR_EXE (built for that port) in WORKDIR, and
checks what docs/zephyr.md ("Transports that do not start") promises: the bind failure is an
error in the log, serial is served meanwhile, the `smp_links` statistics group shows UDP down
with the failure counted and its errno, and once the port is free UDP comes up by itself
within the retry interval (RUST_SMP_TRANSPORT_RETRY_MS, read from the build's .config) and
answers.
"""

from __future__ import annotations

import asyncio
import errno
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

from smpclient import SMPClient
from smpclient.requests.os_management import EchoWrite
from smpclient.requests.statistics_management import GroupData
from smpclient.transport.serial import SMPSerialTransport
from smpclient.transport.udp import SMPUDPTransport


def main(exe: str, port: int, workdir: Path) -> None:
    config = (Path(exe).parent / ".config").read_text()
    retry_ms = int(re.search(r"^CONFIG_RUST_SMP_TRANSPORT_RETRY_MS=(\d+)$", config, re.M)[1])
    blocker = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    blocker.bind(("0.0.0.0", port))
    link = workdir / "smp-pty-retry"
    log_path = workdir / "zephyr-udp-retry.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [exe, f"--uart_1_attach_uart_cmd=ln -sfn %s {link}"],
            cwd=workdir,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        check(proc, port, link, log_path, blocker, retry_ms)
    except BaseException:
        print(f"--- zephyr.exe's log:\n{log_path.read_text(errors='replace')}", file=sys.stderr)
        raise
    finally:
        proc.terminate()
        proc.wait(10)
        blocker.close()


def wait_for(what: str, log_path: Path, proc: subprocess.Popen, seconds: float) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        text = log_path.read_text(errors="replace")
        if what in text:
            return text
        assert proc.poll() is None, f"zephyr.exe exited ({proc.returncode}) before {what!r}"
        time.sleep(0.1)
    raise AssertionError(f"no {what!r} in zephyr.exe's log within {seconds} s")


async def links(client: SMPClient) -> dict[str, int]:
    return (await client.request(GroupData(name="smp_links"))).fields


def check(proc, port: int, link: Path, log_path: Path, blocker: socket.socket, retry_ms: int) -> None:
    text = wait_for("rust_smp: ready", log_path, proc, 10)
    line = f"cannot bind UDP port {port} (errno {errno.EADDRINUSE})"
    assert f"<err> rust_smp: {line}" in text, f"no error line {line!r}"
    print(f"with UDP port {port} taken: {line!r} logged, and serial served:")
    for _ in range(50):
        if link.exists():
            break
        time.sleep(0.1)

    async def while_taken() -> None:
        async with SMPClient(SMPSerialTransport(), str(link), 5.0) as client:
            assert (await client.request(EchoWrite(d="serial still"))).r == "serial still"
            fields = await links(client)
        print(f"  smp_links over serial: {fields}")
        assert fields["udp_up"] == 0 and fields["udp_start_errs"] >= 1, fields
        assert fields["udp_errno"] == errno.EADDRINUSE and fields["serial_up"] == 1, fields

    asyncio.run(while_taken())

    blocker.close()
    freed = time.monotonic()
    wait_for(f"rust_smp: UDP on port {port} (after", log_path, proc, retry_ms / 1000 + 5)
    print(f"port freed: UDP up {time.monotonic() - freed:.1f} s later (retry interval {retry_ms} ms)")

    class Udp(SMPUDPTransport):
        """smpclient's UDP transport on `port` (it always connects to 1337)."""

        async def connect(self, address: str, timeout_s: float, _port: int = port) -> None:
            await super().connect(address, timeout_s, _port)

    async def once_free() -> None:
        async with SMPClient(Udp(), "127.0.0.1", 3.0) as client:
            assert (await client.request(EchoWrite(d="udp again"))).r == "udp again"
            fields = await links(client)
        print(f"  smp_links over UDP: {fields}")
        assert fields["udp_up"] == 1 and fields["serial_up"] == 1, fields

    asyncio.run(once_free())


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), Path(sys.argv[3]))
