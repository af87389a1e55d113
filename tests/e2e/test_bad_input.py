"""Hand-built and malformed requests over raw UDP sockets and raw PTY writes.

After each bad input the device must still answer the next echo correctly.
Expected answers: docs/protocol.md, "Packets", "Errors" and "Transports".
"""

from __future__ import annotations

import random

import pytest

import smp_raw
from smp_raw import GROUP_ENUM, GROUP_OS, OP_READ, OP_WRITE, OP_WRITE_RSP, RawSerial, RawUdp

ECHO_V2_HI = bytes.fromhex("0A 00 00 06 00 00 01 00 A1 61 64 62 68 69")  # the serial framing's example
ECHO_V2_HI_LINE = b"\x06\x09ABAKAAAGAAABAKFhZGJoaaWv\x0a"


class Raw:
    """One raw connection to the device over `transport`, packet-level."""

    def __init__(self, sim, transport: str):
        self.sim = sim
        self.transport = transport
        self.conn = RawUdp(sim.udp_addr) if transport == "udp" else RawSerial(sim.pty)
        self.seq = 100

    def close(self):
        self.conn.close()

    def send_packet(self, pkt: bytes) -> None:
        """One datagram, or one serial frame."""
        self.conn.send(pkt)

    def recv(self, count: int = 1, timeout: float = 2.0):
        return self.conn.recv_packets(count, timeout)

    def transact(self, pkt: bytes, timeout: float = 2.0) -> smp_raw.Packet:
        self.send_packet(pkt)
        got = self.recv(1, timeout)
        assert got, f"no response over {self.transport} to {pkt.hex()}\n{self.sim.log_text()}"
        smp_raw.assert_response_to(got[0], pkt)
        return got[0]

    def quiet(self, wait: float = 0.5) -> None:
        got = self.conn.drain(wait)
        assert not got, f"expected no response, got {got}"

    def assert_echo(self, text: str = "still alive") -> None:
        self.seq = (self.seq + 1) % 256
        req = smp_raw.echo_request(text, self.seq, ver=1)
        rsp = self.transact(req)
        assert rsp.body == {"r": text}, rsp
        assert self.sim.alive()


@pytest.fixture
def raw(sim, transport):
    r = Raw(sim, transport)
    r.assert_echo("first")
    yield r
    r.close()


# --------------------------------------------------------------------------------------
# Well-formed requests, byte-exact


def test_spec_vector_echo(raw):
    rsp = raw.transact(ECHO_V2_HI)
    assert (rsp.ver, rsp.op, rsp.flags, rsp.group, rsp.seq, rsp.cmd) == (1, OP_WRITE_RSP, 0, 0, 1, 0)
    assert rsp.body == {"r": "hi"}


def test_spec_vector_serial_line(sim):
    s = RawSerial(sim.pty)
    try:
        s.write(ECHO_V2_HI_LINE)
        (rsp,) = s.recv_packets(1)
        assert rsp.body == {"r": "hi"} and rsp.seq == 1 and rsp.op == OP_WRITE_RSP
    finally:
        s.close()


@pytest.mark.parametrize("ver", [0, 1])
def test_echo_read_and_write_versions(raw, ver):
    for op in (OP_READ, OP_WRITE):
        req = smp_raw.request(op, GROUP_OS, 7, 0, {"d": "rw"}, ver=ver)
        rsp = raw.transact(req)
        assert rsp.body == {"r": "rw"}


def test_seq_echoed(raw):
    for seq in (0, 1, 0x7F, 0x80, 0xFE, 0xFF):
        rsp = raw.transact(smp_raw.echo_request(f"s{seq}", seq))
        assert rsp.seq == seq and rsp.body == {"r": f"s{seq}"}


def test_request_flags_ignored(raw):
    req = bytearray(smp_raw.echo_request("flags", 3))
    req[1] = 0x5A
    rsp = raw.transact(bytes(req))
    assert rsp.flags == 0 and rsp.body == {"r": "flags"}


