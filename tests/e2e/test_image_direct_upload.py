"""Direct upload (`smp-sim --direct-upload`, as Zephyr's MCUMGR_GRP_IMG_DIRECT_UPLOAD):
the upload's `image` N > 0 names absolute slot N - 1, 0 the usual slot; the running
slot is refused with err {1, 9}. smpclient's `upload(slot=N)` sends `image` N.
"""

from __future__ import annotations

import pytest
from smpclient.requests.image_management import ImageUploadWrite

import images
from conftest import run
from test_smpclient import assert_err_v2, make_client

IMAGE = 1


@pytest.mark.parametrize("image_field, slot", [(0, 1), (2, 1)])
def test_image_n_lands_in_slot_n_minus_1_and_0_in_the_usual_slot(start_sim, make_image, image_field, slot):
    sim = start_sim(extra=["--direct-upload"])
    image = make_image("1.2.3", body_size=4000)

    async def go():
        async with make_client(sim, "udp") as c:
            async for _ in c.upload(image.data, slot=image_field, first_timeout_s=10.0):
                pass
            states = await images.slots(c)
            assert images.hash_of(states[slot]) == image.hash, images.describe(states)

    run(go())


def test_image_1_names_the_running_slot_and_is_refused(start_sim, make_image):
    sim = start_sim(extra=["--direct-upload"])
    image = make_image("1.2.3", body_size=4000)

    async def go():
        async with make_client(sim, "udp") as c:
            first = ImageUploadWrite(off=0, data=image.data[:128], len=len(image.data), image=1)
            assert_err_v2(await c.request(first), IMAGE, 9)

    run(go())


def test_a_slot_the_device_lacks_is_refused(start_sim, make_image):
    sim = start_sim(extra=["--direct-upload"])
    image = make_image("1.2.3", body_size=4000)

    async def go():
        async with make_client(sim, "udp") as c:
            first = ImageUploadWrite(off=0, data=image.data[:128], len=len(image.data), image=3)
            assert_err_v2(await c.request(first), IMAGE, 9)

    run(go())
