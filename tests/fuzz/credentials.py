"""Real credentials for the API fuzz tier, made the way the app makes them.

Usage: credentials.py <server binary> <base url> <data dir> <output json>

Against a running prepoznaj-server (its SQLite database in <data dir>): the operator's
`school create` prints a set-up link; a link check names the school; a member's keys are made
here (an age key by `age-keygen`, an Ed25519 signing key by PyNaCl), the founding chain version
is signed with them and the set-up code redeemed (the request signed with the new key, no
signer); that member makes an enrolment link (a signed team request) and a staff phone enrols
with it. Writes the member's token, id and signing key, the school's id and the device's token
to <output json> (mode 0600), for `hooks.py`.
"""

import json
import os
import pathlib
import subprocess
import sys
import time
import uuid

import requests
from nacl.signing import SigningKey

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import signing  # noqa: E402


def uuid7() -> str:
    """A UUIDv7 (member ids are UUIDv7)."""
    millis = int(time.time() * 1000)
    raw = bytearray(os.urandom(16))
    raw[0:6] = millis.to_bytes(6, "big")
    raw[6] = (raw[6] & 0x0F) | 0x70
    raw[8] = (raw[8] & 0x3F) | 0x80
    return str(uuid.UUID(bytes=bytes(raw)))


def age_recipient() -> str:
    """A fresh age X25519 recipient from `age-keygen` (its identity is thrown away)."""
    identity = subprocess.run(["age-keygen"], capture_output=True, text=True, check=True).stdout
    return subprocess.run(
        ["age-keygen", "-y"], input=identity, capture_output=True, text=True, check=True
    ).stdout.strip()


def send(method: str, url: str, body: bytes | None, headers: dict[str, str]) -> dict:
    """Sends `body` (already JSON) and returns the parsed answer; raises on anything but 2xx."""
    if body is not None:
        headers = {**headers, "Content-Type": "application/json"}
    response = requests.request(method, url, data=body, headers=headers, timeout=30)
    if not response.ok:
        raise RuntimeError(f"{method} {url}: {response.status_code} {response.text}")
    return response.json()


def main() -> None:
    server_bin, base_url, data_dir, output = sys.argv[1:5]
    signing.check_against_domain(pathlib.Path(__file__).resolve().parents[2])

    created = subprocess.run(
        [server_bin, "school", "create", "--name", "ОШ „Фазер“, Београд", "--base-url", base_url],
        env={**os.environ, "PREPOZNAJ_DATA_DIR": data_dir},
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    prefix = f"{base_url}/team/setup#"
    setup_link = next((line.strip() for line in created.splitlines() if line.startswith(prefix)), None)
    if setup_link is None:
        raise RuntimeError(f"no set-up link in the output of school create:\n{created}")
    setup_code = setup_link[len(prefix):]

    check = send(
        "POST", f"{base_url}/api/v1/link-checks", json.dumps({"kind": "team_setup", "code": setup_code}).encode(), {}
    )
    school = check["founding_school"]["id"]

    key = SigningKey.generate()
    signing_public = key.verify_key.encode().hex()
    recipient = age_recipient()
    member = uuid7()
    display_name = "Марија, педагог"
    founding = signing.sign_version(
        {
            "school": school,
            "number": 1,
            "change": {"kind": "founding", "member": member},
            "signer": member,
            "members": [
                {
                    "id": member,
                    "display_name": display_name,
                    "recipient": recipient,
                    "signing_key": signing_public,
                    "added_at": int(time.time() * 1000),
                }
            ],
        },
        key,
    )
    path = "/api/v1/team/setup"
    body = json.dumps(
        {
            "setup_code": setup_code,
            "public_key": recipient,
            "signing_key": signing_public,
            "display_name": display_name,
            "founding": founding,
        },
        ensure_ascii=False,
    ).encode()
    header = signing.signature_header("POST", path, school, None, body, key)
    setup = send("POST", f"{base_url}{path}", body, {signing.SIGNATURE_HEADER: header})
    member_token = setup["member_token"]

    path = "/api/v1/enrolment-links"
    body = b"{}"
    header = signing.signature_header("POST", path, school, member, body, key)
    link = send(
        "POST",
        f"{base_url}{path}",
        body,
        {"Authorization": f"Bearer {member_token}", signing.SIGNATURE_HEADER: header},
    )

    device = send(
        "POST", f"{base_url}/api/v1/devices", json.dumps({"enrolment_code": link["enrolment_code"]}).encode(), {}
    )

    credentials = {
        "school_id": school,
        "member_id": member,
        "member_token": member_token,
        "signing_key": bytes(key).hex(),
        "device_token": device["device_token"],
        "recipient": recipient,
    }
    descriptor = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        json.dump(credentials, file)


if __name__ == "__main__":
    main()
