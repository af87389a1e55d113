"""The native_sim firmware's own flash, booted by the real MCUboot (tests/zephyr/run-mcuboot-flash).

    python mcuboot_flash_check.py ZEPHYR_EXE PORT WORKDIR SMP_SIM

native_sim has no bootloader: its flash simulator keeps the flash in WORKDIR/flash.bin.
The file starts as a board's flash does after programming: an image (1.0.0) in slot 0,
the rest erased. This uploads an image to the firmware over UDP and marks it for test, stops the firmware,
and boots that file with MCUboot's own bootutil (`smp-sim --mcuboot-boot-file`, native_sim's
slots): MCUboot must swap the image in as a test. The firmware, started again on the same
file, must then report what MCUboot left: the new image running from slot 0, not
confirmed. It confirms it; the next MCUboot boot must keep it (no revert).
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import struct
import subprocess
import sys
import time
from pathlib import Path

from smpclient import SMPClient
from smpclient.requests.image_management import ImageStatesRead, ImageStatesWrite
from smpclient.requests.os_management import EchoWrite
from smpclient.transport.udp import IPV4_UDP_OVERHEAD, SMPUDPTransport


# native_sim's flash (its devicetree): 2 MiB, slot0_partition at 0xc000.
FLASH_SIZE = 2 * 1024 * 1024
SLOT0 = 0xC000


def image(version: tuple[int, int, int], body_len: int = 40_000) -> tuple[bytes, bytes]:
    """An unsigned MCUboot image (0x200-byte header, body, SHA-256 TLV) and its hash."""
    header = struct.pack("<IIHHIIBBHI", 0x96F3B83D, 0, 0x200, 0, body_len, 0, *version, 0)
    data = header.ljust(0x200, b"\0") + bytes((i * 7) & 0xFF for i in range(body_len))
    digest = hashlib.sha256(data).digest()
    return data + struct.pack("<HHHH", 0x6907, 40, 0x10, 32) + digest, digest


async def client(port: int, netbuf: int) -> SMPClient:
    class Transport(SMPUDPTransport):
        async def connect(self, address: str, timeout_s: float, port: int = port) -> None:
            await super().connect(address, timeout_s, port)

    # Frames no larger than the firmware's buffers.
    c = SMPClient(Transport(mtu=netbuf + IPV4_UDP_OVERHEAD), "127.0.0.1")
    end = time.monotonic() + 10
    await c.connect()
    while True:
        try:
            rsp = await c.request(EchoWrite(d="up"), timeout_s=0.5)
            if getattr(rsp, "r", None) == "up":
                return c
        except Exception:
            pass
        if time.monotonic() > end:
            raise SystemExit("the firmware does not answer over UDP")
        await asyncio.sleep(0.2)


async def states(c: SMPClient) -> dict[int, object]:
    rsp = await c.request(ImageStatesRead(), timeout_s=3)
    return {s.slot: s for s in rsp.images}


def start(exe: str, workdir: Path, log: Path) -> subprocess.Popen:
    return subprocess.Popen([exe], cwd=workdir, stdin=subprocess.DEVNULL, stdout=log.open("ab"), stderr=subprocess.STDOUT)


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    proc.wait(timeout=10)


def mcuboot(smp_sim: str, flash: Path) -> str:
    """One real MCUboot boot of the file: its log line."""
    out = subprocess.run(
        [smp_sim, "--mcuboot-boot-file", str(flash)], capture_output=True, text=True, timeout=60
    )
    line = next((l for l in out.stderr.splitlines() if "mcuboot: " in l and "booting" in l), "")
    print(f"MCUboot: {line.split('] ', 1)[-1] if line else out.stderr.strip()}")
    if out.returncode != 0:
        raise SystemExit(f"smp-sim --mcuboot-boot-file failed:\n{out.stderr}")
    return line


async def check(exe: str, port: int, workdir: Path, smp_sim: str) -> None:
    flash = workdir / "flash.bin"
    running, running_hash = image((1, 0, 0), body_len=20_000)
    programmed = bytearray(b"\xff" * FLASH_SIZE)
    programmed[SLOT0 : SLOT0 + len(running)] = running
    flash.write_bytes(bytes(programmed))
    log = workdir / "zephyr-mcuboot-flash.log"
    new, new_hash = image((2, 3, 4))
    config = (Path(exe).parent / ".config").read_text()
    netbuf = int(re.search(r"^CONFIG_RUST_SMP_TRANSPORT_NETBUF_SIZE=(\d+)$", config, re.M)[1])

    proc = start(exe, workdir, log)
    try:
        c = await client(port, netbuf)
        s = await states(c)
        assert s[0].hash == running_hash and s[0].active and s[0].confirmed, s
        async for _ in c.upload(new, first_timeout_s=10.0):
            pass
        rsp = await c.request(ImageStatesWrite(hash=new_hash, confirm=False), timeout_s=3)
        pending = {s.slot: s for s in rsp.images}
        assert pending[1].pending and not pending[1].permanent, pending
        await c.disconnect()
    finally:
        stop(proc)

    line = mcuboot(smp_sim, flash)
    assert re.search(r"booting slot 0 version 2\.3\.4 \(swap type Test", line), line

    proc = start(exe, workdir, log)
    try:
        c = await client(port, netbuf)
        s = await states(c)
        assert s[0].version == "2.3.4" and s[0].hash == new_hash, s
        assert s[0].active and not s[0].confirmed, s
        assert s[1].hash == running_hash and s[1].confirmed, s
        print(f"firmware after MCUboot's test swap: slot 0 {s[0].version} active, not confirmed")
        await c.request(ImageStatesWrite(confirm=True), timeout_s=3)
        s = await states(c)
        assert s[0].confirmed, s
        await c.disconnect()
    finally:
        stop(proc)

    line = mcuboot(smp_sim, flash)
    assert re.search(r"booting slot 0 version 2\.3\.4 \(swap type None", line), line
    print("confirmed image kept by MCUboot's next boot")


def main() -> None:
    exe, port = str(Path(sys.argv[1]).resolve()), int(sys.argv[2])
    workdir, smp_sim = Path(sys.argv[3]).resolve(), str(Path(sys.argv[4]).resolve())
    try:
        asyncio.run(check(exe, port, workdir, smp_sim))
    except BaseException:
        log = workdir / "zephyr-mcuboot-flash.log"
        if log.exists():
            print(f"--- zephyr.exe's log:\n{log.read_text(errors='replace')}", file=sys.stderr)
        raise


if __name__ == "__main__":
    main()
