"""SMP over UDP secured with DTLS (overlays/udp-dtls.conf), on native_sim (tests/zephyr/run-dtls).

    python dtls_check.py ZEPHYR_EXE PORT WORKDIR

Starts ZEPHYR_EXE (built with overlays/udp.conf, udp-native-sim.conf and udp-dtls.conf for
UDP port PORT) in WORKDIR and checks, with a DTLS 1.2 PSK client (python-mbedtls, module
`mbedtls`) on 127.0.0.1:PORT:
- the handshake succeeds with the PSK and identity of the build's .config, an SMP echo and
  an image state read are answered inside the session, and the session's close_notify lets
  the next client in (Zephyr's DTLS server has one peer per socket at a time);
- a plain UDP SMP echo to the same port gets no answer (before a session and during one);
- a client with a wrong PSK does not complete the handshake, and a right one connects after;
- with RUST_SMP_ACCESS_POLICY_WRITES_ONLY_SECURE (run-dtls builds it, with serial on uart1,
  a PTY): an image erase is served over DTLS and refused with rc 11 over serial, where echo
  and image state read are served.
"""

from __future__ import annotations

import asyncio
import re
import socket
import struct
import subprocess
import sys
import time
from contextlib import suppress
from pathlib import Path

import cbor2
from mbedtls import tls
from smpclient import SMPClient
from smpclient.requests.image_management import ImageErase, ImageStatesRead
from smpclient.requests.os_management import EchoWrite
from smpclient.transport.serial import SMPSerialTransport

# Cipher suites overlays/udp-dtls.conf enables (PSK key exchange, AES-CCM/GCM).
CIPHERS = (
    "TLS-PSK-WITH-AES-128-GCM-SHA256",
    "TLS-PSK-WITH-AES-128-CCM",
    "TLS-PSK-WITH-AES-128-CCM-8",
)


def option(config: str, name: str) -> str:
    match = re.search(rf'^CONFIG_{name}="(.*)"$', config, re.M)
    assert match, f"CONFIG_{name} not in .config"
    return match[1]


