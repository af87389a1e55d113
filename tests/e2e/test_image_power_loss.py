"""Power loss: kill -9 of the virtual device during an image upload and during the emulated
MCUboot's swap, then a restart on the same `--state` (a power cycle). Afterwards the device
must answer, run a valid image in slot 0 (one of the two images, byte for byte) and never
show a swap half done.

Kill points during the swap come from strace's syscall tampering: the device's flash is one
file written with one pwrite64 per flash operation (crates/smp-sim/src/flash.rs), so
`strace -e inject=pwrite64:error=EIO:signal=KILL:when=N` kills the process at its N-th
flash write or erase, before it happens: a power cut between two flash operations. The swap
of a pending image runs when the process starts, so counting from the start counts the
swap's own operations. Without strace those tests are skipped (scripts/test installs it);
the delay sweep after `os reset` runs regardless.
"""

from __future__ import annotations

import asyncio
import os
import select
import shutil
import signal
import struct
import subprocess
import time
from pathlib import Path

import pytest
from smpclient.requests.image_management import ImageUploadWrite
from smpclient.requests.os_management import ResetWrite

import images
from conftest import MCUBOOT_MODE, SMP_PORT, bootloader_args, run, unique_loopback
from images import flags, hash_of, mark, ok, slots

STRACE = shutil.which("strace")
needs_strace = pytest.mark.skipif(STRACE is None, reason="strace is not installed (scripts/test installs it)")
# The swap campaigns check where swap using move leaves each image; other modes of the
# real MCUboot are cut at every flash operation by hw::mcuboot's own tests instead.
needs_swap_using_move = pytest.mark.skipif(
    MCUBOOT_MODE != "swap-move", reason=f"checks swap using move's slot contents, the MCUboot build is {MCUBOOT_MODE}"
)
KILL_POINTS = 10  # per scenario: keeps the whole suite well within its time budget


def kill9(sim) -> None:
    """kill -9, and tell the fixture the device is meant to be gone."""
    sim.proc.kill()
    sim.returncode = sim.proc.wait()
    sim._log.close()


def stop(sim) -> None:
    assert sim.signal(signal.SIGTERM) == 0, sim.log_text()


def image_len(flash: bytes, slot: int) -> int:
    """Header + body + TLV areas of the image at the start of `slot`."""
    base = images.SLOT0_OFFSET if slot == 0 else images.SLOT1_OFFSET
    magic, _load, hdr, prot, size = struct.unpack_from("<IIHHI", flash, base)
    assert magic == 0x96F3B83D, f"no image in slot {slot}"
    end = base + hdr + size + prot
    tlv_magic, tot = struct.unpack_from("<HH", flash, end)
    assert tlv_magic == 0x6907
    return end + tot - base


def spread(total: int, count: int = KILL_POINTS) -> list[int]:
    """`count` kill points over flash operations 1..total: both ends and evenly between."""
    if total <= count:
        return list(range(1, total + 1))
    points = {1, 2, total - 1, total}
    step = total / (count - len(points) + 1)
    points.update(round(step * i) for i in range(1, count - len(points) + 1))
    return sorted(p for p in points if 1 <= p <= total)


def run_traced(sim_binary: str, state_dir: Path, log: Path, kill_at: int | None, trace: Path | None = None) -> bool:
    """Boots the device under strace; `kill_at`: SIGKILL at that flash operation.
    Returns True if the device was killed, False if it came up (it is then stopped)."""
    args = [STRACE, "-f", "-qq", "-o", str(trace or os.devnull), "-e", "trace=pwrite64"]
    if kill_at is not None:
        args += ["-e", f"inject=pwrite64:error=EIO:signal=KILL:when={kill_at}"]
    args += [sim_binary, "--udp", f"{unique_loopback()}:{SMP_PORT}", "--state", str(state_dir)]
    args += bootloader_args()
    with open(log, "ab") as err:
        proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err)
    out = b""
    deadline = time.monotonic() + 30
    try:
        while b"serial: " not in out:
            ready, _, _ = select.select([proc.stdout], [], [], max(0.0, deadline - time.monotonic()))
            assert ready, f"device under strace neither died nor came up: {out!r}"
            chunk = os.read(proc.stdout.fileno(), 4096)
            if not chunk:
                rc = proc.wait(10)
                assert rc in (-signal.SIGKILL, 128 + signal.SIGKILL), f"device exited with {rc}\n{log.read_text()}"
                return True
            out += chunk
        # Came up: the boot had fewer flash operations than `kill_at`. Stop the device
        # (strace's child, the process we started through it) cleanly; strace follows.
        children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
        assert len(children) == 1, children
        os.kill(int(children[0]), signal.SIGTERM)
        assert proc.wait(10) == 0, log.read_text()
        return False
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()


