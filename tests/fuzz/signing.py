"""The bytes a protection team's device signs, written again in Python for the API fuzz tier.

Two formats, both defined once in the domain crate and pinned there by tests:
- `prepoznaj-team-chain-v1` (`prepoznaj_domain::team_chain`): a key-chain version, checked
  here against the golden files in `crates/prepoznaj-domain/tests/golden/team_chain/`;
- `prepoznaj-team-request-v1` (`prepoznaj_domain::team_request`): a signed team request and
  its `prepoznaj-signature` header, checked against the vector of that module's unit test.

Ed25519 is PyNaCl's (libsodium); SHA-256 is hashlib's. Nothing here talks to a server.
"""

import hashlib
import json
import pathlib
import struct
import time

from nacl.signing import SigningKey, VerifyKey

CHAIN_PREFIX = b"prepoznaj-team-chain-v1\n"
REQUEST_PREFIX = b"prepoznaj-team-request-v1\n"
SIGNATURE_HEADER = "prepoznaj-signature"
CHANGE_TAGS = {"founding": 1, "add_member": 2, "remove_member": 3, "re_register": 4}


def _text(value: str) -> bytes:
    encoded = value.encode("utf-8")
    return struct.pack(">I", len(encoded)) + encoded


def _u64(value: int) -> bytes:
    return struct.pack(">Q", value)


def version_bytes(version: dict) -> bytes:
    """`ChainVersion::signing_bytes`: members in ascending order of id."""
    members = sorted(version["members"], key=lambda member: member["id"])
    previous = version.get("previous")
    parts = [
        CHAIN_PREFIX,
        _text(version["school"]),
        _u64(version["number"]),
        b"\x01" + bytes.fromhex(previous) if previous else b"\x00",
        bytes([CHANGE_TAGS[version["change"]["kind"]]]),
        _text(version["change"]["member"]),
        _text(version["signer"]),
        struct.pack(">I", len(members)),
    ]
    for member in members:
        parts += [
            _text(member["id"]),
            _text(member["display_name"]),
            _text(member["recipient"]),
            bytes.fromhex(member["signing_key"]),
            _u64(member["added_at"]),
        ]
    return b"".join(parts)


def sign_version(version: dict, key: SigningKey) -> dict:
    """A signed version (the wire form), its members ordered by id."""
    ordered = {**version, "members": sorted(version["members"], key=lambda member: member["id"])}
    return {"version": ordered, "signature": key.sign(version_bytes(ordered)).signature.hex()}


def request_bytes(
    method: str, path: str, school: str, signer: str | None, signed_at: int, body_sha256: bytes
) -> bytes:
    """`SignedRequest::signing_bytes`: `path` as sent, with its query; `signer` None at set-up."""
    return b"".join(
        [
            REQUEST_PREFIX,
            _text(method),
            _text(path),
            _text(school),
            _text(signer or ""),
            _u64(signed_at),
            body_sha256,
        ]
    )


def signature_header(
    method: str, path: str, school: str, signer: str | None, body: bytes, key: SigningKey, signed_at: int | None = None
) -> str:
    """The value of the `prepoznaj-signature` header: `t=<Unix ms>;sig=<128 hex digits>`."""
    if signed_at is None:
        signed_at = int(time.time() * 1000)
    signed = request_bytes(method, path, school, signer, signed_at, hashlib.sha256(body).digest())
    signature = key.sign(signed).signature
    return f"t={signed_at};sig={signature.hex()}"


def check_against_domain(root: pathlib.Path) -> None:
    """Raises unless these bytes are the domain crate's: its golden chain (bytes, hash, signatures) and the request vector."""
    golden = root / "crates/prepoznaj-domain/tests/golden/team_chain"
    chain = json.loads((golden / "chain.json").read_text(encoding="utf-8"))
    for index, signed in enumerate(chain, start=1):
        expected = "".join((golden / f"version_{index}.hex").read_text().split())
        if version_bytes(signed["version"]).hex() != expected:
            raise AssertionError(f"chain version {index}: signing bytes differ from the golden file")
        # A version is signed by a member of the version before (the founding one by its member).
        signers = chain[index - 2]["version"]["members"] if index > 1 else signed["version"]["members"]
        signer = next(member for member in signers if member["id"] == signed["version"]["signer"])
        # Raises nacl.exceptions.BadSignatureError unless PyNaCl verifies the golden signature.
        VerifyKey(bytes.fromhex(signer["signing_key"])).verify(
            version_bytes(signed["version"]), bytes.fromhex(signed["signature"])
        )
    first_hash = (golden / "version_1.sha256").read_text().strip()
    if hashlib.sha256(version_bytes(chain[0]["version"])).hexdigest() != first_hash:
        raise AssertionError("chain version 1: hash differs from the golden file")

    # The vector of `team_request::tests::the_signing_bytes_are_length_prefixed_fields_after_the_prefix`.
    school = "0192f3a4-0001-7000-8000-000000000001"
    member = "0192f3a4-0004-7000-8000-00000000000e"
    path = "/api/v1/team/chain"
    expected = (
        REQUEST_PREFIX
        + b"\x00\x00\x00\x04POST"
        + b"\x00\x00\x00\x12"
        + path.encode()
        + b"\x00\x00\x00\x24"
        + school.encode()
        + b"\x00\x00\x00\x24"
        + member.encode()
        + bytes([1, 2, 3, 4, 5, 6, 7, 8])
        + bytes([7] * 32)
    )
    if request_bytes("POST", path, school, member, 0x0102030405060708, bytes([7] * 32)) != expected:
        raise AssertionError("team request signing bytes differ from prepoznaj_domain::team_request")
