"""What the documents promise and a test can check without a device (docs/testing.md,
"Commands in the documentation"): the marks on their command blocks, the README's Zephyr
quick start being docs/zephyr.md's, the README's client versions and imgtool slot size, the
Kconfig table of docs/zephyr.md against Kconfig, and links that stay in the repository.

    python3 tests/e2e/test_docs.py kconfig

prints the first three columns of the Kconfig table as Kconfig gives them.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from docblocks import MARKERS, REPO, command_blocks  # noqa: E402

README = REPO / "README.md"
ZEPHYR_MD = REPO / "docs" / "zephyr.md"
KCONFIG = REPO / "crates" / "smp-zephyr" / "Kconfig"
REQUIREMENTS = REPO / "tests" / "e2e" / "requirements.txt"
TABLE_MARK = "<!-- kconfig-table"


# ---- command blocks -----------------------------------------------------------------------


def test_every_command_block_has_a_mark_its_file_allows():
    for name, allowed in MARKERS.items():
        for b in command_blocks(REPO / name):
            assert b.marker in allowed, f"{b.where}: ```{b.lang} {b.marker}: the mark must be one of {sorted(allowed)}"


def test_the_readme_starts_the_device_before_its_examples():
    marks = [b.marker for b in command_blocks(README) if b.marker.startswith("example")]
    assert marks and marks[0] == "example-device", marks


def test_the_readmes_zephyr_blocks_are_blocks_of_docs_zephyr_md():
    theirs = [(b.marker, b.text, b.output) for b in command_blocks(ZEPHYR_MD)]
    ours = [b for b in command_blocks(README) if b.marker.startswith("zephyr")]
    assert ours, "the README has no Zephyr quick start"
    for b in ours:
        assert (b.marker, b.text, b.output) in theirs, f"{b.where}: not a block of docs/zephyr.md, character for character"


def test_the_readmes_ci_command_is_what_ci_runs():
    (ci,) = [b for b in command_blocks(README) if b.marker == "ci"]
    command = ci.text.strip()
    ci_run = (REPO / ".ci" / "run").read_text()
    assert re.search(rf"(^|\s){re.escape(command)}\s*$", ci_run, re.M), f".ci/run does not run {command!r}"


def pins() -> dict[str, str]:
    out = {}
    for line in REQUIREMENTS.read_text().splitlines():
        m = re.match(r"^([A-Za-z0-9_.-]+)==(\S+)", line)
        if m:
            out[m[1].lower()] = m[2]
    return out


def test_the_readmes_clients_are_the_pinned_versions():
    installs = [
        line
        for b in command_blocks(README)
        for line in b.text.splitlines()
        if re.match(r"^\s*(\S*/)?pip3? install ", line) and "-r " not in line
    ]
    assert installs, "the README installs no client"
    pinned = pins()
    for line in installs:
        for name, version in re.findall(r"([A-Za-z0-9_.-]+)==(\S+)", line):
            assert pinned.get(name.lower()) == version, f"README: {name}=={version}, requirements.txt: {pinned.get(name.lower())}"


def test_the_readmes_slot_size_is_the_virtual_devices_slot_1():
    from images import SLOT1_SIZE

    blocks = command_blocks(README)
    sizes = [int(m, 16) for b in blocks for m in re.findall(r"--slot-size (0x[0-9a-fA-F]+)", b.text)]
    reported = [int(m, 16) for b in blocks if b.output for m in re.findall(r"slot 1: (0x[0-9a-fA-F]+) bytes", b.output)]
    assert sizes and reported, "the README signs no image, or shows no slot info"
    # `reported` is what the README's slot info command must print (test_readme checks it
    # against the device), so the slot size imgtool gets is the device's.
    assert set(sizes) == set(reported) == {SLOT1_SIZE}, (sizes, reported, hex(SLOT1_SIZE))


def test_the_readme_is_short():
    lines = README.read_text().count("\n")
    assert lines <= 200, f"README.md has {lines} lines; what is not a first step goes to docs/"


# ---- links ----------------------------------------------------------------------------------

LINK = re.compile(r"\]\(([^)\s]+)\)")


def documents() -> list[Path]:
    return [README, *sorted((REPO / "docs").glob("*.md"))]


def test_links_lead_to_files_of_the_repository():
    for doc in documents():
        text = doc.read_text()
        for target in LINK.findall(text):
            assert not re.match(r"^[a-z]+:", target), f"{doc.relative_to(REPO)}: link out of the repository: {target}"
            path = (doc.parent / target.split("#")[0]).resolve()
            assert path.is_relative_to(REPO) and path.exists(), f"{doc.relative_to(REPO)}: {target} is not a file of the repository"
        assert "shared/reference" not in text, f"{doc.relative_to(REPO)} refers to reference material outside the repository"


# ---- the Kconfig table --------------------------------------------------------------------


@dataclass
class Option:
    name: str
    kind: str  # bool, int, string, choice; "" when Kconfig only sets a default for Zephyr's
    range: str = ""
    defaults: list[str] = field(default_factory=list)
    in_choice: bool = False

    def type_cell(self) -> str:
        if not self.kind:
            return "Zephyr's"
        return f"{self.kind} {self.range}".strip()

    def default_cell(self) -> str:
        if self.in_choice:
            return "—"
        if self.defaults:
            return "; ".join(self.defaults)
        return "n" if self.kind == "bool" else "—"


def kconfig_options(path: Path = KCONFIG) -> list[Option]:
    """The symbols `path` declares (config, menuconfig, choice), in order, with their type,
    range and defaults as written."""
    options: list[Option] = []
    current: Option | None = None
    in_choice = False
    help_indent: int | None = None
    for raw in path.read_text().splitlines():
        expanded = raw.expandtabs(8)
        indent = len(expanded) - len(expanded.lstrip())
        line = raw.strip()
        if help_indent is not None:
            if not line or indent > help_indent:
                continue
            help_indent = None
        if not line or line.startswith("#"):
            continue
        words = line.split(None, 1)
        key, rest = words[0], (words[1] if len(words) > 1 else "")
        if key in ("config", "menuconfig"):
            current = Option(rest, "", in_choice=in_choice)
            options.append(current)
        elif key == "choice":
            current = Option(rest, "choice")
            options.append(current)
            in_choice = True
        elif key == "endchoice":
            in_choice, current = False, None
        elif key in ("bool", "int", "string", "hex", "tristate") and current:
            current.kind = key
        elif key == "range" and current:
            low, high = rest.split()[:2]
            current.range = f"{low}..{high}"
        elif key == "default" and current:
            current.defaults.append(rest)
        elif key == "help":
            help_indent = indent
        elif key in ("if", "endif", "menu", "endmenu", "source", "comment"):
            current = None
    return options


def table_rows(path: Path = ZEPHYR_MD) -> dict[str, tuple[str, str, str]]:
    lines = path.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(TABLE_MARK))
    rows: dict[str, tuple[str, str, str]] = {}
    for line in lines[start + 3 :]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        name, kind, default = (c.replace("`", "") for c in cells[:3])
        assert name not in rows, f"docs/zephyr.md: {name} twice in the Kconfig table"
        rows[name] = (name, kind, default)
    return rows


def test_the_kconfig_table_lists_every_option_as_kconfig_declares_it():
    options = kconfig_options()
    assert len(options) > 40, "the Kconfig parser found too few options"
    rows = table_rows()
    expected = {o.name: (o.name, o.type_cell(), o.default_cell()) for o in options}
    missing = [n for n in expected if n not in rows]
    extra = [n for n in rows if n not in expected]
    wrong = [f"{rows[n]} in the table, {expected[n]} in Kconfig" for n in expected if n in rows and rows[n] != expected[n]]
    assert not (missing or extra or wrong), f"missing: {missing}\nnot in Kconfig: {extra}\nwrong: {wrong}"
    assert list(rows) == list(expected), "the table is not in Kconfig's order"


def test_the_kconfig_parser_reads_what_kconfig_says():
    by_name = {o.name: o for o in kconfig_options()}
    assert by_name["RUST_SMP"].default_cell() == "y"
    assert by_name["RUST_SMP_TRANSPORT_UDP_PORT"].type_cell() == "int 1..65535"
    assert by_name["RUST_SMP_TRANSPORT_UART_POLL"].in_choice
    assert by_name["RUST_SMP_GRP_MEMFAULT_SOFTWARE_TYPE"].default_cell() == '"app"'
    assert by_name["MAIN_STACK_SIZE"].type_cell() == "Zephyr's"


if __name__ == "__main__":
    if sys.argv[1:] == ["kconfig"]:
        for o in kconfig_options():
            print(f"| `{o.name}` | {o.type_cell()} | {o.default_cell()} |")
    else:
        print(__doc__)


# ---- excerpts of the code -------------------------------------------------------------------


def test_every_code_excerpt_is_in_the_file_it_names():
    """A block marked `text excerpt PATH` shows code of PATH: its text must be in that file,
    character for character, so the documentation cannot drift from the code."""
    excerpt = re.compile(r"^```text excerpt (\S+)\n(.*?)^```$", re.M | re.S)
    found = 0
    for doc in sorted((REPO / "docs").glob("*.md")) + [README]:
        for m in excerpt.finditer(doc.read_text()):
            path, text = m.group(1), m.group(2)
            assert (REPO / path).is_file(), f"{doc.name}: excerpt of {path}, which does not exist"
            assert text in (REPO / path).read_text(), f"{doc.name}: the excerpt of {path} is not in it"
            found += 1
    assert found, "no excerpts found: the pattern is wrong"
