"""Two image pairs (a Zephyr build with CONFIG_UPDATEABLE_IMAGE_NUMBER=2 and slot2/slot3
partitions, overlays/two-images.*; SMP_TARGET_OPTIONS=--two-images): an upload's `image` 1
lands in image 1's secondary slot (absolute slot 3), state read lists it as image 1, slot 1,
a test marks it pending, and slot info shows both images with both slots. The virtual device
serves one pair: it skips these."""

from __future__ import annotations

import os

import pytest
from smpclient.requests.image_management import ImageStatesRead, ImageStatesWrite

import smp_raw
from conftest import EXTERNAL, run
from test_smpclient import make_client

GROUP_IMAGE, IMG_SLOT_INFO = 1, 6

pytestmark = pytest.mark.skipif(
    EXTERNAL is None or "--two-images" not in os.environ.get("SMP_TARGET_OPTIONS", "").split(),
    reason="needs a device with two image pairs (SMP_TARGET_OPTIONS=--two-images)",
)


def entry(states, image: int, slot: int):
    return next((s for s in states.images if (s.image or 0) == image and s.slot == slot), None)


def test_upload_to_image_1_lands_in_its_secondary_slot_and_tests_there(start_sim, make_image):
    sim = start_sim()
    image = make_image("2.0.1", body_size=6000, signed=False, seed=41)

    async def go():
        async with make_client(sim, "udp") as c:
            async for _ in c.upload(image.data, slot=1, first_timeout_s=10.0):
                pass
            states = await c.request(ImageStatesRead())
            got = entry(states, 1, 1)
            assert got is not None and bytes(got.hash) == image.hash, states
            assert entry(states, 0, 1) is None or bytes(entry(states, 0, 1).hash) != image.hash, states
            tested = await c.request(ImageStatesWrite(hash=image.hash, confirm=False))
            assert entry(tested, 1, 1).pending, tested

    run(go())


def test_slot_info_lists_two_images_with_two_slots_each(start_sim):
    sim = start_sim()
    link = smp_raw.RawUdp(sim.udp_addr)
    try:
        rsp = link.transact(smp_raw.request(smp_raw.OP_READ, GROUP_IMAGE, 1, IMG_SLOT_INFO, {}))
    finally:
        link.close()
    images = {i["image"]: i for i in rsp.body["images"]}
    assert sorted(images) == [0, 1], rsp.body
    for n, i in images.items():
        assert [s["slot"] for s in i["slots"]] == [0, 1], i
        assert all(s["size"] > 0 for s in i["slots"]), i
    # native_sim's pairs: 0x69000-byte slots (its devicetree), 0x60000 (two-images.overlay).
    assert [s["size"] for s in images[1]["slots"]] == [0x60000, 0x60000], images[1]
