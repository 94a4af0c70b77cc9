//! A team member's keys and signed requests, made in the tests as the app makes them: an age
//! identity and an Ed25519 chain signing key per member, version 1 of the team's key chain at
//! set-up, and the `prepoznaj-signature` header on every team request that changes something.
//! Shared by the `api` and `faults` test binaries (`#[path]`), which talk to the server over
//! HTTP.

#![allow(
    dead_code,
    reason = "each test binary uses its own part of the support"
)]

use std::time::{SystemTime, UNIX_EPOCH};

use prepoznaj_domain::{
    endpoints::{Endpoint, Method},
    observation::UnixMillis,
    protocol::{AgeRecipient, DisplayName, LinkCheck, SchoolId, Sha256Digest, TeamMemberId},
    team_chain::{ChainMember, SignedVersion},
    team_request::{SIGNATURE_HEADER, SignedRequest},
};
use prepoznaj_envelope::{
    chain::{VerifiedVersion, found_chain},
    signing::ChainSigningKey,
};
use sha2::{Digest as _, Sha256};

/// The header a signed team request carries.
pub const HEADER: &str = SIGNATURE_HEADER;

/// The current time as the server reads it.
pub fn now() -> UnixMillis {
    let elapsed = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    UnixMillis(u64::try_from(elapsed.as_millis()).unwrap())
}

/// A team member's device: their id (made on the device), name and both keys. (No `Debug`:
/// a secret key is never printed.)
pub struct MemberKeys {
    pub id: TeamMemberId,
    pub name: DisplayName,
    pub identity: age::x25519::Identity,
    pub signing: ChainSigningKey,
}

impl MemberKeys {
    /// New keys and a new id, as a member's app makes them.
    pub fn generate(name: &str) -> Self {
        let mut random = [0_u8; 10];
        getrandom::getrandom(&mut random).unwrap();
        Self {
            id: TeamMemberId::new_v7(now(), random),
            name: DisplayName::parse(name).unwrap(),
            identity: age::x25519::Identity::generate(),
            signing: ChainSigningKey::generate().unwrap(),
        }
    }

    pub fn recipient(&self) -> AgeRecipient {
        AgeRecipient::parse(&self.identity.to_public().to_string()).unwrap()
    }

    /// How the chain lists this member.
    pub fn chain_member(&self) -> ChainMember {
        ChainMember {
            id: self.id.clone(),
            display_name: self.name.clone(),
            recipient: self.recipient(),
            signing_key: self.signing.public_key(),
            added_at: now(),
        }
    }

    /// Version 1 of `school`'s chain, listing this member alone, signed by them.
    pub fn founding(&self, school: &SchoolId) -> VerifiedVersion {
        found_chain(school.clone(), vec![self.chain_member()], &self.signing).unwrap()
    }

    /// A set-up request's body for `code` with these keys (and `founding` for a school's
    /// first member).
    pub fn setup_body(&self, code: &str, founding: Option<&SignedVersion>) -> Vec<u8> {
        let mut body = serde_json::json!({
            "setup_code": code,
            "public_key": self.recipient(),
            "signing_key": self.signing.public_key(),
            "display_name": self.name,
        });
        if let Some(founding) = founding {
            body["founding"] = serde_json::to_value(founding).unwrap();
        }
        serde_json::to_vec(&body).unwrap()
    }

    /// The set-up request's signature header: signed with this signing key, no signer.
    pub fn setup_signature(&self, school: &SchoolId, body: &[u8]) -> String {
        signature(
            &self.signing,
            Method::Post,
            Endpoint::TeamSetup.path(),
            school,
            None,
            body,
            now(),
        )
    }

    /// The signature header of a team request by this member, signed now.
    pub fn sign(&self, method: Method, path: &str, school: &SchoolId, body: &[u8]) -> String {
        signature(
            &self.signing,
            method,
            path,
            school,
            Some(&self.id),
            body,
            now(),
        )
    }
}

/// The header value of a request signed with `key` at `at`.
pub fn signature(
    key: &ChainSigningKey,
    method: Method,
    path: &str,
    school: &SchoolId,
    signer: Option<&TeamMemberId>,
    body: &[u8],
    at: UnixMillis,
) -> String {
    let digest = Sha256Digest::from_bytes(Sha256::digest(body).into());
    key.sign_request(
        SignedRequest {
            method,
            path,
            school,
            signer,
            signed_at: at,
            body_sha256: &digest,
        },
        at,
    )
    .to_string()
}

/// The school a founding set-up code is for, as the founder's app learns it: from the link
/// check.
pub async fn founding_school(
    client: &reqwest::Client,
    base_url: &str,
    code: &str,
) -> prepoznaj_domain::protocol::School {
    let check: LinkCheck = client
        .post(format!("{base_url}{}", Endpoint::LinkCheck.path()))
        .json(&serde_json::json!({ "kind": "team_setup", "code": code }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    check
        .founding_school
        .expect("a valid founding code names its school")
}

/// Sets up a school's first member with `keys` and the founding code `code`, over HTTP;
/// returns the raw answer.
pub async fn found_team(
    client: &reqwest::Client,
    base_url: &str,
    code: &str,
    keys: &MemberKeys,
) -> reqwest::Response {
    let school = founding_school(client, base_url, code).await;
    found_school_team(client, base_url, code, &school.id, keys).await
}

/// Sets up `school`'s first member with `keys` and the founding code `code`, over HTTP;
/// returns the raw answer.
pub async fn found_school_team(
    client: &reqwest::Client,
    base_url: &str,
    code: &str,
    school: &SchoolId,
    keys: &MemberKeys,
) -> reqwest::Response {
    let founding = keys.founding(school);
    let body = keys.setup_body(code, Some(founding.signed()));
    client
        .post(format!("{base_url}{}", Endpoint::TeamSetup.path()))
        .header("Content-Type", "application/json")
        .header(HEADER, keys.setup_signature(school, &body))
        .body(body)
        .send()
        .await
        .unwrap()
}

/// What a member's device holds to act for its team: the member's token, keys and school.
pub struct TeamAccess {
    pub token: String,
    pub keys: MemberKeys,
    pub school: SchoolId,
}

/// A team request by `team`'s member, signed now: `body` as JSON, or none.
pub async fn send_signed(
    client: &reqwest::Client,
    base_url: &str,
    team: &TeamAccess,
    method: Method,
    path: &str,
    body: Option<&serde_json::Value>,
) -> reqwest::Result<reqwest::Response> {
    let bytes = body.map(|body| serde_json::to_vec(body).unwrap());
    let url = format!("{base_url}{path}");
    let mut request = match method {
        Method::Get => client.get(url),
        Method::Post => client.post(url),
        Method::Delete => client.delete(url),
    }
    .bearer_auth(&team.token)
    .header(
        HEADER,
        team.keys.sign(
            method,
            path,
            &team.school,
            bytes.as_deref().unwrap_or_default(),
        ),
    );
    if let Some(bytes) = bytes {
        request = request
            .header("Content-Type", "application/json")
            .body(bytes);
    }
    request.send().await
}
