"""Image management and the emulated MCUboot, end to end with smpclient (docs/protocol.md,
"image (1)"; docs/virtual-device.md, "Flash and bootloader"), over UDP and the serial PTY.

Images are signed at test time with imgtool and a key made by `imgtool keygen`; the device
runs with `--boot-key` (that key's public half), so its MCUboot checks the signatures.
"""

from __future__ import annotations

import pytest
from smpclient.requests.image_management import ImageUploadWrite

import images
from conftest import run
from images import IMG, err, flags, hash_of, mark, ok, reset, slots

NO_FREE_SLOT, INVALID_SLOT, CURRENT_VERSION_IS_NEWER = 9, 14, 27


@pytest.fixture
def signed_sim(start_sim, signing_key):
    return start_sim(extra=["--boot-key", str(signing_key.public)])


async def install(c, image) -> None:
    """Upload, test, reset, confirm: `image` runs, confirmed."""
    await images.upload(c, image)
    await mark(c, image)
    await reset(c)
    s = await slots(c)
    assert hash_of(s[0]) == image.hash, f"{image.version} did not boot: {s}"
    await images.confirm_running(c)


# --------------------------------------------------------------------------------------
# test, reset, (no) confirm: the state flags at every step


def test_revert_path(signed_sim, transport, make_image):
    """test → reset → no confirm → reset: the old image is back, active and confirmed."""
    old, new = make_image("1.0.0", seed=1), make_image("2.0.0", 24 * 1024, seed=2)

    async def go():
        async with images.client(signed_sim, transport) as c:
            await install(c, old)
            s = await slots(c)
            assert flags(s[0]) == {"active", "confirmed"}, s
            assert s[0].version == "1.0.0"

            rsp = await images.upload(c, new)
            assert rsp == len(new.data)
            s = await slots(c)
            assert hash_of(s[1]) == new.hash and s[1].version == "2.0.0", s
            assert flags(s[1]) == set() and s[1].bootable, s  # idle: no state flags

            await mark(c, new)  # test
            s = await slots(c)
            assert flags(s[0]) == {"active", "confirmed"} and hash_of(s[0]) == old.hash, s
            assert flags(s[1]) == {"pending"} and hash_of(s[1]) == new.hash, s

            await reset(c)  # the test swap
            s = await slots(c)
            assert hash_of(s[0]) == new.hash and flags(s[0]) == {"active"}, s
            assert hash_of(s[1]) == old.hash and flags(s[1]) == {"confirmed"}, s

            await reset(c)  # not confirmed: reverted
            s = await slots(c)
            assert hash_of(s[0]) == old.hash and flags(s[0]) == {"active", "confirmed"}, s
            assert hash_of(s[1]) == new.hash and flags(s[1]) == set(), s

            await reset(c)  # and it stays so
            s = await slots(c)
            assert hash_of(s[0]) == old.hash and flags(s[0]) == {"active", "confirmed"}, s

    run(go())
    # The reverted primary slot holds the old image byte for byte.
    assert images.slot_bytes(images.read_flash(signed_sim.state_dir), 0, len(old.data)) == old.data


def test_confirm_path(signed_sim, transport, make_image):
    """test → reset → confirm the running image → reset: the new image stays."""
    new = make_image("2.0.0", seed=3)

    async def go():
        async with images.client(signed_sim, transport) as c:
            old_hash = hash_of((await slots(c))[0])
            await images.upload(c, new)
            await mark(c, new)
            await reset(c)
            s = await slots(c)
            assert hash_of(s[0]) == new.hash and flags(s[0]) == {"active"}, s

            rsp = await images.confirm_running(c)  # the state-read payload comes back
            after = {st.slot: st for st in rsp.images}
            assert flags(after[0]) == {"active", "confirmed"}, rsp
            s = await slots(c)
            assert flags(s[0]) == {"active", "confirmed"}, s
            assert hash_of(s[1]) == old_hash and flags(s[1]) == set(), s

            await reset(c)
            s = await slots(c)
            assert hash_of(s[0]) == new.hash and flags(s[0]) == {"active", "confirmed"}, s
            assert hash_of(s[1]) == old_hash and flags(s[1]) == set(), s

    run(go())
    assert images.slot_bytes(images.read_flash(signed_sim.state_dir), 0, len(new.data)) == new.data


