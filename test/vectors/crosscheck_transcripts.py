#!/usr/bin/env python3
"""Replays local-access-transcripts-v1.json with a Noise implementation written here from the
spec (rev 34), on the `cryptography` package (X25519, ChaCha20-Poly1305, Ed25519; Debian's
python3-cryptography), independently of Keyhold's TypeScript and of noble. For each handshake
both sides are run from the recorded keys and prologue, and every message must come out byte
for byte; every transport frame must decrypt to its recorded plaintext; the PSK, the check
phrase and the application-key signature are recomputed.

Run by hand from the repository root: /usr/bin/python3 test/vectors/crosscheck_transcripts.py
"""
import hashlib
import hmac
import json
import pathlib
import struct
import sys

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives import serialization

ROOT = pathlib.Path(__file__).resolve().parents[2]
T = json.loads((ROOT / "test/vectors/local-access-transcripts-v1.json").read_text("utf-8"))
WORDS = [line.split("\t")[1] for line in (ROOT / "src-shared/local-access/eff-short-1.txt").read_text("utf-8").splitlines() if line]
RAW = serialization.Encoding.Raw, serialization.PublicFormat.Raw


def pub(priv: bytes) -> bytes:
    return X25519PrivateKey.from_private_bytes(priv).public_key().public_bytes(*RAW)


def dh(priv: bytes, pub_: bytes) -> bytes:
    out = X25519PrivateKey.from_private_bytes(priv).exchange(X25519PublicKey.from_public_bytes(pub_))
    assert out != bytes(32)
    return out


def hkdf_noise(ck: bytes, ikm: bytes, n: int):
    temp = hmac.new(ck, ikm, hashlib.sha256).digest()
    o1 = hmac.new(temp, b"\x01", hashlib.sha256).digest()
    o2 = hmac.new(temp, o1 + b"\x02", hashlib.sha256).digest()
    if n == 2:
        return o1, o2
    return o1, o2, hmac.new(temp, o2 + b"\x03", hashlib.sha256).digest()


def hkdf(ikm: bytes, salt: bytes, info: bytes, length: int) -> bytes:
    prk = hmac.new(salt, ikm, hashlib.sha256).digest()
    out, block, i = b"", b"", 1
    while len(out) < length:
        block = hmac.new(prk, block + info + bytes([i]), hashlib.sha256).digest()
        out, i = out + block, i + 1
    return out[:length]


class Cipher:
    def __init__(self, k):
        self.k, self.n = k, 0

    def _nonce(self):
        return b"\x00" * 4 + struct.pack("<Q", self.n)

    def enc(self, ad, pt):
        if self.k is None:
            return pt
        ct = ChaCha20Poly1305(self.k).encrypt(self._nonce(), pt, ad)
        self.n += 1
        return ct

    def dec(self, ad, ct):
        if self.k is None:
            return ct
        pt = ChaCha20Poly1305(self.k).decrypt(self._nonce(), ct, ad)
        self.n += 1
        return pt


PATTERNS = {
    # (pre-message: responder static known, messages)
    "XXpsk0": (False, [["psk", "e"], ["e", "ee", "s", "es"], ["s", "se"]]),
    "IK": (True, [["e", "es", "s", "ss"], ["e", "ee", "se"]]),
    "NX": (False, [["e"], ["e", "ee", "s", "es"]]),
}


class Side:
    def __init__(self, pattern, initiator, prologue, s=None, e=None, rs=None, psk=None):
        name = f"Noise_{pattern}_25519_ChaChaPoly_SHA256".encode()
        self.h = name.ljust(32, b"\x00") if len(name) <= 32 else hashlib.sha256(name).digest()
        self.ck, self.c = self.h, Cipher(None)
        self.pattern, self.init, self.s, self.e, self.rs, self.re, self.psk = pattern, initiator, s, e, rs, None, psk
        self.mix_hash(prologue)
        if PATTERNS[pattern][0]:
            self.mix_hash(rs if initiator else pub(s))

    def mix_hash(self, data):
        self.h = hashlib.sha256(self.h + data).digest()

    def mix_key(self, ikm):
        self.ck, k = hkdf_noise(self.ck, ikm, 2)
        self.c = Cipher(k)

    def mix_key_and_hash(self, ikm):
        self.ck, th, k = hkdf_noise(self.ck, ikm, 3)
        self.mix_hash(th)
        self.c = Cipher(k)

    def enc_hash(self, pt):
        ct = self.c.enc(self.h, pt)
        self.mix_hash(ct)
        return ct

    def dec_hash(self, ct):
        pt = self.c.dec(self.h, ct)
        self.mix_hash(ct)
        return pt

    def _dh(self, token):
        a, b = token
        mine = {"e": self.e, "s": self.s}[a if self.init else b]
        theirs = {"e": self.re, "s": self.rs}[b if self.init else a]
        return dh(mine, theirs)

    def write(self, tokens, payload):
        out = b""
        for t in tokens:
            if t == "psk":
                self.mix_key_and_hash(self.psk)
            elif t == "e":
                epub = pub(self.e)
                out += epub
                self.mix_hash(epub)
                if self.psk is not None:
                    self.mix_key(epub)
            elif t == "s":
                out += self.enc_hash(pub(self.s))
            else:
                self.mix_key(self._dh(t))
        return out + self.enc_hash(payload)

    def read(self, tokens, msg):
        for t in tokens:
            if t == "psk":
                self.mix_key_and_hash(self.psk)
            elif t == "e":
                self.re, msg = msg[:32], msg[32:]
                self.mix_hash(self.re)
                if self.psk is not None:
                    self.mix_key(self.re)
            elif t == "s":
                n = 48 if self.c.k is not None else 32
                self.rs, msg = self.dec_hash(msg[:n]), msg[n:]
            else:
                self.mix_key(self._dh(t))
        return self.dec_hash(msg)

    def split(self):
        k1, k2 = hkdf_noise(self.ck, b"", 2)
        return (Cipher(k1), Cipher(k2)) if self.init else (Cipher(k2), Cipher(k1))


