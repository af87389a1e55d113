"""Pipelined image upload (docs/protocol.md, "image (1)" and "Pipelining"): a client keeps `buf_count - 1` upload
requests in flight, as nRF Connect Device Manager and mcumgr-web's fast mode do (the virtual
device takes even `buf_count`); every request is answered, in order, with the offset that
follows it, and the image arrives intact."""

from __future__ import annotations

import os

import pytest

import smp_raw
from conftest import EXTERNAL

GROUP_IMAGE = 1
IMG_UPLOAD, IMG_STATE = 1, 0
NETBUF_SIZE, NETBUF_COUNT = 2048, 4  # the virtual device's, as started here


def upload_requests(image, chunk: int) -> list[tuple[bytes, int]]:
    """(request, offset expected in its answer) for every chunk of `image`."""
    out = []
    for seq, off in enumerate(range(0, len(image.data), chunk)):
        body = {"off": off, "data": image.data[off : off + chunk]}
        if off == 0:
            body.update({"image": 0, "len": len(image.data), "sha": image.sha})
        req = smp_raw.request(smp_raw.OP_WRITE, GROUP_IMAGE, seq % 256, IMG_UPLOAD, body)
        out.append((req, min(off + chunk, len(image.data))))
    return out


def open_link(sim, transport):
    return smp_raw.RawUdp(sim.udp_addr) if transport == "udp" else smp_raw.RawSerial(sim.pty)


@pytest.mark.parametrize("beyond", [-1, 0], ids=["window-count-minus-1", "window-count"])
def test_windowed_upload_is_answered_in_order_and_lands_intact(start_sim, transport, make_image, beyond):
    """A window of buf_count - 1 requests (what os params promises), and on the virtual device
    of buf_count. With SMP_TARGET, the buffers are SMP_TARGET_NETBUF's."""
    if EXTERNAL is None:
        sim = start_sim(netbuf_size=NETBUF_SIZE, netbuf_count=NETBUF_COUNT)
        size, count = NETBUF_SIZE, NETBUF_COUNT
    else:
        if beyond == 0:
            pytest.skip("a window of the whole buffer count: the virtual device's promise only")
        sim = start_sim()
        size, count = (int(n) for n in os.environ.get("SMP_TARGET_NETBUF", "384x4").split("x"))
    window = count + beyond
    image = make_image("3.1.0", body_size=40 * 1024, signed=False, seed=21)
    link = open_link(sim, transport)
    try:
        # Half a buffer of data per request: the packet stays well inside it.
        requests = upload_requests(image, size // 2)
        for start in range(0, len(requests), window):
            batch = requests[start : start + window]
            for req, _ in batch:
                link.send(req)  # no wait: the whole window is in flight
            answers = link.recv_packets(len(batch), timeout=5.0)
            assert len(answers) == len(batch), f"window at {start}: {len(answers)} of {len(batch)} answered"
            for (req, want_off), rsp in zip(batch, answers):
                smp_raw.assert_response_to(rsp, req)
                body = rsp.body
                assert body["off"] == want_off, body
        assert body.get("match") is True, body

        state = link.transact(smp_raw.request(smp_raw.OP_READ, GROUP_IMAGE, 200, IMG_STATE, {}))
        slots = {s["slot"]: s for s in state.body["images"]}
        assert slots[1]["hash"] == image.hash and slots[1]["version"] == image.version, slots
    finally:
        link.close()
