"""Schemathesis hooks of the API fuzz tier (`scripts/fuzz-api.sh`): the fuzzer plays the app.

- Bearer tokens are not added here but by `schemathesis.toml` (`[auth.openapi.*]`), so that
  Schemathesis knows they are credentials: its `ignored_auth` check resends without them, and
  its negative cases can leave them out.
- Team requests are signed: every operation that declares the `prepoznaj-signature` header and
  the team's token gets, in place of the generated header value, a real signature by the
  member's signing key (`prepoznaj-team-request-v1`, `signing.py`) over the request exactly as
  it goes on the wire (method, path with query, body bytes), computed by a `requests` auth
  object, which runs after the body is serialised. A generated value that does not match the
  header's pattern is left alone (a negative case: the server must refuse it), and so is a
  request without the member's token (the signature would not count anyway). The set-up
  redemption is signed with the key in its own body, which the fuzzer makes up and whose
  private half nobody holds: it is not signed here.
- A schema-valid case gets what a schema cannot say: a report's or status change's envelope
  is a real age envelope (the `age` CLI, to the member's key) with its SHA-256, and a set-up's
  age key a real one (bech32 checksum and all). Negative cases are sent as generated.
- Each request comes from a client address of its own (`X-Forwarded-For`, which the server
  reads because it trusts 127.0.0.1 as a proxy): see `FuzzClient`.
- Counts, per operation, the cases sent, how many got past authentication and the signature
  (anything but a 401 or a 403 `signature_*`) and the statuses answered, and writes them as JSON to
  `$PREPOZNAJ_FUZZ_COUNTS` when the run ends. Checks' own probes (e.g. `ignored_auth`'s
  request without a token) do not pass through the hooks and are not counted.
"""

import atexit
import base64
import hashlib
import ipaddress
import json
import os
import pathlib
import re
import subprocess
import sys
import threading
from collections.abc import Mapping

import requests
import schemathesis
from nacl.signing import SigningKey
from schemathesis import GenerationMode

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import credentials  # noqa: E402
import signing  # noqa: E402

with open(os.environ["PREPOZNAJ_FUZZ_CREDENTIALS"], encoding="utf-8") as credentials_file:
    CREDENTIALS = json.load(credentials_file)
SIGNING_KEY = SigningKey(bytes.fromhex(CREDENTIALS["signing_key"]))
MEMBER_AUTHORIZATION = f"Bearer {CREDENTIALS['member_token']}"
# A 403 with one of these codes is the signature refused; any other 403 (a chain version that
# does not verify, keys that do not match) is the request's content refused, past the auth.
SIGNATURE_REFUSALS = ("signature_required", "signature_invalid", "signature_expired")
HEADER_PATTERN = re.compile(r"^t=[0-9]+;sig=[0-9a-f]{128}$")

_counts: dict[str, dict[str, int]] = {}
_counts_lock = threading.Lock()


class FuzzClient(requests.auth.AuthBase):
    """Finishes a prepared request: a client address of its own, and for a team request a real
    `prepoznaj-signature` in place of the generated one."""

    def __init__(self, sign: bool) -> None:
        self.sign = sign

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        # As a proxy trusted by the server (`--trusted-proxy 127.0.0.1/32`) would name it: the
        # per-address limit on code attempts (10 a minute, tested by the API suite) would
        # otherwise answer nearly every set-up, enrolment and link check with 429 and leave the
        # logic behind it unfuzzed.
        # (`os.urandom`, not `random`: Hypothesis seeds `random` the same way for every case.)
        request.headers["X-Forwarded-For"] = str(ipaddress.IPv6Address(os.urandom(16)))
        if not self.sign or request.headers.get("Authorization") != MEMBER_AUTHORIZATION:
            return request
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode("iso-8859-1")  # as http.client sends a text body
        request.headers[signing.SIGNATURE_HEADER] = signing.signature_header(
            request.method,
            request.path_url,
            CREDENTIALS["school_id"],
            CREDENTIALS["member_id"],
            body,
            SIGNING_KEY,
        )
        return request


def _is_team_request(case) -> bool:
    declares_signature = any(
        parameter.name.lower() == signing.SIGNATURE_HEADER for parameter in case.operation.headers
    )
    security = case.operation.definition.raw.get("security") or []
    return declares_signature and any("teamToken" in requirement for requirement in security)