def test_cbor_variants_accepted(raw):
    # indefinite-length map
    rsp = raw.transact(smp_raw.packet(OP_WRITE, GROUP_OS, 4, 0, bytes.fromhex("BF 61 64 62 68 69 FF")))
    assert rsp.body == {"r": "hi"}
    # unknown keys are skipped, in any position
    rsp = raw.transact(smp_raw.request(OP_WRITE, GROUP_OS, 5, 0, {"zz": [1, {"a": b"x"}], "d": "k", "q": None}))
    assert rsp.body == {"r": "k"}
    # indefinite-length text string
    rsp = raw.transact(smp_raw.packet(OP_WRITE, GROUP_OS, 6, 0, bytes.fromhex("A1 61 64 7F 61 61 61 62 FF")))
    assert rsp.body in ({"r": "ab"}, {"rc": 3}), rsp


def test_zero_length_payload_as_empty_map(raw):
    # params, enum count/list: no input to parse
    for group, cmd, keys in ((GROUP_OS, 6, {"buf_size", "buf_count"}), (GROUP_ENUM, 0, {"count"}), (GROUP_ENUM, 1, {"groups"})):
        rsp = raw.transact(smp_raw.packet(OP_READ, group, 9, cmd, b""))
        assert set(rsp.body) == keys, rsp
    # echo parses its input: no "d" -> rc 3
    assert raw.transact(smp_raw.packet(OP_WRITE, GROUP_OS, 9, 0, b"")).body == {"rc": 3}
    raw.assert_echo()


@pytest.mark.parametrize(
    "group,cmd,op,body,v1,v2",
    [
        # (request)                        v1 answer   v2 answer
        (GROUP_OS, 4, OP_READ, {}, {"rc": 5}, {"err": {"group": 0, "rc": 4}}),  # RTC not set
        (GROUP_OS, 7, OP_READ, {"format": "x"}, {"rc": 3}, {"err": {"group": 0, "rc": 2}}),
        (GROUP_OS, 8, OP_READ, {"query": "nope"}, {"rc": 5}, {"err": {"group": 0, "rc": 3}}),
        (GROUP_ENUM, 2, OP_READ, {"index": 1000}, {"rc": 1}, {"err": {"group": 10, "rc": 4}}),
        (GROUP_ENUM, 3, OP_READ, {"groups": list(range(17))}, {"rc": 3}, {"err": {"group": 10, "rc": 2}}),
    ],
)
def test_group_errors_v1_translated_v2_err(raw, group, cmd, op, body, v1, v2):
    """A v1 request gets the translated rc only, a v2 request err{group, rc}."""
    assert raw.transact(smp_raw.request(op, group, 71, cmd, body, ver=0)).body == v1
    assert raw.transact(smp_raw.request(op, group, 72, cmd, body, ver=1)).body == v2
    raw.assert_echo()


@pytest.mark.parametrize(
    "group,cmd,op,body",
    [
        (GROUP_ENUM, 2, OP_READ, {"index": 65536}),  # > u16
        (GROUP_ENUM, 2, OP_READ, {"index": -1}),
        (GROUP_ENUM, 2, OP_READ, {"index": "0"}),
        (GROUP_ENUM, 3, OP_READ, {"groups": 10}),
        (GROUP_ENUM, 3, OP_READ, {"groups": ["os"]}),
        (GROUP_OS, 7, OP_READ, {"format": 1}),
        (GROUP_OS, 8, OP_READ, {"query": b"mode"}),
        (GROUP_OS, 4, OP_WRITE, {"datetime": 1700000000}),
        (GROUP_OS, 4, OP_WRITE, {}),
        (GROUP_OS, 5, OP_WRITE, {"boot_mode": "one"}),
        (GROUP_OS, 5, OP_WRITE, {"boot_mode": 256}),
    ],
)
def test_wrong_field_types_rc3(raw, group, cmd, op, body):
    rsp = raw.transact(smp_raw.request(op, group, 73, cmd, body))
    assert rsp.body == {"rc": 3}, rsp
    raw.assert_echo()


def test_pipelined_requests(start_sim, transport):
    """buf_count - 1 requests in flight at once are all answered, in order."""
    sim = start_sim(netbuf_count=4)
    r = Raw(sim, transport)
    try:
        reqs = [smp_raw.echo_request(f"pipe {i}", 80 + i) for i in range(3)]
        for req in reqs:
            r.send_packet(req)
        got = r.recv(3)
        assert [p.body for p in got] == [{"r": f"pipe {i}"} for i in range(3)], got
        for req, rsp in zip(reqs, got):
            smp_raw.assert_response_to(rsp, req)
    finally:
        r.close()


