"""The core's hooks, through the virtual device's `--example-hooks` (its use of every
hook, as an application would), driven by smpclient.

What the example hooks do is listed in `smp-sim --help` and docs/virtual-device.md; the
log lines they write (`hook: ...`) are how these tests see events that answer nothing.
The access policy hook (`--read-only`) is tested in test_groups_smpclient.py.
"""

from __future__ import annotations

import asyncio
import time

from smpclient.requests.file_management import FileStatus, FileUpload
from smpclient.requests.image_management import ImageErase, ImageUploadWrite
from smpclient.requests.os_management import EchoWrite, OSApplicationInfoRead, ResetWrite
from smpclient.requests.settings_management import ReadSetting, WriteSetting

import images
from conftest import run
from test_smpclient import assert_err_v2, assert_ok, assert_rc, make_client

IMAGE = 1
HOOKS = ["--example-hooks"]


def log_lines(sim, prefix: str) -> list[str]:
    """The `hook: ...` lines of the device's log that start with `prefix`, in order."""
    out = []
    for line in sim.log_text().splitlines():
        at = line.find("hook: ")
        if at >= 0 and line[at + len("hook: ") :].startswith(prefix):
            out.append(line[at + len("hook: ") :])
    return out


def wait_for_log(sim, prefix: str, timeout_s: float = 3.0) -> list[str]:
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        lines = log_lines(sim, prefix)
        if lines:
            return lines
        time.sleep(0.05)
    raise AssertionError(f"no 'hook: {prefix}' line in the log:\n{sim.log_text()}")


def test_every_command_done_is_reported(start_sim):
    sim = start_sim(extra=HOOKS)

    async def go():
        async with make_client(sim, "udp") as c:
            assert_ok(await c.request(EchoWrite(d="hi")))
            assert_err_v2(await c.request(ReadSetting(name="nothing")), 3, 3)

    run(go())
    done = wait_for_log(sim, "command done")
    assert done[-2:] == [
        "command done: group 0 id 0 Write over Udp: ok",
        "command done: group 3 id 0 Read over Udp: error",
    ]


def test_an_upload_reports_started_chunks_and_pending_then_confirmed(start_sim, make_image):
    sim = start_sim(extra=HOOKS)
    image = make_image("1.2.3", body_size=4000)

    async def go():
        async with make_client(sim, "udp") as c:
            await images.upload(c, image)
            await images.mark(c, image)
            await images.reset(c)  # the emulated MCUboot swaps it into slot 0
            await images.confirm_running(c)

    run(go())
    steps = wait_for_log(sim, "dfu")
    assert steps[0] == f"dfu started: image 0 slot 1 size {len(image.data)}"
    chunks = [s for s in steps if s.startswith("dfu chunk")]
    assert len(chunks) >= 1
    assert sum(int(s.rsplit(" ", 1)[1]) for s in chunks) == len(image.data)
    assert [s for s in steps if not s.startswith(("dfu started", "dfu chunk"))] == [
        "dfu pending: image 0 slot 1",
        "dfu pending: image 0 slot 1",
        "dfu confirmed: image 0 slot 0",
    ]


def test_erasing_an_unfinished_upload_reports_stopped(start_sim, make_image):
    sim = start_sim(extra=HOOKS)
    image = make_image("1.2.3", body_size=16 * 1024)

    async def go():
        async with make_client(sim, "udp") as c:
            await images.upload(c, image, stop_after=1)
            assert_ok(await c.request(ImageErase(slot=1)))

    run(go())
    assert wait_for_log(sim, "dfu stopped") == ["dfu stopped: image 0 slot 1"]


def test_the_upload_check_refuses_version_99(start_sim, make_image):
    sim = start_sim(extra=HOOKS)
    image = make_image("99.0.0", body_size=2000)

    async def go():
        async with make_client(sim, "udp") as c:
            first = ImageUploadWrite(off=0, data=image.data[:512], len=len(image.data), image=0)
            assert_err_v2(await c.request(first), IMAGE, 22)
            # nothing started: the next chunk finds no upload in progress
            rest = ImageUploadWrite(off=512, data=image.data[512:1024])
            assert assert_ok(await c.request(rest)).off == 0

    run(go())
    assert log_lines(sim, "upload of version 99 refused")
    assert not log_lines(sim, "dfu started")


def test_a_reset_during_an_unfinished_upload_is_vetoed(start_sim, make_image):
    sim = start_sim(extra=HOOKS)
    image = make_image("1.2.3", body_size=16 * 1024)

    async def go():
        async with make_client(sim, "udp") as c:
            await images.upload(c, image, stop_after=1)
            assert_rc(await c.request(ResetWrite()), 6)
            await asyncio.sleep(0.5)
            # no reset happened: the device answers, and the upload goes on
            assert_ok(await c.request(EchoWrite(d="still up")))
            assert await images.upload(c, image) == len(image.data)
            await images.reset(c)  # complete: allowed

    run(go())
    assert log_lines(sim, "reset refused: an upload is unfinished")
    assert sim.log_text().count("reset requested") == 1


def test_a_reset_is_delayed_by_the_hook(start_sim):
    sim = start_sim(extra=HOOKS)

    async def go():
        async with make_client(sim, "udp") as c:
            await images.reset(c)

    run(go())
    assert log_lines(sim, "reset delayed by 100 ms")
    assert "virtual device rebooted" in sim.log_text()


def test_os_info_answers_the_applications_letter(start_sim):
    sim = start_sim(extra=HOOKS)

    async def go():
        async with make_client(sim, "udp") as c:
            rsp = assert_ok(await c.request(OSApplicationInfoRead(format="sx")))
            assert rsp.output.split(" ")[-1] == "example-hooks"
            assert_err_v2(await c.request(OSApplicationInfoRead(format="y")), 0, 2)

    run(go())


def test_fs_refuses_private_files_and_serves_the_alias(start_sim):
    sim = start_sim(extra=HOOKS)

    async def go():
        async with make_client(sim, "udp") as c:
            private = FileUpload(off=0, name="/lfs/private/key", data=b"k", len=1)
            assert_rc(await c.request(private), 11)
            assert_ok(await c.request(FileUpload(off=0, name="/lfs/notes", data=b"hello", len=5)))
            assert assert_ok(await c.request(FileStatus(name="/alias/notes"))).len == 5

    run(go())
    assert not (sim.state_dir / "fs" / "lfs" / "private").exists()


def test_settings_refuses_secret_keys(start_sim):
    sim = start_sim(extra=HOOKS)

    async def go():
        async with make_client(sim, "udp") as c:
            assert_rc(await c.request(WriteSetting(name="secret/pin", val=b"1234")), 11)
            assert_ok(await c.request(WriteSetting(name="open/pin", val=b"1234")))
            assert_rc(await c.request(ReadSetting(name="secret/pin")), 11)

    run(go())


def test_without_the_option_no_hook_acts(start_sim):
    sim = start_sim()

    async def go():
        async with make_client(sim, "udp") as c:
            assert_err_v2(await c.request(OSApplicationInfoRead(format="x")), 0, 2)
            assert_ok(await c.request(WriteSetting(name="secret/pin", val=b"1234")))

    run(go())
    assert not log_lines(sim, "")
