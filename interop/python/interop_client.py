#!/usr/bin/env python3
"""An independent BigRPC v1 client in Python, built only from proto/ and the
wire spec (docs/PROTOCOL.md), that runs conformance cases against a
bigrpc-interop server. It shares no code with the Swift implementation: its
messages come from protoc --python_out and its framing is written here from
the spec, so passing it shows the protocol, not just our code, is right.

    interop_client.py --port N [--host H]

Exits non-zero if any case fails.
"""
import argparse
import os
import socket
import struct
import subprocess
import sys
import tempfile

HEADERS, MESSAGE, TRAILERS, CANCEL, PING, GOAWAY = 1, 2, 3, 4, 5, 6
END_STREAM = ACK = 0x01


def load_messages():
    """Generates the Python protobuf modules from proto/ into a temp dir."""
    root = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
    out = tempfile.mkdtemp(prefix="bigrpc-py-")
    subprocess.run(
        ["protoc", "-I", os.path.join(root, "proto"), "--python_out", out,
         "bigrpc/v1/frame.proto", "bigrpc/testing/v1/test.proto"],
        check=True,
    )
    sys.path.insert(0, out)
    from bigrpc.v1 import frame_pb2
    from bigrpc.testing.v1 import test_pb2
    return frame_pb2, test_pb2


frame_pb2, test_pb2 = load_messages()


class Connection:
    """One TCP connection: writes frames, reads frames, checks the header rules."""

    def __init__(self, host, port):
        self.sock = socket.create_connection((host, port), timeout=10)
        self.buffer = b""
        self.next_stream = 1

    def send(self, type_, flags, stream_id, payload=b""):
        header = struct.pack(">IBBI", 6 + len(payload), type_, flags, stream_id)
        self.sock.sendall(header + payload)

    def read_frame(self):
        while True:
            if len(self.buffer) >= 4:
                (length,) = struct.unpack(">I", self.buffer[:4])
                assert length >= 6, "frame shorter than its header"
                if len(self.buffer) >= 4 + length:
                    type_, flags, stream_id = struct.unpack(">BBI", self.buffer[4:10])
                    payload = self.buffer[10:4 + length]
                    self.buffer = self.buffer[4 + length:]
                    if type_ == PING and not flags & ACK:
                        self.send(PING, ACK, 0, payload)
                        continue
                    return type_, flags, stream_id, payload
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("server closed the connection")
            self.buffer += chunk

    def open(self, method, metadata=None, timeout_ms=0, end_stream=False):
        stream_id = self.next_stream
        self.next_stream += 2
        headers = frame_pb2.RequestHeaders(method=method, timeout_ms=timeout_ms)
        for key, value in (metadata or {}).items():
            headers.metadata[key] = value
        self.send(HEADERS, END_STREAM if end_stream else 0, stream_id, headers.SerializeToString())
        return stream_id

    def message(self, stream_id, message, end_stream=False):
        self.send(MESSAGE, END_STREAM if end_stream else 0, stream_id, message.SerializeToString())

    def responses(self, stream_id):
        """Reads this stream's messages until TRAILERS; returns (payloads, status)."""
        messages = []
        while True:
            type_, _, sid, payload = self.read_frame()
            if sid != stream_id:
                continue
            if type_ == MESSAGE:
                messages.append(payload)
            elif type_ == TRAILERS:
                status = frame_pb2.Status()
                status.ParseFromString(payload)
                return messages, status
            else:
                raise AssertionError(f"unexpected frame type {type_} on stream {sid}")


def unary(conn, method, request, response_type, metadata=None, timeout_ms=0):
    sid = conn.open(method, metadata, timeout_ms)
    conn.message(sid, request, end_stream=True)
    payloads, status = conn.responses(sid)
    responses = []
    for payload in payloads:
        response = response_type()
        response.ParseFromString(payload)
        responses.append(response)
    return responses, status


SERVICE = "/bigrpc.testing.v1.TestService/"


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def empty_unary(conn):
    responses, status = unary(conn, SERVICE + "EmptyCall", test_pb2.Empty(), test_pb2.Empty)
    check(status.code == 0 and len(responses) == 1, f"EmptyCall: {status}")


def large_unary(conn):
    request = test_pb2.SimpleRequest(response_size=314159, payload=bytes(271828))
    responses, status = unary(conn, SERVICE + "UnaryCall", request, test_pb2.SimpleResponse)
    check(status.code == 0 and len(responses[0].payload) == 314159, f"UnaryCall: {status}")
    check(responses[0].payload == bytes(314159), "payload is not zeros")


def client_streaming(conn):
    sid = conn.open(SERVICE + "StreamingInputCall")
    sizes = [27182, 8, 1828, 45904]
    for index, size in enumerate(sizes):
        conn.message(sid, test_pb2.StreamingInputCallRequest(payload=bytes(size)), end_stream=index == len(sizes) - 1)
    payloads, status = conn.responses(sid)
    response = test_pb2.StreamingInputCallResponse()
    response.ParseFromString(payloads[0])
    check(status.code == 0 and response.aggregated_payload_size == 74922, f"StreamingInputCall: {status} {response}")


def empty_client_stream(conn):
    sid = conn.open(SERVICE + "StreamingInputCall", end_stream=True)
    payloads, status = conn.responses(sid)
    response = test_pb2.StreamingInputCallResponse()
    response.ParseFromString(payloads[0])
    check(status.code == 0 and response.aggregated_payload_size == 0, "HEADERS(END_STREAM) client stream")


