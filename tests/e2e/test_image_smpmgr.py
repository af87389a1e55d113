"""Image management with the smpmgr command line (0.19.1), over UDP and the serial PTY:
`upgrade`, `image upload`, `image state-read`, `image state-write`, `image erase`.
The test-and-confirm upgrade runs over both transports; the other flows once each (every
smpmgr run is a slow subprocess), on alternating transports.

Note on smpmgr's `upgrade`: it marks the uploaded image (test, or permanent with
`--confirm`) only when `--slot` is not 0 or `--confirm` is given; `upgrade FILE` alone
uploads and resets, which on a swap-mode MCUboot device leaves the old image running.
"""

from __future__ import annotations

import re
import time

import pytest

from test_smpmgr import flat, ok, smpmgr

STATE = re.compile(r"ImageState\((.*?permanent=\w+)")


def state_read(sim, transport) -> dict[int, dict]:
    out = flat(ok(smpmgr(sim, transport, "image", "state-read")))
    slots = {}
    for m in STATE.finditer(out):
        fields = dict(re.findall(r"(\w+)=('[^']*'|HashBytes\('[0-9A-Fa-f]+'\)|\w+)", m.group(1)))
        entry = {
            "version": fields["version"].strip("'"),
            "hash": bytes.fromhex(re.search(r"'([0-9A-Fa-f]+)'", fields["hash"]).group(1)),
        }
        for flag in ("active", "confirmed", "pending", "permanent", "bootable"):
            entry[flag] = fields[flag] == "True"
        slots[int(fields["slot"])] = entry
    assert slots, out
    return slots


def flags(entry) -> set[str]:
    return {f for f in ("active", "confirmed", "pending", "permanent") if entry[f]}


def wait_back(sim, transport) -> None:
    # The device answers for 250 ms after the reset response, then reboots.
    time.sleep(0.3)
    for _ in range(20):
        proc = smpmgr(sim, transport, "os", "echo", "back", smp_timeout=0.5)
        if proc.returncode == 0 and "r='back'" in flat(proc.stdout):
            return
    pytest.fail(f"device not back after reset\n{sim.log_text()}")


def upgrade(sim, transport, image, *options: str) -> str:
    out = flat(ok(smpmgr(sim, transport, "upgrade", *options, str(image.path), timeout=60)))
    wait_back(sim, transport)
    return out


@pytest.fixture
def signed_sim(start_sim, signing_key):
    return start_sim(extra=["--boot-key", str(signing_key.public)])


def test_upgrade_test_confirm(signed_sim, transport, make_image):
    """upgrade --slot 1 (test + reset), state-read, state-write --confirm, reset."""
    new = make_image("2.0.0", 40 * 1024, seed=21)
    before = state_read(signed_sim, transport)
    assert set(before) == {0} and flags(before[0]) == {"active", "confirmed"}, before

    upgrade(signed_sim, transport, new, "--slot", "1")
    s = state_read(signed_sim, transport)
    assert s[0]["hash"] == new.hash and s[0]["version"] == "2.0.0" and flags(s[0]) == {"active"}, s
    assert s[1]["hash"] == before[0]["hash"] and flags(s[1]) == {"confirmed"}, s

    out = flat(ok(smpmgr(signed_sim, transport, "image", "state-write", "--confirm")))
    assert "err=" not in out and "rc=" not in out, out
    s = state_read(signed_sim, transport)
    assert flags(s[0]) == {"active", "confirmed"} and flags(s[1]) == set(), s

    ok(smpmgr(signed_sim, transport, "os", "reset"))
    wait_back(signed_sim, transport)
    s = state_read(signed_sim, transport)
    assert s[0]["hash"] == new.hash and flags(s[0]) == {"active", "confirmed"}, s


@pytest.mark.parametrize("transport", ["serial"])  # smpmgr runs are slow: one transport
def test_upgrade_confirm_then_revert_of_a_test(signed_sim, transport, make_image):
    """upgrade --confirm (permanent swap), then a test upgrade that is not confirmed reverts."""
    base, new = make_image("1.0.0", seed=22), make_image("1.1.0", seed=23)
    upgrade(signed_sim, transport, base, "--confirm")
    s = state_read(signed_sim, transport)
    assert s[0]["hash"] == base.hash and flags(s[0]) == {"active", "confirmed"}, s

    upgrade(signed_sim, transport, new, "--slot", "1")
    s = state_read(signed_sim, transport)
    assert s[0]["hash"] == new.hash and flags(s[0]) == {"active"}, s
    assert s[1]["hash"] == base.hash and flags(s[1]) == {"confirmed"}, s

    ok(smpmgr(signed_sim, transport, "os", "reset"))
    wait_back(signed_sim, transport)
    s = state_read(signed_sim, transport)
    assert s[0]["hash"] == base.hash and flags(s[0]) == {"active", "confirmed"}, s
    assert s[1]["hash"] == new.hash and flags(s[1]) == set(), s


@pytest.mark.parametrize("transport", ["udp"])
def test_upload_state_write_erase(signed_sim, transport, make_image):
    """image upload, state-write HASH (pending), image erase 1 of the pending image."""
    new = make_image("2.0.0", 12 * 1024, seed=24)
    out = ok(smpmgr(signed_sim, transport, "image", "upload", str(new.path), timeout=60))
    s = state_read(signed_sim, transport)
    assert s[1]["hash"] == new.hash and flags(s[1]) == set(), (s, out)

    ok(smpmgr(signed_sim, transport, "image", "state-write", new.hash.hex()))
    s = state_read(signed_sim, transport)
    assert flags(s[1]) == {"pending"}, s

    out = flat(ok(smpmgr(signed_sim, transport, "image", "erase", "1")))
    assert "err=" not in out and "rc=" not in out, out
    s = state_read(signed_sim, transport)
    assert set(s) == {0}, s

    # The running slot cannot be erased: smpmgr prints the device's error.
    out = flat(smpmgr(signed_sim, transport, "image", "erase", "0").stdout)
    assert "rc=9" in out or "NO_FREE_SLOT" in out, out


@pytest.mark.parametrize("transport", ["serial"])
def test_upgrade_of_a_corrupted_image_keeps_the_old_one(signed_sim, transport, make_image, image_dir):
    import images

    bad = images.corrupted(make_image("4.0.0", seed=25), image_dir)
    before = state_read(signed_sim, transport)[0]
    upgrade(signed_sim, transport, bad, "--slot", "1")
    s = state_read(signed_sim, transport)
    assert set(s) == {0} and s[0]["hash"] == before["hash"], s
    assert flags(s[0]) == {"active", "confirmed"}, s