@pytest.mark.parametrize("transport_", ["udp", "serial"])
def test_echo_filling_the_buffer(start_sim, transport_):
    """An echo as large as buf_size allows: answered whole, or rc 7 if the answer does not fit."""
    sim = start_sim(netbuf_size=384, netbuf_count=2)
    r = Raw(sim, transport_)
    try:
        # serial: the 2 CRC bytes share the buffer
        room = 384 - 8 - 6 - (2 if transport_ == "serial" else 0)
        text = "f" * room
        req = smp_raw.echo_request(text, 90)
        rsp = r.transact(req)
        assert rsp.body in ({"r": text}, {"rc": 7}), str(rsp)[:200]
        r.assert_echo()
    finally:
        r.close()


# --------------------------------------------------------------------------------------
# Bad requests that get an SMP-level error


@pytest.mark.parametrize(
    "payload",
    [
        "81 01",  # array
        "01",  # integer
        "61 61",  # text string
        "41 00",  # byte string
        "F6",  # null
        "F5",  # true
        "FF",  # lone break: invalid CBOR
        "A1 61 64",  # map whose value is missing
        "A1 61",  # truncated key
        "A2 61 64 61 61 61 64 61 62",  # "d" twice
        "A1 61 64 42 68 69",  # "d" as a byte string
        "A1 61 64 18 2A",  # "d" as an integer
        "A1 01 62 68 69",  # integer key
        "1C",  # reserved additional info
    ],
)
def test_bad_echo_payload_rc3(raw, payload):
    req = smp_raw.packet(OP_WRITE, GROUP_OS, 11, 0, bytes.fromhex(payload))
    rsp = raw.transact(req)
    assert rsp.body == {"rc": 3}, rsp
    raw.assert_echo()


@pytest.mark.parametrize("ver", [2, 3])
def test_version_too_new_rc13(raw, ver):
    req = smp_raw.echo_request("new", 21, ver=ver)
    assert req[0] == (ver << 3) | OP_WRITE
    raw.send_packet(req)
    got = raw.recv(1)
    assert got, f"no answer to a v{ver} header"
    rsp = got[0]
    smp_raw.assert_response_to(rsp, req, ver=1)
    assert rsp.body == {"rc": 13}
    raw.assert_echo()


@pytest.mark.parametrize(
    "group,cmd,op",
    [
        (200, 0, OP_READ),  # no such group
        (0xFFFF, 0xFF, OP_WRITE),
        (GROUP_OS, 1, OP_WRITE),  # console echo control: not implemented
        (GROUP_OS, 9, OP_READ),  # past the end of the table
        (GROUP_OS, 0xFF, OP_READ),
        (GROUP_OS, 5, OP_READ),  # reset is write-only
        (GROUP_OS, 6, OP_WRITE),  # params are read-only
        (GROUP_ENUM, 4, OP_READ),
        (GROUP_ENUM, 0, OP_WRITE),
    ],
)
@pytest.mark.parametrize("ver", [0, 1])
def test_not_supported_rc8(raw, group, cmd, op, ver):
    req = smp_raw.request(op, group, 31, cmd, {}, ver=ver)
    rsp = raw.transact(req)
    assert rsp.body == {"rc": 8}, rsp
    raw.assert_echo()


@pytest.mark.parametrize("op", [1, 3, 4, 5, 6, 7])
def test_bad_op_rc8(raw, op):
    req = smp_raw.request(op, GROUP_OS, 33, 0, {"d": "x"})
    rsp = raw.transact(req)
    assert rsp.op == OP_WRITE_RSP and rsp.body == {"rc": 8}, rsp
    raw.assert_echo()


@pytest.mark.parametrize("claimed,actual", [(6, 3), (100, 6), (0xFFFF, 6), (0xFFFF, 0), (1, 0)])
def test_length_field_beyond_data_rc9(raw, claimed, actual):
    """nh_len larger than the bytes that follow: {"rc": 9} (ECORRUPT)."""
    body = bytes.fromhex("A1 61 64 62 68 69")[:actual]
    req = smp_raw.header(OP_WRITE, GROUP_OS, 41, 0, claimed) + body
    raw.send_packet(req)
    got = raw.recv(1)
    assert got, "no answer to a truncated packet"
    smp_raw.assert_response_to(got[0], req)
    assert got[0].body == {"rc": 9}, got[0]
    raw.assert_echo()


