"""The README's commands, run as a reader runs them (docs/testing.md, "Commands in the
documentation").

Every `sh example`, `sh example-device` and `python example` block of README.md runs, in
order, in a fresh directory inside the clone (so that `cargo run -p smp-sim` finds the
workspace), with the `.venv` that has the clients first on PATH and a fresh state directory
for the device (`XDG_STATE_HOME`). Each block must exit 0, and print the lines of the
`text output` block that follows it. Three rewrites, and only these, make the run
independent of what else runs on the machine: `127.0.0.1` becomes a loopback address of the
test's own (all of 127/8 reaches loopback), the device command gets `--udp` with that address,
and `/dev/pts/N` becomes the pseudo-terminal the device printed.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

from conftest import REPO, SMP_PORT, unique_loopback
from docblocks import Block, Runner, command_blocks

README = REPO / "README.md"


def examples() -> list[Block]:
    return [b for b in command_blocks(README) if b.marker in ("example", "example-device")]


def rewrite(host: str):
    def transform(block: Block, text: str, runner: Runner) -> str:
        text = text.replace("127.0.0.1", host)
        if block.device:
            udp = f"--udp {host}:{SMP_PORT}"
            text = re.sub(
                r"^(cargo run -p smp-sim)(?: -- (.*))?$",
                lambda m: f"{m[1]} -- {udp}" + (f" {m[2]}" if m[2] else ""),
                text,
                flags=re.M,
            )
        elif runner.device and runner.device.match:
            text = re.sub(r"/dev/pts/\d+", runner.device.match[1], text)
        return text

    return transform


def image_states(host: str) -> dict[int, object]:
    from smpclient import SMPClient
    from smpclient.requests.image_management import ImageStatesRead
    from smpclient.transport.udp import SMPUDPTransport

    async def go():
        async with SMPClient(SMPUDPTransport(), host, 3.0) as client:
            return {s.slot: s for s in (await client.request(ImageStatesRead())).images}

    return asyncio.run(go())


@pytest.mark.sim_only("runs the README's commands, which start the virtual device")
@pytest.mark.timeout(600)
def test_readme_examples_run_against_the_virtual_device():
    todo = examples()
    assert [b.marker for b in todo].count("example-device") >= 1, "the README starts no device"
    host = unique_loopback()
    scratch = REPO / "target"
    scratch.mkdir(exist_ok=True)
    cwd = Path(tempfile.mkdtemp(prefix="readme-examples.", dir=scratch))
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["XDG_STATE_HOME"] = str(cwd / "state")
    runner = Runner(cwd=cwd, env=env, ready=r"serial: (/dev/pts/\d+)", transform=rewrite(host), block_timeout=300)

    def upgraded(_runner: Runner) -> None:
        # What the image section promises: 1.2.3 booted from slot 0 and confirmed, the
        # device's first image kept in slot 1.
        states = image_states(host)
        assert states[0].version == "1.2.3" and states[0].active and states[0].confirmed, states
        assert states[1].version != "1.2.3" and not states[1].pending, states

    runner.run_all(todo, before_stop=upgraded)
    shutil.rmtree(cwd)  # kept when the run failed, for a look at what it left
    shutil.rmtree(runner.scratch)
