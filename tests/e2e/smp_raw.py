"""Hand-rolled SMP helpers for the raw-byte tests: headers, serial framing, raw clients.

Nothing here uses smpclient, so these helpers check the device against the spec
(docs/protocol.md: packets, serial framing, UDP) independently of any client library.
"""

from __future__ import annotations

import base64
import select
import socket
import struct
import time
from dataclasses import dataclass

import cbor2

HEADER = struct.Struct(">BBHHBB")

OP_READ, OP_READ_RSP, OP_WRITE, OP_WRITE_RSP = 0, 1, 2, 3
GROUP_OS, GROUP_ENUM = 0, 10

START = b"\x06\x09"
CONTINUE = b"\x04\x14"
MAX_LINE = 127  # MCUMGR_SERIAL_MAX_FRAME, incl. the 2-byte marker and the newline


def crc16_xmodem(data: bytes) -> int:
    """CRC-16/XMODEM: poly 0x1021, init 0, not reflected, no final xor."""
    crc = 0
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
            crc &= 0xFFFF
    return crc


assert crc16_xmodem(b"123456789") == 0x31C3


@dataclass(frozen=True)
class Packet:
    ver: int
    op: int
    flags: int
    length: int
    group: int
    seq: int
    cmd: int
    payload: bytes

    @property
    def body(self):
        return cbor2.loads(self.payload) if self.payload else None

    def __repr__(self) -> str:
        return (
            f"Packet(ver={self.ver} op={self.op} flags={self.flags} len={self.length} "
            f"group={self.group} seq={self.seq} id={self.cmd} payload={self.payload.hex()})"
        )


def header(op: int, group: int, seq: int, cmd: int, length: int, ver: int = 1, flags: int = 0) -> bytes:
    return HEADER.pack((ver << 3) | op, flags, length, group, seq, cmd)


def packet(op: int, group: int, seq: int, cmd: int, payload: bytes = b"", ver: int = 1) -> bytes:
    return header(op, group, seq, cmd, len(payload), ver) + payload


def request(op: int, group: int, seq: int, cmd: int, body=None, ver: int = 1) -> bytes:
    payload = b"" if body is None else cbor2.dumps(body)
    return packet(op, group, seq, cmd, payload, ver)


def echo_request(text: str, seq: int, ver: int = 1) -> bytes:
    return request(OP_WRITE, GROUP_OS, seq, 0, {"d": text}, ver)


def parse_packets(data: bytes) -> list[Packet]:
    """Splits back-to-back SMP packets (one UDP datagram may carry several)."""
    out = []
    while data:
        assert len(data) >= 8, f"trailing {len(data)} bytes are no SMP header: {data.hex()}"
        b0, flags, length, group, seq, cmd = HEADER.unpack_from(data)
        payload = data[8 : 8 + length]
        assert len(payload) == length, f"header says {length} payload bytes, got {len(payload)}"
        out.append(Packet((b0 >> 3) & 3, b0 & 7, flags, length, group, seq, cmd, payload))
        data = data[8 + length :]
    return out


def parse_packet(data: bytes) -> Packet:
    packets = parse_packets(data)
    assert len(packets) == 1, packets
    return packets[0]


def assert_response_to(rsp: Packet, req: bytes, ver: int | None = None) -> None:
    """Header rules (docs/protocol.md, "Packets"): op+1 (READ->READ_RSP, else WRITE_RSP), same group/id/seq, flags 0."""
    b0, _flags, _len, group, seq, cmd = HEADER.unpack_from(req)
    req_op, req_ver = b0 & 7, (b0 >> 3) & 3
    want_op = OP_READ_RSP if req_op == OP_READ else OP_WRITE_RSP
    want_ver = min(req_ver, 1) if ver is None else ver
    assert (rsp.op, rsp.group, rsp.seq, rsp.cmd, rsp.flags, rsp.ver) == (
        want_op,
        group,
        seq,
        cmd,
        0,
        want_ver,
    ), f"response {rsp} does not match request {req.hex()}"


# --------------------------------------------------------------------------------------
# Serial framing


def serial_frame(pkt: bytes) -> bytes:
    """`len_be16 || packet || crc_be16` with len = len(packet) + 2."""
    return struct.pack(">H", len(pkt) + 2) + pkt + struct.pack(">H", crc16_xmodem(pkt))


def encode_lines(raw: bytes, chunk: int = 93) -> bytes:
    """Splits an already framed byte string into lines of `chunk` raw bytes (a multiple of
    3, so every line is independently decodable base64, padding only in the last)."""
    assert chunk % 3 == 0
    out = bytearray()
    for i in range(0, len(raw), chunk):
        out += (START if i == 0 else CONTINUE) + base64.b64encode(raw[i : i + chunk]) + b"\n"
    return bytes(out)


def serial_encode(pkt: bytes, chunk: int = 93) -> bytes:
    return encode_lines(serial_frame(pkt), chunk)