def test_permanent_path(signed_sim, transport, make_image):
    """confirm with the hash of slot 1 (no test boot): pending + permanent, then it runs confirmed."""
    new = make_image("2.1.0", seed=4)

    async def go():
        async with images.client(signed_sim, transport) as c:
            await images.upload(c, new)
            await mark(c, new, confirm=True)
            s = await slots(c)
            assert flags(s[0]) == {"active", "confirmed"}, s
            assert flags(s[1]) == {"pending", "permanent"}, s
            await reset(c)
            s = await slots(c)
            assert hash_of(s[0]) == new.hash and flags(s[0]) == {"active", "confirmed"}, s
            assert flags(s[1]) == set(), s
            await reset(c)
            assert hash_of((await slots(c))[0]) == new.hash

    run(go())


def test_factory_image_comes_back_after_a_revert_with_a_boot_key(signed_sim, make_image):
    """The device's own (unsigned) image runs at first start even with --boot-key; after a
    test swap it sits in slot 1, and the revert must bring it back like any confirmed image."""
    new = make_image("2.0.0", seed=5)

    async def go():
        async with images.client(signed_sim, "udp") as c:
            own = hash_of((await slots(c))[0])
            await images.upload(c, new)
            await mark(c, new)
            await reset(c)
            s = await slots(c)
            assert hash_of(s[0]) == new.hash and hash_of(s[1]) == own, s
            await reset(c)
            s = await slots(c)
            assert hash_of(s[0]) == own and flags(s[0]) == {"active", "confirmed"}, (
                f"no revert to the device's own image: {s}"
            )

    run(go())


# --------------------------------------------------------------------------------------
# erase


def test_erase_secondary(signed_sim, transport, make_image):
    """Erase of slot 1: an idle image, a pending one (allowed), never the running slot
    nor the image a revert needs."""
    base, new = make_image("1.0.0", seed=1), make_image("2.0.0", seed=6)

    async def go():
        async with images.client(signed_sim, transport) as c:
            await install(c, base)  # signed: the revert below needs a valid old image
            own = base.hash
            await images.erase(c)  # slot 1 held the image before `base`: not in use any more
            await images.upload(c, new)
            await images.erase(c)  # default: the other slot
            assert set(await slots(c)) == {0}

            await images.upload(c, new)
            await mark(c, new)
            assert flags((await slots(c))[1]) == {"pending"}
            await images.erase(c, 1)  # pending: MCUMGR_GRP_IMG_ALLOW_ERASE_PENDING
            s = await slots(c)
            assert set(s) == {0} and flags(s[0]) == {"active", "confirmed"}, s
            await reset(c)  # nothing left to swap in
            s = await slots(c)
            assert set(s) == {0} and hash_of(s[0]) == own, s

            await err(c, images.ImageErase(slot=0), IMG, NO_FREE_SLOT)  # the running slot
            await err(c, images.ImageErase(slot=2), IMG, INVALID_SLOT)

            # Running a test image: slot 1 holds the image a revert needs.
            await images.upload(c, new)
            await mark(c, new)
            await reset(c)
            s = await slots(c)
            assert flags(s[1]) == {"confirmed"} and hash_of(s[1]) == own, s
            await err(c, images.ImageErase(slot=1), IMG, NO_FREE_SLOT)
            s = await slots(c)
            assert hash_of(s[1]) == own, s
            await reset(c)  # the revert still works
            assert hash_of((await slots(c))[0]) == own

    run(go())


# --------------------------------------------------------------------------------------
# upload checks


def test_upgrade_only_rejects_older_and_equal_versions(signed_sim, transport, make_image):
    """`upgrade: true` with a version ≤ the running one → err {1, 27}, nothing written."""
    running = make_image("2.0.0", seed=7)

    async def go():
        async with images.client(signed_sim, transport) as c:
            await install(c, running)
            for version in ["1.9.9", "2.0.0", "2.0.0+7", "1.255.65535"]:
                older = make_image(version, 4096, seed=8)
                req = ImageUploadWrite(off=0, data=older.data[:512], len=len(older.data), sha=older.sha, upgrade=True)
                await err(c, req, IMG, CURRENT_VERSION_IS_NEWER)
                s = await slots(c)
                assert 1 not in s or hash_of(s[1]) != older.hash, s
            # The same older image without `upgrade` is accepted...
            older = make_image("1.9.9", 4096, seed=8)
            assert await images.upload(c, older) == len(older.data)
            # ...and a newer one with it.
            newer = make_image("2.0.1", 4096, seed=9)
            assert await images.upload(c, newer, upgrade=True) == len(newer.data)
            assert hash_of((await slots(c))[1]) == newer.hash

    run(go())


