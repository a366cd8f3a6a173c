#!/usr/bin/env python3
"""Checks the ProtoJSON fixtures (Tests/ProtoJSONTests/Fixtures) against
Google's own protobuf JSON mapping in Python, so our JSON tests compare with
the reference implementation rather than with themselves.

For each canonical fixture, Python must parse it and print it back as the same
JSON value (map key order aside, which the mapping leaves open). The
alternative-input fixture must parse to the same message as all_types.json.

    check_json_fixtures.py

Exits non-zero on the first mismatch.
"""
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FIXTURES = os.path.join(ROOT, "Tests", "ProtoJSONTests", "Fixtures")


def load_all_types():
    out = tempfile.mkdtemp(prefix="bigrpc-json-")
    subprocess.run(
        ["protoc", "-I", os.path.join(ROOT, "proto"), "--python_out", out,
         "bigrpc/testing/v1/all_types.proto"],
        check=True,
    )
    sys.path.insert(0, out)
    from bigrpc.testing.v1 import all_types_pb2
    return all_types_pb2


def parse(all_types_pb2, text):
    from google.protobuf import json_format
    message = all_types_pb2.AllTypes()
    json_format.Parse(text, message)
    return message


def fixture(name):
    with open(os.path.join(FIXTURES, name), encoding="utf-8") as f:
        return f.read()


def main():
    from google.protobuf import json_format
    all_types_pb2 = load_all_types()
    failures = 0

    for name in ("all_types.json", "special_floats.json"):
        text = fixture(name)
        printed = json_format.MessageToJson(parse(all_types_pb2, text))
        same = json.loads(printed) == json.loads(text)
        print(f"{name}: {'ok' if same else 'DIFFERS from Python json_format'}")
        failures += not same

    # Python's json_format (protobuf 3.21, Debian) rejects quoted 64-bit
    # integers in exponent form such as "-8e9", which the ProtoJSON spec
    # accepts; spell that one value out so the rest is still compared.
    alternative = fixture("all_types_alternative_input.json").replace('"-8e9"', '"-8000000000"')
    same = parse(all_types_pb2, alternative) == parse(all_types_pb2, fixture("all_types.json"))
    print(f"all_types_alternative_input.json: {'ok' if same else 'parses to a DIFFERENT message'}")
    failures += not same

    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
