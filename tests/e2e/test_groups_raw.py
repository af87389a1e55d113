"""The statistics, settings, file system, shell, zephyr-basic and Memfault groups
with hand-built requests over raw UDP and the raw PTY: byte-exact answers, v1 and v2
error shapes, what client libraries cannot send or parse, and garbage.
"""

from __future__ import annotations

import random

import cbor2
import pytest

import smp_raw
from smp_raw import OP_READ, OP_WRITE
from conftest import on_sim
from test_bad_input import Raw

STAT, SETTINGS, FS, SHELL, ZBASIC, MEMFAULT = 2, 3, 8, 9, 63, 128


@pytest.fixture
def raw(sim, transport):
    r = Raw(sim, transport)
    r.assert_echo("first")
    yield r
    r.close()


def ask(raw, op: int, group: int, cmd: int, body=None, ver: int = 1, payload: bytes | None = None):
    raw.seq = (raw.seq + 1) % 256
    if payload is None:
        payload = b"" if body is None else cbor2.dumps(body)
    return raw.transact(smp_raw.packet(op, group, raw.seq, cmd, payload, ver))


def err(group: int, rc: int) -> bytes:
    """`{"err": {"group": G, "rc": R}}` as the device encodes it (indefinite maps)."""
    return b"\xbf\x63err\xbf\x65group" + cbor2.dumps(group) + b"\x62rc" + cbor2.dumps(rc) + b"\xff\xff"


def rc(n: int) -> bytes:
    return b"\xbf\x62rc" + bytes([n]) + b"\xff"


# --------------------------------------------------------------------------------------
# error shapes, byte-exact


def test_stat_error_is_group_2_in_v2_and_rc_5_in_v1(raw):
    assert ask(raw, OP_READ, STAT, 0, {"name": "nope"}).payload == err(STAT, 3)
    assert ask(raw, OP_READ, STAT, 0, {"name": "nope"}, ver=0).payload == rc(5)


def test_settings_key_too_long_v2_and_v1(raw):
    body = {"name": "k" * 32, "val": b"v"}
    assert ask(raw, OP_WRITE, SETTINGS, 0, body).payload == err(SETTINGS, 2)
    assert ask(raw, OP_WRITE, SETTINGS, 0, body, ver=0).payload == rc(3)


def test_settings_value_over_the_limit_is_rc_3(raw):
    assert ask(raw, OP_WRITE, SETTINGS, 0, {"name": "app/over", "val": b"v" * 257}).payload == rc(3)
    assert ask(raw, OP_READ, SETTINGS, 0, {"name": "app/over"}).payload == err(SETTINGS, 3)


def test_shell_empty_argv_is_empty_command(raw):
    assert ask(raw, OP_WRITE, SHELL, 0, {"argv": []}).payload == err(SHELL, 3)
    assert ask(raw, OP_WRITE, SHELL, 0, {"argv": []}, ver=0).payload == rc(3)


def test_shell_answer_byte_exact(raw):
    rsp = ask(raw, OP_WRITE, SHELL, 0, {"argv": ["echo", "hi"]})
    # the virtual device ends lines with LF, Zephyr's shell with CRLF
    assert rsp.payload in (b"\xbf\x61o\x63hi\n\x63ret\x00\xff", b"\xbf\x61o\x64hi\r\n\x63ret\x00\xff")


def test_fs_upload_offset_mismatch_reports_the_expected_length(raw):
    first = {"off": 0, "name": "/lfs/m", "data": b"abc", "len": 10}
    assert ask(raw, OP_WRITE, FS, 0, first).body == {"off": 3}
    wrong = {"off": 7, "name": "/lfs/m", "data": b"xyz"}
    assert ask(raw, OP_WRITE, FS, 0, wrong).payload == err(FS, 11)[:-1] + b"\x63len\x03\xff"


def test_fs_upload_offset_mismatch_in_v1_is_rc_1_alone(raw):
    ask(raw, OP_WRITE, FS, 0, {"off": 0, "name": "/lfs/m", "data": b"abc", "len": 10}, ver=0)
    rsp = ask(raw, OP_WRITE, FS, 0, {"off": 7, "name": "/lfs/m", "data": b"xyz"}, ver=0)
    assert rsp.payload == rc(1)


def put(raw, name: str, data: bytes) -> None:
    """Creates a file in one upload request (which completes the transfer)."""
    assert ask(raw, OP_WRITE, FS, 0, {"off": 0, "name": name, "data": data, "len": len(data)}).body == {
        "off": len(data)
    }


def test_fs_upload_resumes_at_the_file_size_after_a_restart_of_the_transfer(raw, sim):
    put(raw, "/lfs/part", b"abcd")
    assert ask(raw, OP_WRITE, FS, 0, {"off": 4, "name": "/lfs/part", "data": b"ef"}).body == {"off": 6}
    assert ask(raw, OP_READ, FS, 0, {"off": 0, "name": "/lfs/part"}).body["data"] == b"abcdef"
    if on_sim(sim):
        assert (sim.state_dir / "fs" / "lfs" / "part").read_bytes() == b"abcdef"