def test_two_packets_two_responses_in_order(raw):
    a = smp_raw.echo_request("first", 51)
    b = smp_raw.request(OP_READ, GROUP_OS, 52, 6, {})
    raw.send_packet(a + b)
    got = raw.recv(2)
    assert [p.seq for p in got] == [51, 52], got
    smp_raw.assert_response_to(got[0], a)
    smp_raw.assert_response_to(got[1], b)
    assert got[0].body == {"r": "first"}
    assert set(got[1].body) == {"buf_size", "buf_count"}
    raw.quiet(0.3)
    raw.assert_echo()


def test_three_packets_in_one(raw):
    reqs = [smp_raw.echo_request(f"p{i}", 60 + i, ver=i % 2) for i in range(3)]
    raw.send_packet(b"".join(reqs))
    got = raw.recv(3)
    assert [p.body for p in got] == [{"r": "p0"}, {"r": "p1"}, {"r": "p2"}], got
    for req, rsp in zip(reqs, got):
        smp_raw.assert_response_to(rsp, req)


def test_packet_then_short_garbage(raw):
    """A valid packet followed by < 8 bytes: the packet is answered, the rest is not."""
    req = smp_raw.echo_request("head", 70)
    raw.send_packet(req + b"\x01\x02\x03")
    (rsp,) = raw.recv(1)
    assert rsp.body == {"r": "head"}
    smp_raw.assert_response_to(rsp, req)
    raw.quiet(0.3)
    raw.assert_echo()


# --------------------------------------------------------------------------------------
# UDP datagram level


@pytest.fixture
def udp(sim):
    u = RawUdp(sim.udp_addr)
    yield u
    u.close()


def udp_echo(sim, u: RawUdp, text="ok", seq=200):
    """Echo; answers to earlier (random) datagrams still in flight are skipped."""
    req = smp_raw.echo_request(text, seq)
    u.send(req)
    rsp = None
    for _ in range(1000):
        got = u.recv_packets(1, 2.0)
        assert got, f"no answer to the echo {req.hex()}"
        if (got[0].group, got[0].cmd, got[0].seq) == (0, 0, seq):
            rsp = got[0]
            break
    smp_raw.assert_response_to(rsp, req)
    assert rsp.body == {"r": text}
    assert sim.alive()


@pytest.mark.parametrize("n", [0, 1, 7])
def test_udp_short_datagram_no_response(sim, udp, n):
    udp.send(bytes(range(n)))
    assert udp.drain(0.5) == []
    udp_echo(sim, udp)


def test_udp_random_datagrams(sim, udp):
    rng = random.Random(1337)
    for i in range(200):
        n = rng.choice([1, 5, 8, 9, 12, 16, 40, 100, 300, 1000, 1472])
        udp.send(bytes(rng.getrandbits(8) for _ in range(n)))
        if i % 20 == 0:
            udp_echo(sim, udp, f"r{i}", seq=i)
    # Whatever came back must be well-formed SMP.
    for datagram in udp.drain(0.5):
        smp_raw.parse_packets(datagram)
    udp_echo(sim, udp, "after random")


def test_udp_random_headers_valid_lengths(sim, udp):
    """Random headers with consistent lengths and random payloads: every one is answered."""
    rng = random.Random(7)
    for i in range(100):
        payload = bytes(rng.getrandbits(8) for _ in range(rng.randrange(0, 60)))
        hdr = bytearray(smp_raw.header(rng.choice([0, 2]), rng.choice([0, 10, rng.randrange(200, 65536)]), i, rng.randrange(12), len(payload), ver=rng.choice([0, 1])))
        req = bytes(hdr) + payload
        if req[4:6] == b"\x00\x00" and req[7] == 5 and req[0] & 7 == OP_WRITE:
            continue  # do not reset the device here
        udp.send(req)
        got = udp.recv_packets(1, 2.0)
        assert got, f"no answer to {req.hex()}"
        smp_raw.assert_response_to(got[0], req)
        assert isinstance(got[0].body, dict), got[0]
    udp_echo(sim, udp, "after random headers")


