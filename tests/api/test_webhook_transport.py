"""A webhook post connects to the address it checked: a name that resolves
elsewhere a moment later (DNS rebinding) cannot turn a delivery into a
request to the shop's own network. Real receivers on loopback addresses;
only the name's resolution is staged."""

from __future__ import annotations

import socket
import ssl
import subprocess
import threading
import time
import contextlib
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from graphql_api.webhooks import transport
from tests.servers import free_port

NAME = "hooks.shop.example"
PUBLIC = "93.184.216.34"  # a public address, never connected to here


@contextmanager
def receiver(host: str, port: int, status: int = 204, headers: dict | None = None):
    """An endpoint on host:port that records each request it gets."""
    got: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            got.append({"path": self.path, "headers": dict(self.headers),
                        "body": self.rfile.read(int(self.headers["Content-Length"]))})
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer((host, port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield got
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def resolves(monkeypatch):
    """`resolves(first, later)`: NAME gives `first` the first time it is
    looked up and `later` every time after; other names resolve as usual."""
    real = socket.getaddrinfo
    lookups: list[str] = []

    def stage(first: list[str], later: list[str]):
        def getaddrinfo(host, port, *args, **kwargs):
            if host != NAME:
                return real(host, port, *args, **kwargs)
            lookups.append(host)
            addresses = first if len(lookups) == 1 else later
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port)) for address in addresses]

        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
        return lookups

    return stage


def post(url: str, allow_private: bool) -> transport.Outcome:
    return transport.post(url, "whsec_test", 7, 1, b'{"id":"x"}', timeout=5, allow_private=allow_private)


def test_a_name_that_rebinds_to_loopback_after_the_check_is_not_followed_there(resolves, monkeypatch):
    port = free_port()
    lookups = resolves(first=[PUBLIC], later=["127.0.0.1"])
    connected: list[tuple] = []

    def create_connection(address, *args, **kwargs):
        connected.append(address)
        raise ConnectionRefusedError(111, "Connection refused")  # the public address stays untouched

    monkeypatch.setattr(transport.socket, "create_connection", create_connection)
    with receiver("127.0.0.1", port) as got:
        outcome = post(f"http://{NAME}:{port}/hook", allow_private=False)
    assert got == []
    assert connected == [(PUBLIC, port)]
    assert lookups == [NAME]  # resolved once: checked, then connected to
    assert outcome.delivered is False and outcome.status is None and "refused" in outcome.error


def test_a_name_that_resolves_to_loopback_is_refused_without_a_connection(resolves):
    port = free_port()
    resolves(first=["127.0.0.1"], later=["127.0.0.1"])
    with receiver("127.0.0.1", port) as got:
        outcome = post(f"http://{NAME}:{port}/hook", allow_private=False)
    assert got == []
    assert outcome == transport.Outcome(False, None, "The url points to a loopback, private or reserved address.")


def test_the_post_carries_the_name_as_host_with_its_path_query_and_signature(resolves):
    port = free_port()
    resolves(first=["127.0.0.1"], later=[PUBLIC])
    with receiver("127.0.0.1", port) as got:
        outcome = post(f"http://{NAME}:{port}/in/hook?shop=7", allow_private=True)
    assert outcome == transport.Outcome(True, 204, None)
    [request] = got
    assert request["path"] == "/in/hook?shop=7"
    assert request["headers"]["Host"] == f"{NAME}:{port}"
    assert request["headers"]["X-Event-Id"] and request["headers"]["X-Signature"].startswith("t=")
    assert request["body"] == b'{"id":"x"}'


def test_an_address_that_refuses_is_followed_by_the_next_of_the_same_name(resolves):
    port = free_port()
    resolves(first=["127.0.0.1", "127.0.0.2"], later=[PUBLIC])  # nothing listens on 127.0.0.1:port
    with receiver("127.0.0.2", port) as got:
        outcome = post(f"http://{NAME}:{port}/hook", allow_private=True)
    assert outcome.delivered and len(got) == 1


def test_a_redirect_is_an_answer_not_a_hop(resolves):
    port, elsewhere = free_port(), free_port()
    resolves(first=["127.0.0.1"], later=["127.0.0.1"])
    with receiver("127.0.0.1", elsewhere) as redirected:
        with receiver("127.0.0.1", port, status=307,
                      headers={"Location": f"http://127.0.0.1:{elsewhere}/internal"}) as got:
            outcome = post(f"http://{NAME}:{port}/hook", allow_private=True)
    assert outcome == transport.Outcome(False, 307, "HTTP 307")
    assert len(got) == 1 and redirected == []


@contextmanager
def raw_endpoint(port: int, answer):
    """A TCP endpoint on 127.0.0.1:port that reads the request and runs
    `answer(connection)`; what it ran into is left in the list it yields."""
    seen: list = []
    listener = socket.create_server(("127.0.0.1", port))

    def serve():
        connection, _ = listener.accept()
        with connection:
            connection.recv(65536)
            try:
                answer(connection)
                seen.append("answered")
            except OSError as error:
                seen.append(error)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield seen
    finally:
        thread.join(15)
        listener.close()


