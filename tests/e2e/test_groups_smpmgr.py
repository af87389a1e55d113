"""The shell, file system and statistics groups driven by the `smpmgr` command line,
as a user would (subprocesses), over UDP and the serial PTY.

smpmgr 0.19.1 has no settings, zephyr-basic or Memfault commands: those groups are
covered with smpclient, mcumgr-toolkit and raw requests.

Files are created through the fs group, so the tests also run against the Zephyr
application (tests/zephyr/run-e2e); the state directory is only looked at on the
virtual device.
"""

from __future__ import annotations

import os
import zlib

import pytest

from conftest import on_sim, text_lines
from test_smpmgr import flat, ok, smpmgr


def files_dir(sim):
    return sim.state_dir / "fs" / "lfs"


def put(sim, transport, tmp_path, name: str, data: bytes) -> None:
    src = tmp_path / "put.bin"
    src.write_bytes(data)
    ok(smpmgr(sim, transport, "file", "upload", str(src), name))


def test_shell_echo(sim, transport):
    out = text_lines(ok(smpmgr(sim, transport, "shell", "echo hello smp")))
    assert "hello smp\n" in out, out


def test_shell_unknown_command(sim, transport):
    out = ok(smpmgr(sim, transport, "shell", "frobnicate now"))
    assert "frobnicate: command not found" in out, out


@pytest.mark.sim_only("its ls command")
def test_shell_ls_shows_an_uploaded_file(sim, transport, tmp_path):
    src = tmp_path / "notes.txt"
    src.write_bytes(b"0123456789")
    ok(smpmgr(sim, transport, "file", "upload", str(src), "/lfs/notes.txt"))
    out = ok(smpmgr(sim, transport, "shell", "ls /lfs"))
    assert "[FILE] notes.txt (10 bytes)" in out, out


def test_file_upload_download_round_trip(sim, transport, tmp_path):
    data = os.urandom(7000)
    src, dst = tmp_path / "up.bin", tmp_path / "down.bin"
    src.write_bytes(data)
    ok(smpmgr(sim, transport, "file", "upload", str(src), "/lfs/up.bin"))
    if on_sim(sim):
        assert (files_dir(sim) / "up.bin").read_bytes() == data
    ok(smpmgr(sim, transport, "file", "download", "/lfs/up.bin", str(dst)))
    assert dst.read_bytes() == data


def test_file_read_size(sim, transport, tmp_path):
    put(sim, transport, tmp_path, "/lfs/sized", b"x" * 1234)
    out = ok(smpmgr(sim, transport, "file", "read-size", "/lfs/sized"))
    assert "1234" in out, out


def test_file_read_size_of_a_missing_file(sim, transport):
    out = flat(ok(smpmgr(sim, transport, "file", "read-size", "/lfs/none")))
    assert "FILE_NOT_FOUND" in out, out


def test_file_get_hash(sim, transport, tmp_path):
    content = b"hash me, please"
    put(sim, transport, tmp_path, "/lfs/h", content)
    out = flat(ok(smpmgr(sim, transport, "file", "get-hash", "/lfs/h")))
    assert "type='crc32'" in out and f"output={zlib.crc32(content)}" in out, out


def test_file_get_supported_hash_types(sim, transport):
    out = flat(ok(smpmgr(sim, transport, "file", "get-supported-hash-types")))
    assert "'crc32'" in out and "'sha256'" in out, out


def test_statistics_list(sim, transport):
    out = ok(smpmgr(sim, transport, "statistics", "list"))
    for name in ["smp_serial", "smp_udp", "smp_transfer"]:
        assert name in out, out


def test_statistics_get(sim, transport):
    out = flat(ok(smpmgr(sim, transport, "statistics", "get", "smp_transfer")))
    assert "name='smp_transfer'" in out and "'img_upload_bytes':" in out, out


def test_statistics_fetch_all(sim, transport):
    out = flat(ok(smpmgr(sim, transport, "statistics", "fetch-all")))
    for name in ["smp_serial", "smp_udp", "smp_transfer"]:
        assert f"name='{name}'" in out, out