def server_streaming(conn):
    sizes = [31415, 9, 2653, 58979]
    request = test_pb2.StreamingOutputCallRequest(
        response_parameters=[test_pb2.ResponseParameters(size=size) for size in sizes])
    responses, status = unary(conn, SERVICE + "StreamingOutputCall", request, test_pb2.StreamingOutputCallResponse)
    check(status.code == 0 and [len(r.payload) for r in responses] == sizes, f"StreamingOutputCall: {status}")


def ping_pong(conn):
    sid = conn.open(SERVICE + "FullDuplexCall")
    pairs = [(27182, 31415), (8, 9), (1828, 2653), (45904, 58979)]
    for index, (request_size, response_size) in enumerate(pairs):
        request = test_pb2.StreamingOutputCallRequest(
            response_parameters=[test_pb2.ResponseParameters(size=response_size)], payload=bytes(request_size))
        conn.message(sid, request, end_stream=index == len(pairs) - 1)
        type_, _, _, payload = conn.read_frame()
        response = test_pb2.StreamingOutputCallResponse()
        response.ParseFromString(payload)
        check(type_ == MESSAGE and len(response.payload) == response_size, f"ping {index}")
    _, status = conn.responses(sid)
    check(status.code == 0, f"FullDuplexCall: {status}")


def status_code_and_message(conn):
    request = test_pb2.SimpleRequest(response_status=test_pb2.EchoStatus(code=2, message="test status message"))
    responses, status = unary(conn, SERVICE + "UnaryCall", request, test_pb2.SimpleResponse)
    check(not responses and status.code == 2 and status.message == "test status message", f"{status}")


def custom_metadata(conn):
    metadata = {"x-echo-initial": "test_initial_metadata_value", "x-echo-trailing": "abcdef"}
    _, status = unary(conn, SERVICE + "UnaryCall", test_pb2.SimpleRequest(response_size=1), test_pb2.SimpleResponse, metadata)
    check(status.metadata["x-echo-initial"] == "test_initial_metadata_value", f"{status.metadata}")
    check(status.metadata["x-echo-trailing"] == "abcdef", f"{status.metadata}")
    check(len(status.metadata["x-request-id"]) > 0, "x-request-id is echoed or made")


def unimplemented_method(conn):
    _, status = unary(conn, SERVICE + "UnimplementedCall", test_pb2.Empty(), test_pb2.Empty)
    check(status.code == 12, f"{status}")
    _, status = unary(conn, "/no.such.Service/Method", test_pb2.Empty(), test_pb2.Empty)
    check(status.code == 12, f"{status}")


def timeout_on_sleeping_server(conn):
    request = test_pb2.StreamingOutputCallRequest(
        response_parameters=[test_pb2.ResponseParameters(size=1, interval_us=5_000_000)])
    _, status = unary(conn, SERVICE + "StreamingOutputCall", request, test_pb2.StreamingOutputCallResponse, timeout_ms=50)
    check(status.code == 4, f"{status}")


def cancel_after_first_response(conn):
    sid = conn.open(SERVICE + "FullDuplexCall")
    request = test_pb2.StreamingOutputCallRequest(response_parameters=[test_pb2.ResponseParameters(size=31415)])
    conn.message(sid, request)
    type_, _, _, _ = conn.read_frame()
    check(type_ == MESSAGE, "first response")
    conn.send(CANCEL, 0, sid)
    # The connection goes on: a further call on it works.
    empty_unary(conn)


def ping(conn):
    conn.send(PING, 0, 0, b"12345678")
    while True:
        chunk = conn.sock.recv(65536)
        check(chunk, "connection closed")
        conn.buffer += chunk
        if len(conn.buffer) >= 18:
            break
    length, type_, flags, sid = struct.unpack(">IBBI", conn.buffer[:10])
    check(type_ == PING and flags & ACK and conn.buffer[10:18] == b"12345678", "PING ACK echoes the payload")
    conn.buffer = conn.buffer[18:]


def bad_frame_closes_only_this_connection(conn, host, port):
    victim = Connection(host, port)
    victim.sock.sendall(struct.pack(">IBBI", 6, 0x42, 0, 0))
    type_, _, _, payload = victim.read_frame()
    goaway = frame_pb2.GoAway()
    goaway.ParseFromString(payload)
    check(type_ == GOAWAY and goaway.code == 13, f"GOAWAY {goaway}")
    empty_unary(conn)


CASES = [empty_unary, large_unary, client_streaming, empty_client_stream, server_streaming, ping_pong,
         status_code_and_message, custom_metadata, unimplemented_method, timeout_on_sleeping_server,
         cancel_after_first_response, ping]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    failures = 0
    conn = Connection(args.host, args.port)
    cases = [(case.__name__, case) for case in CASES] + [
        ("bad_frame_closes_only_this_connection",
         lambda c: bad_frame_closes_only_this_connection(c, args.host, args.port)),
    ]
    for name, case in cases:
        try:
            case(conn)
            print(f"PASS  {name}")
        except Exception as error:  # a failed case must not stop the others
            failures += 1
            print(f"FAIL  {name}: {error}")
            conn = Connection(args.host, args.port)
    print(f"{len(cases) - failures} passed, {failures} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