# --------------------------------------------------------------------------------------
# images the bootloader must refuse


@pytest.mark.parametrize("damage", ["flipped-byte", "other-key"])
def test_bad_image_never_boots(signed_sim, transport, make_image, image_dir, other_key, damage):
    """An image whose body was changed after signing (SHA-256 TLV wrong), or one signed with
    another key, uploads fine and can be marked for test, but the reset keeps the old image
    running: MCUboot refuses it and erases slot 1."""
    good = make_image("3.0.0", 20 * 1024, seed=10)
    bad = images.corrupted(good, image_dir) if damage == "flipped-byte" else make_image("3.0.0", seed=10, key=other_key)

    async def go():
        async with images.client(signed_sim, transport) as c:
            old = hash_of((await slots(c))[0])
            assert await images.upload(c, bad) == len(bad.data)  # match: true (the file's sha)
            s = await slots(c)
            assert hash_of(s[1]) == bad.hash, s  # the device reads the TLV, not the body
            await mark(c, bad)
            assert flags((await slots(c))[1]) == {"pending"}
            await reset(c)
            s = await slots(c)
            assert hash_of(s[0]) == old and flags(s[0]) == {"active", "confirmed"}, s
            assert 1 not in s, f"the refused image should be erased: {s}"
            await reset(c)
            s = await slots(c)
            assert hash_of(s[0]) == old and flags(s[0]) == {"active", "confirmed"}, s

    run(go())
    assert "refused" in signed_sim.log_text()


# --------------------------------------------------------------------------------------
# two clients


def test_interrupted_upload_is_resumed_by_a_new_client(signed_sim, transport, make_image):
    """Client A stops mid-way; client B (a new connection, the other transport) starts the
    same image (same sha): the device answers the offset reached and B continues there."""
    image = make_image("2.0.0", 48 * 1024, seed=11)
    other = "serial" if transport == "udp" else "udp"

    async def go():
        async with images.client(signed_sim, transport) as a:
            reached = await images.upload(a, image, stop_after=5)
        assert 0 < reached < len(image.data)
        async with images.client(signed_sim, other) as b:
            offsets = [off async for off in b.upload(image.data)]
            assert offsets[0] == reached, f"B started at {offsets[0]}, A had reached {reached}"
            assert offsets[-1] == len(image.data)
            s = await slots(b)
            assert hash_of(s[1]) == image.hash, s
            await mark(b, image)
            await reset(b)
            assert hash_of((await slots(b))[0]) == image.hash

    run(go())


def test_a_new_upload_from_another_client_starts_over(signed_sim, make_image):
    """A fresh upload (other sha, off 0) while one is in progress starts over;
    the first client's next chunk gets an off-mismatch answer: success with B's offset."""
    first = make_image("2.0.0", 32 * 1024, seed=12)
    second = make_image("2.0.1", 32 * 1024, seed=13)
    chunk = 512

    def req(image, off, **extra):
        return ImageUploadWrite(off=off, data=image.data[off : off + chunk], **extra)

    async def go():
        async with images.client(signed_sim, "udp") as a, images.client(signed_sim, "serial") as b:
            off_a = 0
            for _ in range(4):
                extra = {"len": len(first.data), "sha": first.sha} if off_a == 0 else {}
                off_a = (await ok(a, req(first, off_a, **extra))).off
            assert off_a == 4 * chunk

            rsp = await ok(b, req(second, 0, len=len(second.data), sha=second.sha))
            assert rsp.off == chunk, f"a new sha must start over: {rsp}"

            rsp = await ok(a, req(first, off_a))  # A goes on where it was
            assert rsp.off == chunk, f"A should be told the device's offset ({chunk}): {rsp}"
            assert rsp.match is None

            off_b = chunk
            while off_b < len(second.data):
                rsp = await ok(b, req(second, off_b))
                off_b = rsp.off
            assert rsp.match is True, rsp
            s = await slots(b)
            assert hash_of(s[1]) == second.hash, s

            # B's upload is complete, so none is in progress: A's next chunk is told off 0
            # (state lost: the client must start again with len and sha)...
            rsp = await ok(a, req(first, off_a))
            assert rsp.off == 0, rsp
            # ...and the image in slot 1 is B's, intact.
            assert hash_of((await slots(a))[1]) == second.hash

    run(go())
    flash = images.read_flash(signed_sim.state_dir)
    assert images.slot_bytes(flash, 1, len(second.data)) == second.data