def _generated_signature(case) -> str | None:
    headers = case.headers if isinstance(case.headers, Mapping) else {}
    for name, value in headers.items():
        if name.lower() == signing.SIGNATURE_HEADER:
            return value if isinstance(value, str) else None
    return None


def _is_positive(case) -> bool:
    generation = getattr(case.meta, "generation", None) if case.meta is not None else None
    return generation is not None and generation.mode == GenerationMode.POSITIVE


def _sealed_envelope() -> bytes:
    """An age envelope sealed to the team member's recipient by the `age` CLI, as a phone seals one."""
    return subprocess.run(
        ["age", "--encrypt", "--recipient", CREDENTIALS["recipient"]],
        input=os.urandom(64),
        capture_output=True,
        check=True,
    ).stdout


def _play_the_device(case) -> None:
    """In a schema-valid case, what a schema cannot say: a real envelope and its digest, a real age key."""
    body = case.body
    if not _is_positive(case) or not isinstance(body, dict):
        return
    operation = case.operation.definition.raw.get("operationId")
    if operation in ("submitReport", "recordStatusChange") and "envelope" in body:
        envelope = _sealed_envelope()
        body["envelope"] = base64.b64encode(envelope).decode("ascii")
        body["envelope_sha256"] = hashlib.sha256(envelope).hexdigest()
    elif operation == "setUpTeamMember":
        if "public_key" in body:
            body["public_key"] = CREDENTIALS["recipient"]
        _coherent_version(body.get("founding"))
    elif operation == "appendChainVersion":
        _coherent_version(body.get("version"))


def _coherent_version(signed) -> None:
    """Makes a generated chain version one that can exist whatever came before it (what
    `ChainVersion` checks when read; its signature stays the generated one): version 1 and
    only it records the founding, by its founder, who is listed, and has no previous version;
    members' ids and keys are unique."""
    version = signed.get("version") if isinstance(signed, dict) else None
    if not isinstance(version, dict) or not version.get("members") or "change" not in version:
        return
    members = version["members"]
    if version.get("number") == 1:
        version.pop("previous", None)
        version["change"]["kind"] = "founding"
        version["change"]["member"] = members[0]["id"]
        version["signer"] = members[0]["id"]
    else:
        version.setdefault("previous", hashlib.sha256(b"previous").hexdigest())
        if version["change"]["kind"] == "founding":
            version["change"]["kind"] = "add_member"
    for field, unique in (("id", credentials.uuid7), ("signing_key", lambda: os.urandom(32).hex())):
        seen = set()
        for member in members:
            while member[field] in seen:
                member[field] = unique()
            seen.add(member[field])
    recipients = set()
    for member in members:
        if member["recipient"] in recipients:
            member["recipient"] = credentials.age_recipient()
        recipients.add(member["recipient"])


@schemathesis.hook
def before_call(context, case, kwargs):
    _play_the_device(case)
    generated = _generated_signature(case)
    sign = _is_team_request(case) and generated is not None and HEADER_PATTERN.match(generated) is not None
    kwargs["auth"] = FuzzClient(sign)


@schemathesis.hook
def after_call(context, case, response):
    label = f"{case.operation.method.upper()} {case.operation.path}"
    code = _error_code(response) if response.status_code == 403 else None
    past_auth = response.status_code != 401 and code not in SIGNATURE_REFUSALS
    with _counts_lock:
        entry = _counts.setdefault(label, {"cases": 0, "past_auth": 0, "statuses": {}})
        entry["cases"] += 1
        entry["past_auth"] += int(past_auth)
        status = f"{response.status_code} {code}" if code else str(response.status_code)
        entry["statuses"][status] = entry["statuses"].get(status, 0) + 1


def _error_code(response) -> str | None:
    try:
        answer = response.json()
    except ValueError:
        return None
    return answer.get("code") if isinstance(answer, dict) else None


@atexit.register
def _write_counts() -> None:
    output = os.environ.get("PREPOZNAJ_FUZZ_COUNTS")
    if output:
        with _counts_lock, open(output, "w", encoding="utf-8") as file:
            json.dump(_counts, file, indent=2, sort_keys=True)