def serial_encode_python_style(pkt: bytes, line_length: int = 128) -> bytes:
    """smpclient/SP style: base64 the whole frame, then cut every ((L-4)//4)*4 chars."""
    b64 = base64.b64encode(serial_frame(pkt))
    step = ((line_length - 4) // 4) * 4
    out = bytearray()
    for i in range(0, len(b64), step):
        out += (START if i == 0 else CONTINUE) + b64[i : i + step] + b"\n"
    return bytes(out)


class SerialDecoder:
    """Reassembles device responses from the serial byte stream, checking the framing."""

    def __init__(self) -> None:
        self.pending = bytearray()
        self.frame: bytearray | None = None
        self.packets: list[Packet] = []
        # Lengths of the frame lines, newline included.
        self.line_lengths: list[int] = []
        self.noise: list[bytes] = []

    def feed(self, data: bytes) -> None:
        self.pending += data
        while b"\n" in self.pending:
            line, _, rest = self.pending.partition(b"\n")
            self.pending = bytearray(rest)
            self._line(bytes(line))

    def _line(self, line: bytes) -> None:
        body = line.rstrip(b"\r")
        # Beside a shell a frame may follow text on its line (a prompt): as the
        # clients do, look for the marker anywhere.
        marker = min((i for i in (body.find(START), body.find(CONTINUE)) if i >= 0), default=-1)
        if marker > 0:
            self.noise.append(body[:marker])
            body = body[marker:]
        if marker >= 0:
            # The frame line's own length, marker to newline (what the device sends as one line).
            self.line_lengths.append(len(line) - marker + 1)
        if body.startswith(START):
            self.frame = bytearray(base64.b64decode(body[2:], validate=True))
        elif body.startswith(CONTINUE):
            assert self.frame is not None, f"continuation line without a start line: {line!r}"
            self.frame += base64.b64decode(body[2:], validate=True)
        else:
            self.noise.append(line)
            return
        if len(self.frame) >= 2:
            (length,) = struct.unpack_from(">H", self.frame)
            if len(self.frame) - 2 >= length:
                assert len(self.frame) - 2 == length, f"frame longer than its length field: {self.frame.hex()}"
                data = bytes(self.frame[2:])
                assert crc16_xmodem(data) == 0, f"bad CRC in response frame {data.hex()}"
                self.packets.extend(parse_packets(data[:-2]))
                self.frame = None


# --------------------------------------------------------------------------------------
# Raw clients


class RawUdp:
    """A UDP socket that talks to one device endpoint."""

    def __init__(self, addr: tuple[str, int]) -> None:
        self.addr = addr
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))

    def close(self) -> None:
        self.sock.close()

    def send(self, data: bytes) -> None:
        self.sock.sendto(data, self.addr)

    def recv_datagram(self, timeout: float = 2.0) -> bytes | None:
        ready, _, _ = select.select([self.sock], [], [], timeout)
        if not ready:
            return None
        data, src = self.sock.recvfrom(65535)
        assert src == self.addr, f"response from {src}, expected {self.addr}"
        return data

    def recv_packets(self, count: int, timeout: float = 2.0) -> list[Packet]:
        deadline = time.monotonic() + timeout
        out: list[Packet] = []
        while len(out) < count:
            data = self.recv_datagram(max(0.0, deadline - time.monotonic()))
            if data is None:
                break
            out.extend(parse_packets(data))
        return out

    def transact(self, req: bytes, timeout: float = 2.0) -> Packet:
        self.send(req)
        packets = self.recv_packets(1, timeout)
        assert packets, f"no response to {req.hex()}"
        return packets[0]

    def drain(self, quiet: float = 0.3) -> list[bytes]:
        got = []
        while (data := self.recv_datagram(quiet)) is not None:
            got.append(data)
        return got


class RawSerial:
    """The PTY opened in raw mode, with a response decoder."""

    def __init__(self, path: str) -> None:
        import serial  # pyserial

        self.port = serial.Serial(path, 115200, timeout=0)
        self.port.reset_input_buffer()
        self.decoder = SerialDecoder()

    def close(self) -> None:
        self.port.close()

    def write(self, data: bytes) -> None:
        self.port.write(data)
        self.port.flush()

    def send(self, pkt: bytes, chunk: int = 93) -> None:
        self.write(serial_encode(pkt, chunk))

    def _pump(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.port.fileno()], [], [], timeout)
        if not ready:
            return False
        data = self.port.read(4096)
        self.decoder.feed(data)
        return True

    def recv_packets(self, count: int, timeout: float = 2.0) -> list[Packet]:
        deadline = time.monotonic() + timeout
        while len(self.decoder.packets) < count:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            self._pump(left)
        out = self.decoder.packets[:count]
        del self.decoder.packets[:count]
        return out

    def transact(self, pkt: bytes, timeout: float = 2.0) -> Packet:
        self.send(pkt)
        packets = self.recv_packets(1, timeout)
        assert packets, f"no response to {pkt.hex()}"
        return packets[0]

    def drain(self, quiet: float = 0.3) -> list[Packet]:
        while self._pump(quiet):
            pass
        out = list(self.decoder.packets)
        self.decoder.packets.clear()
        return out