@pytest.mark.parametrize("size", [1025, 2000, 9000, 65000])
def test_udp_datagram_larger_than_buffer(start_sim, size):
    """A datagram larger than buf_size cannot be received whole: no success answer, and
    the device goes on answering."""
    sim = start_sim(netbuf_size=1024, netbuf_count=2)
    u = RawUdp(sim.udp_addr)
    try:
        text = "z" * (size - 14)
        req = smp_raw.echo_request(text, 90)
        assert len(req) >= size
        u.send(req)
        for datagram in u.drain(0.5):
            for p in smp_raw.parse_packets(datagram):
                assert p.body is not None and "rc" in p.body, f"oversized request answered: {p!r}"[:300]
        udp_echo(sim, u)
    finally:
        u.close()


def test_udp_two_clients(sim):
    a, b = RawUdp(sim.udp_addr), RawUdp(sim.udp_addr)
    try:
        a.send(smp_raw.echo_request("to a", 1))
        b.send(smp_raw.echo_request("to b", 1))
        (ra,) = a.recv_packets(1)
        (rb,) = b.recv_packets(1)
        assert ra.body == {"r": "to a"} and rb.body == {"r": "to b"}
    finally:
        a.close()
        b.close()


# --------------------------------------------------------------------------------------
# Serial line level


@pytest.fixture(params=["console", "shell"])
def serial_sim(request, start_sim):
    """The device, with SMP alone on the serial link or beside the shell
    (`--serial-framing shell`: the same rules for every frame)."""
    if request.param == "shell":
        return start_sim(extra=["--serial-framing", "shell"])
    return start_sim()


@pytest.fixture
def ser(serial_sim):
    s = RawSerial(serial_sim.pty)
    yield s
    s.close()


def ser_echo(sim, s: RawSerial, text="ok", seq=200):
    s.write(b"\n")  # end whatever line the garbage left open
    req = smp_raw.echo_request(text, seq)
    rsp = s.transact(req)
    smp_raw.assert_response_to(rsp, req)
    assert rsp.body == {"r": text}
    assert sim.alive()


def quiet(s: RawSerial, wait=0.5):
    got = s.drain(wait)
    assert not got, f"expected no response, got {got}"


def random_noise(rng: random.Random, n: int) -> bytes:
    """Random bytes with no line that starts with an SMP marker."""
    data = bytearray(rng.getrandbits(8) for _ in range(n))
    lines = bytes(data).split(b"\n")
    lines = [b"x" + l if l[:1] in (b"\x06", b"\x04") else l for l in lines]
    return b"\n".join(lines) + b"\n"


def test_serial_random_bytes(serial_sim, ser):
    rng = random.Random(42)
    for i in range(20):
        ser.write(random_noise(rng, rng.choice([1, 10, 100, 500, 3000])))
    quiet(ser)
    ser_echo(serial_sim, ser, "after noise")


def test_serial_text_lines(serial_sim, ser):
    ser.write(b"hello\r\nuart:~$ kernel threads\n\n\n\r\n   \n")
    quiet(ser)
    ser_echo(serial_sim, ser)


@pytest.mark.parametrize(
    "line",
    [
        b"\x06\x09\n",  # start marker, nothing else
        b"\x06\x09AB!@#$%^\n",  # not base64
        b"\x06\x09ABAKAAAGAAABAKFhZGJoaaW\n",  # base64 length not a multiple of 4
        b"\x06\x09AB=KAAAGAAABAKFhZGJoaaWv\n",  # '=' mid-stream
        b"\x06\x09ABAKAAAGAAABAKFhZGJoaaWw\n",  # CRC off by one
        b"\x06\x09ABAKAAAGAAABAKFhZGJoaAAA\n",  # CRC zeroed
        b"\x04\x14ABAKAAAGAAABAKFhZGJoaaWv\n",  # orphan continuation
        b"\x06\x09AAA=\n",  # length field cut short
    ],
)
def test_serial_bad_line_dropped(serial_sim, ser, line):
    ser.write(line)
    quiet(ser)
    ser_echo(serial_sim, ser)


def test_serial_bad_crc_frames(serial_sim, ser):
    for seq in range(10):
        frame = bytearray(smp_raw.serial_frame(smp_raw.echo_request("crc", seq)))
        frame[-1 - seq % 3] ^= 1 << (seq % 8)
        ser.write(smp_raw.encode_lines(bytes(frame)))
    quiet(ser)
    ser_echo(serial_sim, ser)