def count_flash_ops(sim_binary: str, pre: Path, scratch: Path) -> int:
    """Flash operations of one boot from the flash image `pre` (the swap, and the rest)."""
    scratch.mkdir()
    shutil.copy(pre, scratch / images.FLASH_FILE)
    trace = scratch / "trace.txt"
    assert not run_traced(sim_binary, scratch, scratch / "sim.log", None, trace)
    return sum(1 for line in trace.read_text().splitlines() if "pwrite64(" in line)


async def upload_and_test(sim, image) -> None:
    async with images.client(sim, "udp") as c:
        await images.upload(c, image)
        await mark(c, image)


def check_after_test_swap(sim, old: bytes, new, where: str = "") -> None:
    """The test swap is complete: new image in slot 0 running unconfirmed, old in slot 1."""

    async def go():
        async with images.client(sim, "udp") as c:
            await images.wait_answering(c)
            s = await slots(c)
            seen = f"{where}: {images.describe(s)} (new {new.hash[:4].hex()})"
            assert hash_of(s[0]) == new.hash and flags(s[0]) == {"active"}, seen
            assert flags(s[1]) == {"confirmed"}, seen

    run(go())
    flash = images.read_flash(sim.state_dir)
    assert images.slot_bytes(flash, 0, len(new.data)) == new.data, "slot 0 is not the new image"
    assert images.slot_bytes(flash, 1, len(old)) == old, "slot 1 is not the old image"


def check_after_revert(sim, old: bytes, new) -> None:
    """The revert is complete: old image in slot 0 active and confirmed, new in slot 1."""

    async def go():
        async with images.client(sim, "udp") as c:
            await images.wait_answering(c)
            s = await slots(c)
            assert flags(s[0]) == {"active", "confirmed"} and hash_of(s[0]) != new.hash, s
            assert hash_of(s[1]) == new.hash and flags(s[1]) == set(), s

    run(go())
    flash = images.read_flash(sim.state_dir)
    assert images.slot_bytes(flash, 0, len(old)) == old, "slot 0 is not the old image"
    assert images.slot_bytes(flash, 1, len(new.data)) == new.data, "slot 1 is not the new image"


# --------------------------------------------------------------------------------------
# during the swap


@pytest.fixture
def pending_test_swap(start_sim, make_image, tmp_path):
    """A flash image with a new image (128 KiB body) pending for test; the old image (the
    device's own) in slot 0. Returns (flash file, old image bytes, new image)."""
    new = make_image("2.0.0", 128 * 1024, signed=False, seed=31)
    sim = start_sim()
    run(upload_and_test(sim, new))
    stop(sim)  # SIGTERM: no reset, so no swap yet
    pre = tmp_path / "pre-test-swap.bin"
    shutil.copy(sim.state_dir / images.FLASH_FILE, pre)
    flash = pre.read_bytes()
    old = images.slot_bytes(flash, 0, image_len(flash, 0))
    return pre, old, new