def main(exe: str, port: int, workdir: Path) -> None:
    config = (Path(exe).parent / ".config").read_text()
    psk = bytes.fromhex(option(config, "RUST_SMP_TRANSPORT_UDP_DTLS_PSK"))
    identity = option(config, "RUST_SMP_TRANSPORT_UDP_DTLS_PSK_ID")
    assert psk, "the build has no test PSK (CONFIG_RUST_SMP_TRANSPORT_UDP_DTLS_PSK)"
    log_path = workdir / "zephyr-dtls.log"
    with open(log_path, "wb") as log:
        pty = workdir / "smp-pty"
        proc = subprocess.Popen(
            [exe, f"--uart_1_attach_uart_cmd=ln -sfn %s {pty}"],
            cwd=workdir,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        text = wait_for("rust_smp: ready", log_path, proc, 10)
        assert "cannot bind UDP" not in text, "the DTLS sockets did not open (see the log)"
        check(port, psk, identity)
        if "RUST_SMP_ACCESS_POLICY_WRITES_ONLY_SECURE=y" in config:
            policy(port, psk, identity, str(pty))
        assert proc.poll() is None, f"zephyr.exe exited ({proc.returncode})"
    except BaseException:
        print(f"--- zephyr.exe's log:\n{log_path.read_text(errors='replace')}", file=sys.stderr)
        raise
    finally:
        proc.terminate()
        proc.wait(10)


def wait_for(what: str, log_path: Path, proc: subprocess.Popen, seconds: float) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        text = log_path.read_text(errors="replace")
        if what in text:
            return text
        assert proc.poll() is None, f"zephyr.exe exited ({proc.returncode}) before {what!r}"
        time.sleep(0.1)
    raise AssertionError(f"no {what!r} in zephyr.exe's log within {seconds} s")


def session(port: int, psk: bytes, identity: str, timeout: float = 5.0) -> tls.TLSWrappedSocket:
    """A DTLS 1.2 session with the server, handshake done (raises if it fails)."""
    conf = tls.DTLSConfiguration(
        validate_certificates=False,
        ciphers=CIPHERS,
        lowest_supported_version=tls.DTLSVersion.DTLSv1_2,
        highest_supported_version=tls.DTLSVersion.DTLSv1_2,
        pre_shared_key=(identity, psk),
        handshake_timeout_min=0.5,
        handshake_timeout_max=timeout,
    )
    raw = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    raw.settimeout(timeout)
    sock = tls.ClientContext(conf).wrap_socket(raw, server_hostname=None)
    sock.connect(("127.0.0.1", port))
    try:
        sock.do_handshake()
    except BaseException:
        sock.close()
        raise
    return sock


def exchange(send, recv, request: bytes) -> dict:
    """Sends one SMP request, returns the response's CBOR map (header checked)."""
    send(request)
    response = recv()
    op, _, length, group, seq, cmd = struct.unpack(">BBHHBB", response[:8])
    rop, _, _, rgroup, rseq, rcmd = struct.unpack(">BBHHBB", request[:8])
    assert (op, group, seq, cmd) == (rop + 1, rgroup, rseq, rcmd), response[:8]
    assert length == len(response) - 8, (length, len(response))
    return cbor2.loads(response[8:])


def plain_echo_unanswered(port: int, what: str) -> None:
    """A plain UDP SMP echo to the DTLS port gets nothing back within 2 s."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as plain:
        plain.settimeout(2.0)
        plain.sendto(EchoWrite(d="plain").BYTES, ("127.0.0.1", port))
        try:
            data = plain.recv(2048)
        except socket.timeout:
            print(f"  plain UDP echo {what}: no answer in 2 s")
            return
    raise AssertionError(f"plain UDP echo {what} was answered: {data!r}")


def served(port: int, psk: bytes, identity: str, label: str, extra=None) -> None:
    start = time.monotonic()
    sock = session(port, psk, identity)
    try:
        print(f"  {label}: handshake ok ({time.monotonic() - start:.2f} s)")
        recv = lambda: sock.recv(4096)  # noqa: E731
        text = f"over DTLS ({label})"
        rsp = exchange(sock.send, recv, EchoWrite(d=text, sequence=7).BYTES)
        assert rsp == {"r": text}, rsp
        print(f"  {label}: echo answered {rsp}")
        if extra:
            extra(sock, recv)
    finally:
        # close_notify: the server is free for the next client. (The UDP
        # socket's own shutdown may refuse: no matter.)
        with suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()


def check(port: int, psk: bytes, identity: str) -> None:
    print(f"DTLS server on 127.0.0.1:{port}, PSK identity {identity!r}")
    plain_echo_unanswered(port, "before any session")

    def more(sock, recv) -> None:
        rsp = exchange(sock.send, recv, ImageStatesRead().BYTES)
        # No bootloader on native_sim and a blank flash: no image in the
        # slots, but an answer (an error would be {"rc": ...}).
        assert "images" in rsp and "rc" not in rsp, rsp
        print(f"  image state read answered: {rsp}")
        plain_echo_unanswered(port, "from another port during the session")
        big = "x" * 300  # within the default build's 384-byte buffers
        rsp = exchange(sock.send, recv, EchoWrite(d=big, sequence=8).BYTES)
        assert rsp == {"r": big}, len(rsp.get("r", ""))
        print("  300-character echo answered")

    served(port, psk, identity, "first session", more)
    served(port, psk, identity, "second session (after close_notify)")

    wrong = bytes(b ^ 0xFF for b in psk)
    try:
        sock = session(port, wrong, identity, timeout=3.0)
    except Exception as err:  # noqa: BLE001 (python-mbedtls raises TLSError or a timeout)
        print(f"  wrong PSK: handshake refused ({type(err).__name__}: {err})")
    else:
        sock.close()
        raise AssertionError("a wrong PSK completed the handshake")
    served(port, psk, identity, "after the wrong PSK")
    print("DTLS checks passed")


def policy(port: int, psk: bytes, identity: str, pty: str) -> None:
    """Writes only over the secured link: an image erase is served over DTLS
    and refused with rc 11 over serial, where reads and echo are served."""
    print("access policy: writes only over secured links")
    erase = ImageErase(slot=1, sequence=9).BYTES

    def over_dtls(sock, recv) -> None:
        rsp = exchange(sock.send, recv, erase)
        assert rsp.get("rc") != 11, rsp
        print(f"  image erase over DTLS served: {rsp}")

    served(port, psk, identity, "policy session", over_dtls)

    async def over_serial() -> None:
        async with SMPClient(SMPSerialTransport(), pty) as client:
            rsp = await client.request(ImageErase(slot=1), timeout_s=5)
            assert getattr(rsp, "rc", None) == 11, rsp
            print(f"  image erase over serial refused: rc {rsp.rc}")
            rsp = await client.request(EchoWrite(d="serial"), timeout_s=5)
            assert getattr(rsp, "r", None) == "serial", rsp
            rsp = await client.request(ImageStatesRead(), timeout_s=5)
            assert hasattr(rsp, "images"), rsp
            print("  echo and image state read over serial served")

    asyncio.run(over_serial())


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), Path(sys.argv[3]))