def test_an_endpoint_that_answers_a_byte_at_a_time_is_cut_off_at_the_timeout(resolves):
    port = free_port()
    resolves(first=["127.0.0.1"], later=["127.0.0.1"])
    stop, dripped = threading.Event(), [0]

    def drip(connection):
        connection.sendall(b"HTTP/1.1 200 OK\r\n")
        for _ in range(40):  # 8 s of one header byte at a time, each well within a read timeout of 1 s
            if stop.wait(0.2):
                return
            connection.sendall(b"X")
            dripped[0] += 1

    with raw_endpoint(port, drip):
        outcome = transport.post(f"http://{NAME}:{port}/hook", "whsec_test", 7, 1, b"{}", timeout=1,
                                 allow_private=True)
        dripped_by_then = dripped[0]
        stop.set()
    assert outcome == transport.Outcome(False, None, transport.TIMED_OUT)
    assert dripped_by_then < 40  # given up on before the endpoint was done


def test_what_an_endpoint_sends_back_is_never_stored_as_the_error(resolves):
    port = free_port()
    resolves(first=["127.0.0.1"], later=["127.0.0.1"])
    with raw_endpoint(port, lambda connection: connection.sendall(b"SSH-2.0-secret-banner\x00\r\n\r\n")):
        outcome = transport.post(f"http://{NAME}:{port}/hook", "whsec_test", 7, 1, b"{}", timeout=5,
                                 allow_private=True)
    assert outcome == transport.Outcome(False, None, transport.NOT_HTTP)


@pytest.fixture
def certificate(tmp_path, monkeypatch):
    """A self-signed certificate for NAME (made with the machine's openssl),
    trusted by the transport's TLS context for this test."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", f"/CN={NAME}",
                    "-addext", f"subjectAltName=DNS:{NAME}", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    trusting = ssl.create_default_context

    monkeypatch.setattr(transport.ssl, "create_default_context", lambda *args, **kwargs: trusting(cafile=str(cert)))
    return cert, key


def test_a_tls_handshake_that_ends_after_the_deadline_does_not_lift_it(resolves, certificate, monkeypatch):
    """The connection takes half the timeout, the handshake ends after the
    deadline has passed, then the answer drips: the watchdog must still end
    the post, though there was no socket to close when it fired."""
    cert, key = certificate
    port = free_port()
    resolves(first=["127.0.0.1"], later=["127.0.0.1"])
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(str(cert), str(key))
    stop, dripped = threading.Event(), [0]
    listener = socket.create_server(("127.0.0.1", port))

    def serve():
        raw, _ = listener.accept()
        time.sleep(0.7)  # the server's first flight, just inside the handshake's own timeout
        with contextlib.suppress(OSError):  # the client may give up mid-handshake: that is the point
            with server.wrap_socket(raw, server_side=True) as connection:
                connection.recv(65536)
                connection.sendall(b"HTTP/1.1 200 OK\r\n")
                for _ in range(40):
                    if stop.wait(0.2):
                        return
                    connection.sendall(b"X")
                    dripped[0] += 1
        raw.close()

    real_connect = socket.create_connection

    def slow_connect(*args, **kwargs):  # a distant endpoint: the connection takes 0.5 s
        time.sleep(0.5)
        return real_connect(*args, **kwargs)

    monkeypatch.setattr(transport.socket, "create_connection", slow_connect)
    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        outcome = transport.post(f"https://{NAME}:{port}/hook", "whsec_test", 7, 1, b"{}", timeout=1,
                                 allow_private=True)
        dripped_by_then = dripped[0]
    finally:
        stop.set()
        thread.join(15)
        listener.close()
    assert outcome == transport.Outcome(False, None, transport.TIMED_OUT)
    assert dripped_by_then < 40


def test_a_lookup_that_hangs_does_not_hold_the_post_past_its_deadline(monkeypatch):
    """getaddrinfo cannot be interrupted: the post gives up on the lookup at
    its deadline and leaves it to finish on a lookup thread of its own."""
    released, finished = threading.Event(), threading.Event()
    real = socket.getaddrinfo

    def hanging(host, port, *args, **kwargs):
        if host != NAME:
            return real(host, port, *args, **kwargs)
        released.wait(30)  # until the test lets it go (a post that waited for it would wait 30 s)
        finished.set()
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (PUBLIC, port))]

    monkeypatch.setattr(socket, "getaddrinfo", hanging)
    try:
        outcome = transport.post(f"http://{NAME}/hook", "whsec_test", 7, 1, b"{}", timeout=0.2,
                                 allow_private=False)
        assert not finished.is_set()  # it returned while the lookup was still blocked in the resolver
        assert outcome == transport.Outcome(False, None, "The url's host did not resolve in time.")
    finally:
        released.set()