@pytest.mark.parametrize("length", [0, 1, 2, 3, 0x1000, 0xFFFF])
def test_serial_bad_length_field(serial_sim, ser, length):
    pkt = smp_raw.echo_request("len", 9)
    frame = bytearray(smp_raw.serial_frame(pkt))
    frame[0:2] = length.to_bytes(2, "big")
    ser.write(smp_raw.encode_lines(bytes(frame)))
    quiet(ser)
    ser_echo(serial_sim, ser)


def test_serial_truncated_frame_then_new_frame(serial_sim, ser):
    """A multi-line frame whose continuation never comes: the next start line resets it."""
    long = smp_raw.serial_encode(smp_raw.echo_request("q" * 200, 12))
    first_line = long.split(b"\n")[0] + b"\n"
    ser.write(first_line)
    quiet(ser, 0.3)
    req = smp_raw.echo_request("fresh", 13)
    rsp = ser.transact(req)
    assert rsp.body == {"r": "fresh"} and rsp.seq == 13


def test_serial_frame_with_extra_data_dropped(serial_sim, ser):
    """Decoded bytes beyond the length field: dropped."""
    pkt = smp_raw.echo_request("xtra", 14)
    frame = smp_raw.serial_frame(pkt) + b"\x00\x00\x00"
    ser.write(smp_raw.encode_lines(frame))
    quiet(ser)
    ser_echo(serial_sim, ser)


def test_serial_overlong_line(serial_sim, ser):
    ser.write(b"\x06\x09" + b"A" * 5000 + b"\n")
    quiet(ser)
    ser_echo(serial_sim, ser)


def test_serial_binary_junk_without_newline_then_frame(serial_sim, ser):
    ser.write(bytes(range(256)) * 4)
    ser.write(b"\n")
    quiet(ser)
    ser_echo(serial_sim, ser)


@pytest.mark.parametrize("chunk", [3, 48, 93])
def test_serial_line_splits(serial_sim, ser, chunk):
    """Any split into independently decodable lines is accepted (Zephyr style: <= 93 raw bytes)."""
    text = "m" * 250
    req = smp_raw.echo_request(text, 15)
    ser.write(smp_raw.serial_encode(req, chunk))
    (rsp,) = ser.recv_packets(1)
    assert rsp.body == {"r": text}


def test_serial_python_style_split(serial_sim, ser):
    text = "p" * 250
    req = smp_raw.echo_request(text, 16)
    ser.write(smp_raw.serial_encode_python_style(req))
    (rsp,) = ser.recv_packets(1)
    assert rsp.body == {"r": text}


def test_serial_crlf_line_end(serial_sim, ser):
    ser.write(ECHO_V2_HI_LINE[:-1] + b"\r\n")
    (rsp,) = ser.recv_packets(1)
    assert rsp.body == {"r": "hi"}


def test_serial_two_frames_one_write(serial_sim, ser):
    a = smp_raw.echo_request("one", 17)
    b = smp_raw.echo_request("two", 18)
    ser.write(smp_raw.serial_encode(a) + smp_raw.serial_encode(b))
    got = ser.recv_packets(2)
    assert [p.body for p in got] == [{"r": "one"}, {"r": "two"}], got


def test_serial_byte_by_byte(serial_sim, ser):
    req = smp_raw.echo_request("slow", 19)
    for byte in smp_raw.serial_encode(req, 48):
        ser.write(bytes([byte]))
    (rsp,) = ser.recv_packets(1)
    assert rsp.body == {"r": "slow"}


def test_serial_response_lines_within_127(serial_sim, ser, request):
    text = "w" * 300
    req = smp_raw.echo_request(text, 20)
    ser.write(smp_raw.serial_encode(req))
    (rsp,) = ser.recv_packets(1)
    assert rsp.body == {"r": text}
    assert max(ser.decoder.line_lengths) <= smp_raw.MAX_LINE, ser.decoder.line_lengths
    if request.node.callspec.params["serial_sim"] == "console":
        # Beside the shell its prompt is on the link too.
        assert ser.decoder.noise == [], "non-SMP output on the SMP serial port"
