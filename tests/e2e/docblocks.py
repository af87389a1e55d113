"""The commands of README.md and docs/zephyr.md, read from their fenced blocks and run.

Every fenced block of a command language (sh, bash, shell, console, python, rust) in those
two files carries a marker after its language, which says who runs it (docs/testing.md,
"Commands in the documentation"):

    ```sh example            README: run by tests/e2e/test_readme.py against a virtual device
    ```sh example-device     README: starts the virtual device (in the background)
    ```python example        README: a Python snippet, run the same way
    ```sh ci                 README: the command CI runs (.ci/run runs it)
    ```sh zephyr             run by tests/zephyr/run-docs, from the repository root
    ```sh zephyr-device      run-docs: starts the Zephyr application (in the background)
    ```sh setup              docs/zephyr.md: fetches a west workspace; not run by any test
    ```sh board              docs/zephyr.md: needs the board itself; not run by any test
    ```text output           right after a block that is run: lines its output must contain

Blocks run in document order, each in bash with `set -eo pipefail` (Python blocks with the
`python3` on PATH), with the environment the blocks before them exported. A device block runs
in the background until its output shows the device is ready; it is stopped (SIGINT, as
Ctrl-C) at the next heading of its level or above, at the next device block, or at the end.

    python3 tests/e2e/docblocks.py zephyr docs/zephyr.md [SECTION...]

runs the `zephyr` blocks of a file (what tests/zephyr/run-docs does); SECTION limits the run
to the `##` sections whose titles contain one of the words given.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parents[2]

COMMAND_LANGS = {"sh", "bash", "shell", "console", "python", "rust"}
# Markers each file may use on its command blocks.
MARKERS = {
    "README.md": {"example", "example-device", "ci", "zephyr", "zephyr-device"},
    "docs/zephyr.md": {"zephyr", "zephyr-device", "setup", "board"},
}
RUN_MARKERS = {"example", "example-device", "zephyr", "zephyr-device"}
# The section of docs/zephyr.md that every selection of sections runs first.
ALWAYS = "Prerequisites"

FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>```+|~~~+)(?P<info>[^`]*)$")
HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<title>.*?)\s*#*\s*$")


@dataclass
class Block:
    path: Path
    line: int  # 1-based line of the opening fence
    lang: str
    marker: str
    text: str
    heading: str  # title of the nearest heading above
    level: int  # its level (1 for #, 2 for ##, ...; 0: none)
    section: str  # title of the nearest `##` heading above
    headings: list[tuple[int, str]]  # every heading of the file: (level, title)
    heading_pos: int  # how many of them are above the block
    output: str | None = None  # the `text output` block right after, if any

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(REPO) if self.path.is_relative_to(REPO) else self.path}:{self.line}"

    @property
    def device(self) -> bool:
        return self.marker.endswith("-device")

    def ends_section_of(self, earlier: "Block") -> bool:
        """Whether a heading of `earlier`'s level or above lies between the two blocks."""
        between = self.headings[earlier.heading_pos : self.heading_pos]
        return any(level <= max(earlier.level, 1) for level, _ in between)


def blocks(path: Path) -> list[Block]:
    """Every fenced block of `path`, with its marker and the headings above it; an
    `output` block is attached to the block it follows instead of being listed."""
    lines = path.read_text().splitlines()
    found: list[Block] = []
    headings: list[tuple[int, str]] = []
    heading, level, section = "", 0, ""
    i = 0
    last_end = -10
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            h = HEADING.match(lines[i])
            if h:
                heading, level = h["title"], len(h["hashes"])
                headings.append((level, heading))
                if level <= 2:
                    section = heading
            i += 1
            continue
        fence, words, indent = m["fence"], m["info"].split(), len(m["indent"])
        start = i
        i += 1
        body: list[str] = []
        while i < len(lines) and not lines[i].strip().startswith(fence[0] * len(fence)):
            # A fence indented (in a list item) indents its lines as much: not theirs.
            line = lines[i]
            body.append(line[min(indent, len(line) - len(line.lstrip(" "))) :])
            i += 1
        i += 1  # the closing fence
        lang = words[0] if words else ""
        marker = words[1] if len(words) > 1 else ""
        text = "\n".join(body) + "\n"
        if lang == "text" and marker == "output" and found and all(not s.strip() for s in lines[last_end:start]):
            found[-1].output = text
        else:
            found.append(Block(path, start + 1, lang, marker, text, heading, level, section, headings, len(headings)))
        last_end = i
    return found


def command_blocks(path: Path) -> list[Block]:
    return [b for b in blocks(path) if b.lang in COMMAND_LANGS]


# ---- running ------------------------------------------------------------------------------


class BlockFailed(AssertionError):
    pass


@dataclass
class Device:
    block: Block
    proc: subprocess.Popen
    log_path: Path
    match: re.Match | None = None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@dataclass
