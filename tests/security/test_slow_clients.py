"""Finding 3: no header, idle or body deadline, and unauthenticated bodies
read into memory. Against a served process: a silent connection and one
sending its headers a byte at a time are closed at HEADER_TIMEOUT_SECONDS, a
body trickling in gets 408 at BODY_TIMEOUT_SECONDS, and a request without a
key is refused from its headers, before its body is sent."""

from __future__ import annotations

import socket
import time

import pytest

from ..servers import start_server, stop_server

# The socket's own timeout bounds each wait; the server's deadline is 1 s.
GIVE_UP = 15


@pytest.fixture(scope="module")
def served(database_url):
    process, base_url = start_server(
        database_url, HEADER_TIMEOUT_SECONDS="1", BODY_TIMEOUT_SECONDS="1", IDLE_TIMEOUT_SECONDS="2",
        ENVIRONMENT="production")
    yield int(base_url.rsplit(":", 1)[1])
    stop_server(process)


def connect(port: int) -> socket.socket:
    connection = socket.create_connection(("127.0.0.1", port), timeout=GIVE_UP)
    return connection


def read_all(connection: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection; a socket
    timeout (the server kept it open) fails the test."""
    received = b""
    while True:
        chunk = connection.recv(65536)
        if not chunk:
            return received
        received += chunk


def test_a_silent_connection_is_closed(served):
    with connect(served) as connection:
        assert read_all(connection) == b""


def test_headers_sent_a_byte_at_a_time_are_cut_off(served):
    request = b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 200 + b"\r\n\r\n"
    with connect(served) as connection:
        closed = False
        for byte in request:
            try:
                connection.sendall(bytes([byte]))
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            time.sleep(0.05)
        if not closed:
            assert b"200 OK" not in read_all(connection)


def test_a_trickling_body_gets_408(served, admin_key):
    head = (f"POST /graphql HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {admin_key}\r\n"
            "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n").encode()
    with connect(served) as connection:
        connection.sendall(head + b'{"query": "')
        answer = b""
        for _ in range(100):  # a byte every 0.1 s, well past the 1 s deadline
            try:
                connection.sendall(b" ")
            except (BrokenPipeError, ConnectionResetError):
                break
            time.sleep(0.1)
            connection.setblocking(False)
            try:
                answer += connection.recv(65536)
            except BlockingIOError:
                pass
            finally:
                connection.setblocking(True)
            if answer:
                break
        answer += read_all(connection)
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert b'"code":"REQUEST_TIMEOUT"' in answer


def test_a_request_without_a_key_is_refused_before_its_body_arrives(served):
    head = (b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 1048576\r\n\r\n")
    with connect(served) as connection:
        connection.sendall(head + b"x" * 1024)  # one KB of a declared MB, then nothing
        answer = connection.recv(65536)
    assert answer.startswith(b"HTTP/1.1 401"), answer[:200]


def trickle_until_closed(connection: socket.socket, byte: bytes, seconds: float) -> bool:
    """Sends `byte` every 0.2 s for up to `seconds`; whether the server closed
    the connection meanwhile."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            connection.sendall(byte)
            connection.setblocking(False)
            try:
                if connection.recv(65536) == b"":
                    return True
            except BlockingIOError:
                pass
            finally:
                connection.setblocking(True)
        except (BrokenPipeError, ConnectionResetError):
            return True
        time.sleep(0.2)
    return False


def test_bytes_that_begin_no_request_do_not_keep_an_idle_connection(served):
    """uvicorn's keep-alive timer is cancelled by any byte; a CRLF every
    moment kept a connection open past IDLE_TIMEOUT_SECONDS for ever."""
    with connect(served) as connection:
        connection.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        assert connection.recv(65536).startswith(b"HTTP/1.1 200")
        assert trickle_until_closed(connection, b"\r\n", GIVE_UP)


def test_a_refusal_before_the_body_closes_the_connection(served):
    """A 401 sent before the body was read used to leave the connection open
    while the client trickled a body nobody reads."""
    with connect(served) as connection:
        connection.sendall(b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                           b"Content-Length: 100000\r\n\r\n{")
        answer = connection.recv(65536)
        assert answer.startswith(b"HTTP/1.1 401") and b"connection: close" in answer.lower(), answer[:300]
        assert trickle_until_closed(connection, b" ", GIVE_UP)


@pytest.mark.parametrize("request_line", [b"POST /nowhere HTTP/1.1", b"OPTIONS /graphql HTTP/1.1",
                                          b"POST /health HTTP/1.1"])
def test_no_body_is_read_for_a_request_without_a_key(served, request_line):
    """The body limit read every path's body, for BODY_TIMEOUT_SECONDS: now
    only the bodies of requests that carried a valid key are read."""
    with connect(served) as connection:
        connection.sendall(request_line + b"\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" + b"x" * 100)
        answer = connection.recv(65536)
    assert not answer.startswith(b"HTTP/1.1 408"), answer[:300]
    assert answer.split(b" ", 2)[1] in (b"404", b"405", b"400"), answer[:300]
