"""Image management that needs no bootloader (docs/protocol.md, "image (1)"): upload into the
secondary slot, its state, test, erase. The same checks on the virtual device and on any
device named by SMP_TARGET (a Zephyr build on native_sim has no MCUboot: nothing ever
swaps there, so boot paths live in test_image_smpclient.py, on the virtual device).

Each test starts by erasing slot 1 so that it does not depend on what ran before.
"""

from __future__ import annotations

import pytest
from smpclient.requests.image_management import ImageErase, ImageUploadWrite

import images
from conftest import run
from images import IMG, err, flags, hash_of, mark, slots

INVALID_SLOT, IMAGE_TOO_LARGE = 14, 30


@pytest.fixture
def device(sim):
    return sim


async def fresh_secondary(c) -> dict:
    """Erases slot 1; returns the state of slot 0, which every test leaves as it was."""
    await images.erase(c, 1)
    s = await slots(c)
    assert 1 not in s, images.describe(s)
    return s


def test_upload_lands_in_the_secondary_slot(device, transport, make_image):
    image = make_image("3.1.4+15", 20 * 1024, seed=11)

    async def go():
        async with images.client(device, transport) as c:
            before = await fresh_secondary(c)
            assert await images.upload(c, image) == len(image.data)
            s = await slots(c)
            assert hash_of(s[1]) == image.hash, images.describe(s)
            assert s[1].version == "3.1.4.15" and s[1].bootable, images.describe(s)
            assert flags(s[1]) == set(), images.describe(s)
            assert {n: hash_of(st) for n, st in s.items() if n != 1} == {
                n: hash_of(st) for n, st in before.items()
            }

    run(go())


def test_test_marks_the_upload_pending_and_erase_removes_it(device, transport, make_image):
    image = make_image("2.0.0", seed=12)

    async def go():
        async with images.client(device, transport) as c:
            await fresh_secondary(c)
            await images.upload(c, image)
            await mark(c, image)  # test
            s = await slots(c)
            assert flags(s[1]) == {"pending"} and hash_of(s[1]) == image.hash, images.describe(s)
            await mark(c, image)  # again: still pending, no error
            assert flags((await slots(c))[1]) == {"pending"}
            await images.erase(c, 1)  # a pending image may be erased
            assert 1 not in await slots(c)

    run(go())


def test_confirm_by_hash_makes_the_upload_permanent(device, transport, make_image):
    image = make_image("2.1.0", seed=13)

    async def go():
        async with images.client(device, transport) as c:
            await fresh_secondary(c)
            await images.upload(c, image)
            await mark(c, image, confirm=True)
            s = await slots(c)
            assert flags(s[1]) == {"pending", "permanent"}, images.describe(s)
            await images.erase(c, 1)

    run(go())


def test_erase_of_a_slot_that_does_not_exist_is_invalid_slot(device, transport):
    async def go():
        async with images.client(device, transport) as c:
            await err(c, ImageErase(slot=2), IMG, INVALID_SLOT)

    run(go())


def test_upload_larger_than_the_slot_is_refused(device, transport, make_image):
    """A valid image header announcing 64 MiB: refused at the first chunk."""
    image = make_image("1.0.0", seed=15)

    async def go():
        async with images.client(device, transport) as c:
            await fresh_secondary(c)
            first = ImageUploadWrite(off=0, data=image.data[:64], len=64 * 1024 * 1024)
            await err(c, first, IMG, IMAGE_TOO_LARGE)
            assert 1 not in await slots(c)

    run(go())


def test_upload_resumes_from_the_offset_the_device_reports(device, transport, make_image):
    """A client that lost track sends a wrong offset: the device answers success with the
    offset it expects, and the upload goes on from there."""
    image = make_image("1.2.3", seed=14)

    async def go():
        async with images.client(device, transport) as c:
            await fresh_secondary(c)
            sent = await images.upload(c, image, stop_after=2)
            assert 0 < sent < len(image.data)
            rsp = await images.ok(c, ImageUploadWrite(off=sent + 7, data=image.data[sent + 7 : sent + 64]))
            assert rsp.off == sent
            assert await images.upload(c, image) == len(image.data)  # same sha: resumed
            assert hash_of((await slots(c))[1]) == image.hash

    run(go())