class Runner:
    """Runs blocks in order in `cwd`. `transform(block, text)` may rewrite a block's text
    before it runs (the README test's address substitution); `ready` is the pattern a
    device's output must show before the blocks after it run."""

    cwd: Path
    ready: str | Callable[[str], re.Match | None]
    env: dict[str, str] = field(default_factory=lambda: dict(os.environ))
    transform: Callable[[Block, str, "Runner"], str] | None = None
    block_timeout: float = 1800.0
    ready_timeout: float = 60.0
    echo: bool = False
    device: Device | None = None
    scratch: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="docblocks.")))
    _n: int = 0

    def __post_init__(self) -> None:
        self._env_file = self.scratch / "env.sh"
        self._env_file.write_text("")

    def _say(self, text: str) -> None:
        if self.echo:
            print(text, flush=True)

    def run_all(self, todo: list[Block], before_stop: Callable[["Runner"], None] | None = None) -> None:
        """Runs `todo` in order; `before_stop` runs after the last block, while its device
        (if one is still running) still runs."""
        try:
            for block in todo:
                if self.device and (block.device or block.ends_section_of(self.device.block)):
                    self.stop_device()
                self.run(block)
            if before_stop:
                before_stop(self)
        finally:
            self.stop_device()

    def _script(self, block: Block) -> tuple[Path, str]:
        text = self.transform(block, block.text, self) if self.transform else block.text
        self._n += 1
        script = self.scratch / f"block{self._n}.{'py' if block.lang == 'python' else 'sh'}"
        script.write_text(text)
        return script, text

    def run(self, block: Block) -> str:
        script, text = self._script(block)
        self._say(f"\n==> {block.where} ({block.lang} {block.marker})\n{text.rstrip()}")
        if block.device:
            self.start_device(block, script)
            return ""
        env_out = self.scratch / "env.out"
        # A shell block runs in a bash that first takes the environment the earlier
        # blocks exported and at its end exports its own for the next block.
        if block.lang == "python":
            cmd = f'. "{self._env_file}"; exec python3 "{script}"'
        else:
            cmd = f'. "{self._env_file}"; set -eo pipefail; . "{script}"; export -p > "{env_out}"'
        started = time.monotonic()
        proc = subprocess.run(
            ["bash", "-c", cmd],
            cwd=self.cwd,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            timeout=self.block_timeout,
        )
        out = proc.stdout.decode(errors="replace")
        self._say(out.rstrip())
        self._say(f"--- exit {proc.returncode} after {time.monotonic() - started:.0f} s")
        if proc.returncode != 0:
            raise BlockFailed(self._failure(block, text, f"exit status {proc.returncode}", out))
        if env_out.exists():
            env_out.replace(self._env_file)
        if block.output is not None:
            missing = [line.strip() for line in block.output.splitlines() if line.strip() and line.strip() not in out]
            if missing:
                raise BlockFailed(self._failure(block, text, f"output lacks {missing!r}", out))
        if self.device and self.device.proc.poll() is not None:
            raise BlockFailed(self._failure(self.device.block, "", "the device exited", self.device.log()))
        return out

    def start_device(self, block: Block, script: Path) -> None:
        log_path = self.scratch / f"device{self._n}.log"
        log = open(log_path, "wb")
        proc = subprocess.Popen(
            ["bash", "-c", f'. "{self._env_file}"; exec bash "{script}"'],
            cwd=self.cwd,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped as a whole
        )
        self.device = Device(block, proc, log_path)
        deadline = time.monotonic() + self.ready_timeout
        while time.monotonic() < deadline:
            text = self.device.log()
            m = self.ready(text) if callable(self.ready) else re.search(self.ready, text)
            if m:
                self.device.match = m
                self._say(self.device.log().rstrip())
                return
            if proc.poll() is not None:
                break
            time.sleep(0.1)
        text = self.device.log()
        self.stop_device()
        why = f"not ready within {self.ready_timeout:.0f} s" if callable(self.ready) else f"no {self.ready!r} in its output"
        raise BlockFailed(self._failure(block, script.read_text(), why, text))

    def stop_device(self) -> None:
        if not self.device:
            return
        proc = self.device.proc
        for sig, wait in ((signal.SIGINT, 10), (signal.SIGKILL, 5)):
            if proc.poll() is not None:
                break
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                proc.wait(wait)
            except subprocess.TimeoutExpired:
                pass
        self._say(f"--- device of {self.device.block.where} stopped; its output:\n{self.device.log().rstrip()}")
        self.device = None

    def _failure(self, block: Block, text: str, why: str, out: str) -> str:
        device = ""
        if self.device and self.device.block is not block:
            device = f"\n--- output of the device ({self.device.block.where}):\n{self.device.log()[-4000:]}"
        return f"{block.where}: {why}\n--- block:\n{text}--- output:\n{out[-6000:]}{device}"


def zephyr_ready(log: str) -> re.Match | None:
    """The application is ready, and its UDP transport (if it has one) is up: while the
    host's port is taken, it retries every few seconds (docs/zephyr.md, "Transports that do
    not start"), and the blocks after it would talk to whatever holds the port."""
    ready = re.search(r"rust_smp: ready", log)
    if ready and "rust_smp: cannot bind UDP port" in log and "rust_smp: UDP on port" not in log:
        return None
    return ready


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] != "zephyr":
        print(__doc__, file=sys.stderr)
        return 2
    path = (REPO / argv[1]).resolve()
    sections = [s.lower() for s in argv[2:]]

    def chosen(b: Block) -> bool:
        # The prerequisites always run: the sections after them rely on their exports.
        if not sections or b.section in ("", ALWAYS):
            return True
        return any(s in b.section.lower() for s in sections)

    todo = [b for b in command_blocks(path) if b.marker in ("zephyr", "zephyr-device") and chosen(b)]
    runner = Runner(cwd=REPO, ready=zephyr_ready, ready_timeout=900, echo=True)
    started = time.monotonic()
    try:
        runner.run_all(todo)
    except BlockFailed as e:
        print(f"\n{path.relative_to(REPO)}: FAILED: {e}", file=sys.stderr)
        return 1
    print(f"\n{path.relative_to(REPO)}: {len(todo)} blocks ran as written, in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
