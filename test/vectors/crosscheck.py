#!/usr/bin/env python3
"""Checks the "psk" and "checkPhrase" vectors of local-access-v1.json with Python's standard
library only, independently of Keyhold's TypeScript and of noble: HKDF (RFC 5869) by hand
over hmac/hashlib, the code parsing of src-shared/apps/authorization-code.ts rewritten from its
description, and the vendored word list read from the .txt.

Run by hand from the repository root: python3 test/vectors/crosscheck.py
"""
import hashlib
import hmac
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
VECTORS = json.loads((ROOT / "test/vectors/local-access-v1.json").read_text("utf-8"))
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def hkdf_sha256(ikm: bytes, salt: bytes, info: bytes, length: int) -> bytes:
    prk = hmac.new(salt, ikm, hashlib.sha256).digest()
    out, block, counter = b"", b"", 1
    while len(out) < length:
        block = hmac.new(prk, block + info + bytes([counter]), hashlib.sha256).digest()
        out += block
        counter += 1
    return out[:length]


def times_x(v: int) -> int:
    """Multiplication by x in GF(32) modulo x^5 + x^2 + 1."""
    v <<= 1
    return v ^ 0b100101 if v & 0b100000 else v


def parse_code(text: str):
    """(code, key) or (None, problem), as parseCode() does."""
    compact = "".join(c for c in text if c not in " \t\r\n-")
    values = []
    for c in compact.upper():
        c = {"I": "1", "L": "1", "O": "0"}.get(c, c)
        if c not in ALPHABET:
            return None, "character"
        values.append(ALPHABET.index(c))
    if len(values) != 28:
        return None, "length"
    check = 0
    for v in values:
        check = times_x(check) ^ v
    if times_x(check) != 0:
        return None, "check"
    canonical = "".join(ALPHABET[v] for v in values)
    return "-".join(canonical[i : i + 4] for i in range(0, 28, 4)), canonical[:27]


def main() -> int:
    failures = []

    def expect(what, got, want):
        if got != want:
            failures.append(f"{what}: got {got!r}, want {want!r}")

    psk = VECTORS["psk"]
    for v in psk["valid"]:
        code, key = parse_code(v["input"])
        expect(f"code of {v['input']!r}", code, v["code"])
        expect(f"key of {v['input']!r}", key, v["key"])
        derived = hkdf_sha256(key.encode("ascii"), b"keyhold/pairing/psk/v1", b"keyhold pairing psk", 32)
        expect(f"psk of {key}", derived.hex(), v["psk"])
    for v in psk["invalid"]:
        code, problem = parse_code(v["input"])
        expect(f"problem of {v['input']!r}", (code, problem), (None, v["problem"]))

    phrase = VECTORS["checkPhrase"]
    raw = (ROOT / phrase["wordList"]["path"]).read_bytes()
    expect("word list sha256", hashlib.sha256(raw).hexdigest(), phrase["wordList"]["sha256"])
    words = [line.split("\t")[1] for line in raw.decode("ascii").splitlines()]
    expect("word count", len(words), phrase["wordList"]["words"])
    for v in phrase["vectors"]:
        b = hkdf_sha256(bytes.fromhex(v["h"]), b"keyhold/pairing/check-phrase/v1", b"", 8)
        expect(f"b of {v['h']}", b.hex(), v["b"])
        x = int.from_bytes(b, "big")
        expect(f"x of {v['h']}", str(x), v["x"])
        indices = []
        for _ in range(4):
            indices.append(x % 1296)
            x //= 1296
        expect(f"indices of {v['h']}", indices, v["indices"])
        expect(f"words of {v['h']}", [words[i] for i in indices], v["words"])
        expect(f"phrase of {v['h']}", " ".join(words[i] for i in indices), v["phrase"])

    for failure in failures:
        print("MISMATCH", failure)
    count = len(psk["valid"]) + len(psk["invalid"]) + len(phrase["vectors"])
    print(f"{count} vectors checked, {len(failures)} mismatches")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
