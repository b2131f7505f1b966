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
        database_url, HEADER_TIMEOUT_SECONDS="1", BODY_TIMEOUT_SECONDS="1", ENVIRONMENT="production")
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