def test_fs_download_byte_exact(raw):
    put(raw, "/lfs/hello", b"hello")
    rsp = ask(raw, OP_READ, FS, 0, {"off": 0, "name": "/lfs/hello"})
    assert rsp.payload == b"\xbf\x63off\x00\x64data\x45hello\x63len\x05\xff"


def test_fs_name_of_65_bytes_is_rc_3(raw):
    assert ask(raw, OP_READ, FS, 1, {"name": "/lfs/" + "n" * 60}).payload == rc(3)


def test_fs_upload_without_len_at_offset_0_is_rc_3(raw, sim):
    assert ask(raw, OP_WRITE, FS, 0, {"off": 0, "name": "/lfs/n", "data": b"x"}).payload == rc(3)
    assert ask(raw, OP_READ, FS, 1, {"name": "/lfs/n"}).payload == err(FS, 3)
    if on_sim(sim):
        assert not (sim.state_dir / "fs" / "lfs" / "n").exists()


def test_zephyr_basic_erase_answers_an_empty_map(raw):
    assert ask(raw, OP_WRITE, ZBASIC, 0, {}).payload == b"\xbf\xff"


def test_memfault_project_key_matches_the_sdk_wire_example(start_sim, transport):
    # MF scripts/memfault_group.py: 09 00 00 18 00 80 01 01 | BF 6B "project_key" 69 "dummy-key" FF
    sim = start_sim(extra=["--memfault-project-key", "dummy-key"])
    r = Raw(sim, transport)
    try:
        rsp = r.transact(bytes.fromhex("08 00 00 01 00 80 01 01 a0"))
        assert rsp.payload == b"\xbf\x6bproject_key\x69dummy-key\xff"
        assert (rsp.ver, rsp.op, rsp.length, rsp.group, rsp.seq, rsp.cmd) == (1, 1, 0x18, 128, 1, 1)
    finally:
        r.close()


def test_memfault_no_project_key_v2_and_v1(raw):
    assert ask(raw, OP_READ, MEMFAULT, 1, {}).payload == err(MEMFAULT, 2)
    assert ask(raw, OP_READ, MEMFAULT, 1, {}, ver=0).payload == rc(5)


def test_memfault_commands_are_read_only(raw):
    assert ask(raw, OP_WRITE, MEMFAULT, 0, {}).payload == rc(8)


# --------------------------------------------------------------------------------------
# garbage: every command of the groups, malformed payloads; the device answers and lives

COMMANDS = [
    (OP_READ, STAT, 0),
    (OP_READ, STAT, 1),
    (OP_READ, SETTINGS, 0),
    (OP_WRITE, SETTINGS, 0),
    (OP_WRITE, SETTINGS, 1),
    (OP_WRITE, SETTINGS, 2),
    (OP_READ, SETTINGS, 3),
    (OP_WRITE, SETTINGS, 3),
    (OP_READ, FS, 0),
    (OP_WRITE, FS, 0),
    (OP_READ, FS, 1),
    (OP_READ, FS, 2),
    (OP_READ, FS, 3),
    (OP_WRITE, FS, 4),
    (OP_WRITE, SHELL, 0),
    (OP_READ, MEMFAULT, 0),
    (OP_READ, MEMFAULT, 1),
]

GARBAGE = [
    b"\xa1",  # map cut short
    b"\xbf\x64name",  # indefinite map cut short
    b"\x82\x01\x02",  # not a map
    b"\xa1\x64name\x01",  # name of the wrong type
    b"\xa2\x64name\x61a\x64name\x61b",  # duplicate key
    b"\xa1\x64argv\x9f\x61a",  # argv array cut short
    b"\xa1\x64argv\x81\xa0",  # argv of a map
    b"\xa2\x63off\x1b\xff\xff\xff\xff\xff\xff\xff\xff\x64name\x66/lfs/x",  # huge offset
    b"\xa3\x63off\x00\x64name\x66/lfs/x\x64data\x5a\xff\xff\xff\xff",  # data longer than the packet
    b"\xa1\x64name\x7b\xff\xff\xff\xff\xff\xff\xff\xff",  # name longer than the packet
]


@pytest.mark.parametrize("op,group,cmd", COMMANDS)
def test_garbage_payloads_get_an_answer(raw, op, group, cmd):
    for payload in GARBAGE:
        rsp = ask(raw, op, group, cmd, payload=payload)
        assert rsp.body is not None, (payload, rsp)
    raw.assert_echo()


def test_random_payloads_get_an_answer(raw):
    rng = random.Random(1234)
    for _ in range(200):
        op, group, cmd = rng.choice(COMMANDS)
        payload = bytes(rng.randrange(256) for _ in range(rng.randrange(0, 40)))
        ask(raw, op, group, cmd, payload=payload)
    raw.assert_echo()