@needs_strace
@needs_swap_using_move
def test_kill_during_test_swap(pending_test_swap, start_sim, sim_binary, tmp_path):
    pre, old, new = pending_test_swap
    total = count_flash_ops(sim_binary, pre, tmp_path / "count")
    assert total > 100, f"a swap of 128 KiB should take hundreds of flash operations, not {total}"
    resumed = 0
    for n in spread(total):
        state = tmp_path / f"kill-{n}"
        state.mkdir()
        shutil.copy(pre, state / images.FLASH_FILE)
        killed = run_traced(sim_binary, state, tmp_path / f"kill-{n}.log", n)
        assert killed or n > total - 2, f"the boot did not reach flash operation {n} of {total}"
        sim = start_sim(state_dir=state)  # power back on: the swap resumes
        check_after_test_swap(sim, old, new, f"killed at flash operation {n} of {total}")
        stop(sim)
        resumed += "resumed after a reset" in sim.log_text()
    # The cuts fell inside the swap (the last few operations may be past its journal).
    assert resumed >= len(spread(total)) - 4, f"only {resumed} restarts resumed a swap"


@needs_strace
@needs_swap_using_move
def test_kill_twice_during_test_swap(pending_test_swap, start_sim, sim_binary, tmp_path):
    """A second power cut while the interrupted swap is being resumed."""
    pre, old, new = pending_test_swap
    total = count_flash_ops(sim_binary, pre, tmp_path / "count")
    for first, second in [(total // 3, 5), (total // 2, total // 4), (total - 3, 2)]:
        state = tmp_path / f"kill-{first}-{second}"
        state.mkdir()
        shutil.copy(pre, state / images.FLASH_FILE)
        assert run_traced(sim_binary, state, tmp_path / f"kill-{first}.log", first)
        run_traced(sim_binary, state, tmp_path / f"kill-{first}-{second}.log", second)
        sim = start_sim(state_dir=state)
        check_after_test_swap(sim, old, new)
        stop(sim)


@needs_strace
@needs_swap_using_move
def test_kill_during_revert(pending_test_swap, start_sim, sim_binary, tmp_path):
    """The revert of an unconfirmed test image, cut at many points."""
    pre, old, new = pending_test_swap
    # One boot does the test swap; the next one reverts.
    swapped = tmp_path / "swapped"
    swapped.mkdir()
    shutil.copy(pre, swapped / images.FLASH_FILE)
    sim = start_sim(state_dir=swapped)
    check_after_test_swap(sim, old, new)
    stop(sim)
    pre_revert = tmp_path / "pre-revert.bin"
    shutil.copy(swapped / images.FLASH_FILE, pre_revert)

    total = count_flash_ops(sim_binary, pre_revert, tmp_path / "count")
    assert total > 100, total
    resumed = 0
    for n in spread(total):
        state = tmp_path / f"kill-{n}"
        state.mkdir()
        shutil.copy(pre_revert, state / images.FLASH_FILE)
        run_traced(sim_binary, state, tmp_path / f"kill-{n}.log", n)
        sim = start_sim(state_dir=state)
        check_after_revert(sim, old, new)
        stop(sim)
        resumed += "resumed after a reset" in sim.log_text()
    assert resumed >= len(spread(total)) - 4, f"only {resumed} restarts resumed a revert"


@needs_swap_using_move
def test_kill_at_delays_after_reset(start_sim, make_image):
    """kill -9 at a sweep of delays after `os reset` (the device resets 250 ms after its
    answer and swaps in-process). After the restart, either the test swap is complete (the
    cut came before the swap finished: the restart resumes or starts it, and that boot is
    the test boot), or, when the cut came after the test boot, the restart was a second
    boot without a confirm, so the device reverted. Never anything in between."""
    new = make_image("2.0.0", 128 * 1024, signed=False, seed=31)
    sim = start_sim()
    run(upload_and_test(sim, new))
    flash = images.read_flash(sim.state_dir)
    old = images.slot_bytes(flash, 0, image_len(flash, 0))
    outcomes = []
    for delay_ms in [0, 200, 245, 250, 253, 256, 260, 265, 280, 350]:

        async def reset_and_kill():
            async with images.client(sim, "udp") as c:
                await ok(c, ResetWrite())
                await asyncio.sleep(delay_ms / 1000)
                kill9(sim)

        run(reset_and_kill())
        sim = start_sim(state_dir=sim.state_dir)

        async def check_and_retest():
            async with images.client(sim, "udp") as c:
                await images.wait_answering(c)
                s = await slots(c)
                seen = f"killed {delay_ms} ms after the reset answer: {images.describe(s)}"
                flash = images.read_flash(sim.state_dir)
                if hash_of(s[0]) == new.hash:
                    assert flags(s[0]) == {"active"} and flags(s[1]) == {"confirmed"}, seen
                    assert images.slot_bytes(flash, 0, len(new.data)) == new.data, seen
                    assert images.slot_bytes(flash, 1, len(old)) == old, seen
                    outcomes.append("tested")
                    await images.reset(c)  # revert, for the next round
                    s = await slots(c)
                else:
                    outcomes.append("reverted")
                assert flags(s[0]) == {"active", "confirmed"} and hash_of(s[1]) == new.hash, seen
                assert flags(s[1]) == set(), seen
                flash = images.read_flash(sim.state_dir)
                assert images.slot_bytes(flash, 0, len(old)) == old, seen
                assert images.slot_bytes(flash, 1, len(new.data)) == new.data, seen
                await mark(c, new)

        run(check_and_retest())
    # A cut right after the reset answer always leaves the test boot to the restart.
    assert outcomes[0] == "tested", outcomes


# --------------------------------------------------------------------------------------
# during an upload


def test_kill_during_upload(start_sim, make_image):
    """Kill after the N-th answered chunk, or with a chunk in flight; restart on the same
    state each time. The running image is never touched, the half-written slot 1 is never
    reported as an image, and a full upload afterwards (fresh: the upload state is gone)
    works on that flash and boots."""
    image = make_image("2.0.0", 64 * 1024, signed=False, seed=32)
    sim = start_sim()

    async def own():
        async with images.client(sim, "udp") as c:
            return hash_of((await slots(c))[0])

    old_hash = run(own())
    flash = images.read_flash(sim.state_dir)
    old = images.slot_bytes(flash, 0, image_len(flash, 0))
    chunk = 1024
    last = -(-len(image.data) // chunk)  # chunks in the image
    plan = [(1, False), (2, True), (3, False), (8, True), (17, False), (30, True), (45, False), (last - 1, True), (last, False)]

    for n, in_flight in plan:

        async def partial():
            async with images.client(sim, "udp") as c:
                off = 0
                for i in range(n):
                    extra = {"len": len(image.data), "sha": image.sha} if off == 0 else {}
                    req = ImageUploadWrite(off=off, data=image.data[off : off + chunk], **extra)
                    if in_flight and i == n - 1:
                        await c._transport.send(req.BYTES)  # the request goes out...
                        await asyncio.sleep(0.001)
                        break  # ...and the power goes before the answer
                    rsp = await ok(c, req)
                    assert rsp.off == off + chunk or rsp.off == len(image.data), (i, rsp)
                    off = rsp.off
                kill9(sim)

        run(partial())
        sim = start_sim(state_dir=sim.state_dir)

        async def check():
            async with images.client(sim, "udp") as c:
                await images.wait_answering(c)
                s = await slots(c)
                assert hash_of(s[0]) == old_hash and flags(s[0]) == {"active", "confirmed"}, (n, s)
                if 1 in s:  # only a complete image may be listed
                    assert n == last and hash_of(s[1]) == image.hash, (n, s)
                # The upload state did not survive: a continuation is told off 0.
                rsp = await ok(c, ImageUploadWrite(off=chunk, data=image.data[chunk : 2 * chunk]))
                assert rsp.off == 0, (n, rsp)

        run(check())
        assert images.slot_bytes(images.read_flash(sim.state_dir), 0, len(old)) == old

    async def finish():
        async with images.client(sim, "udp") as c:
            assert await images.upload(c, image) == len(image.data)
            await mark(c, image)
            await images.reset(c)
            s = await slots(c)
            # Overwrite-only never reverts: the copied image is there for good.
            tested = {"active", "confirmed"} if MCUBOOT_MODE == "overwrite-only" else {"active"}
            assert hash_of(s[0]) == image.hash and flags(s[0]) == tested, s

    run(finish())