def body(hex_):
    b = bytes.fromhex(hex_)
    return b[0], b[1:]


def js(value):
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def main():
    p = T["pairing"]
    key = p["code"].replace("-", "")[:27].encode()
    psk = hkdf(key, b"keyhold/pairing/psk/v1", b"keyhold pairing psk", 32)
    assert psk.hex() == p["psk"], "pairing: psk"
    h = replay_dynamic("pairing", "XXpsk0", p, psk)
    b = hkdf(h, b"keyhold/pairing/check-phrase/v1", b"", 8)
    x = int.from_bytes(b, "big")
    words = []
    for _ in range(4):
        words.append(WORDS[x % 1296])
        x //= 1296
    assert " ".join(words) == p["checkPhrase"], "pairing: check phrase"
    print(f"pairing: PSK and check phrase \"{p['checkPhrase']}\" match")
    replay_dynamic("session", "IK", T["session"], None)
    nx_h = replay_dynamic("appKey", "NX", T["appKey"], None)
    sig = T["appKey"]["signature"]
    signed = b"keyhold-appkey-auth/1\x00" + nx_h + bytes.fromhex(T["appKey"]["challenge"]) + sig["key"].encode()
    assert signed.hex() == sig["signedMessage"], "appKey: signed message"
    raw_sig = __import__("base64").urlsafe_b64decode(sig["sig"] + "=" * (-len(sig["sig"]) % 4))
    Ed25519PublicKey.from_public_bytes(bytes.fromhex(sig["issuerPublic"])).verify(raw_sig, signed)
    print("appKey: signed message and Ed25519 signature verify")
    return 0


def replay_dynamic(name, pattern, run, psk):
    """Runs both sides, taking each payload from what the recorded message decrypts to on the reading side."""
    k = T["keys"]
    c_hello, s_hello = body(run["clientHello"])[1], body(run["serverHello"])[1]
    prologue = b"keyhold-local/1" + struct.pack(">I", len(c_hello)) + c_hello + struct.pack(">I", len(s_hello)) + s_hello
    assert prologue.hex() == run["prologue"], f"{name}: prologue"
    dpriv, cpriv = bytes.fromhex(k["desktopPrivate"]), bytes.fromhex(k["companionPrivate"])
    ie, re_ = bytes.fromhex(k["initiatorEphemeralPrivate"]), bytes.fromhex(k["responderEphemeralPrivate"])
    mk = lambda init: Side(pattern, init, prologue, s=(dpriv if not init else (None if pattern == "NX" else cpriv)), e=ie if init else re_, rs=pub(dpriv) if (init and pattern == "IK") else None, psk=psk)
    # A reader pair learns the payloads; a writer pair must then produce the recorded bytes.
    readers = {True: mk(True), False: mk(False)}
    writers = {True: mk(True), False: mk(False)}
    for i, tokens in enumerate(PATTERNS[pattern][1]):
        initiator_writes = i % 2 == 0
        kind, recorded = body(run["messages"][i])
        payload = readers[not initiator_writes].read(tokens, recorded)
        readers[initiator_writes].write(tokens, payload)
        msg = writers[initiator_writes].write(tokens, payload)
        writers[not initiator_writes].read(tokens, msg)
        assert kind == 2 and msg == recorded, f"{name}: message {i + 1} differs"
    ini = writers[True]
    assert ini.h.hex() == writers[False].h.hex() == run["h"], f"{name}: handshake hash"
    sides = {"C": ini.split(), "D": writers[False].split()}
    for f in run["transport"]:
        kind, ct = body(f["body"])
        sender = sides[f["from"]][0]
        receiver = sides["D" if f["from"] == "C" else "C"][1]
        assert kind == 3 and json.loads(receiver.dec(b"", ct)) == f["plaintext"], f"{name}: transport frame"
        assert sender.enc(b"", js(f["plaintext"])) == ct, f"{name}: transport frame re-encrypted differs"
    print(f"{name}: {len(run['messages'])} handshake messages, h and {len(run['transport'])} transport frames match")
    return ini.h


if __name__ == "__main__":
    sys.exit(main())
