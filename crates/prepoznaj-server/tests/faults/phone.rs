//! The phone's side: its enrolment, its envelopes and the HTTP requests the outbox asks for.
//! Every decision is the domain crate's [`Outbox`](prepoznaj_domain::outbox::Outbox); this
//! only carries bytes.

use std::{io::Write as _, net::IpAddr};

use prepoznaj_domain::{
    catalogue::CatalogueVersion,
    outbox::{Request, Step},
    protocol::{
        DeviceEnrolment, EnrolmentLinkCreated, Envelope, PROTOCOL_VERSION, ReportSubmission,
        Sha256Digest,
    },
    sync::Attempt,
};
use sha2::{Digest as _, Sha256};

/// An answer as the phone received it, owned (the outbox reads it as an [`Attempt`]).
#[derive(Debug)]
pub enum Answer {
    NetworkError,
    Http {
        status: u16,
        body: Vec<u8>,
        retry_after_ms: Option<u64>,
    },
}

impl Answer {
    pub fn attempt(&self) -> Attempt<'_> {
        match self {
            Answer::NetworkError => Attempt::NetworkError,
            Answer::Http {
                status,
                body,
                retry_after_ms,
            } => Attempt::Answer {
                status: *status,
                body,
                retry_after_ms: *retry_after_ms,
            },
        }
    }
}

/// The phone's HTTP client: a new connection per request, as the proxy expects.
pub fn http_client(local_address: Option<IpAddr>) -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(0)
        .local_address(local_address)
        .build()
        .unwrap()
}

/// Makes the request the outbox asked for.
pub async fn send(
    http: &reqwest::Client,
    base_url: &str,
    token: &str,
    request: &Request,
    envelope: &[u8],
) -> Answer {
    let sent = match request.step {
        Step::Submit => {
            let submission = ReportSubmission {
                report_id: request.report_id.clone(),
                envelope: Envelope::from_bytes(envelope.to_vec()),
                envelope_sha256: request.envelope_sha256,
                catalogue_version: CatalogueVersion::new("2021-r1"),
                protocol_version: PROTOCOL_VERSION,
            };
            http.post(format!("{base_url}/api/v1/reports"))
                .bearer_auth(token)
                .json(&submission)
                .send()
                .await
        }
        Step::CheckStatus => {
            http.get(format!(
                "{base_url}/api/v1/reports/{}/status",
                request.report_id
            ))
            .bearer_auth(token)
            .send()
            .await
        }
    };
    let Ok(response) = sent else {
        return Answer::NetworkError;
    };
    let status = response.status().as_u16();
    let retry_after_ms = response
        .headers()
        .get("retry-after")
        .and_then(|value| value.to_str().ok()?.parse::<u64>().ok())
        .map(|seconds| seconds * 1_000);
    match response.bytes().await {
        Ok(body) => Answer::Http {
            status,
            body: body.to_vec(),
            retry_after_ms,
        },
        Err(_) => Answer::NetworkError,
    }
}

/// Enrols a phone with a new link of the team's school, from its own address (the server
/// limits enrolment attempts per address, as it should for a school full of phones).
pub async fn enrol(
    server_url: &str,
    team: &crate::team_keys::TeamAccess,
    phone_address: IpAddr,
) -> reqwest::Result<DeviceEnrolment> {
    let admin = http_client(None);
    let link: EnrolmentLinkCreated = crate::team_keys::send_signed(
        &admin,
        server_url,
        team,
        prepoznaj_domain::endpoints::Method::Post,
        "/api/v1/enrolment-links",
        Some(&serde_json::json!({})),
    )
    .await?
    .error_for_status()?
    .json()
    .await?;
    http_client(Some(phone_address))
        .post(format!("{server_url}/api/v1/devices"))
        .json(&serde_json::json!({ "enrolment_code": link.enrolment_code.expose() }))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await
}

/// Encrypts `plaintext` to the team's key with the age crate, as the app does.
pub fn encrypt(recipient: &age::x25519::Recipient, plaintext: &[u8]) -> Vec<u8> {
    let encryptor =
        age::Encryptor::with_recipients(std::iter::once(recipient as &dyn age::Recipient)).unwrap();
    let mut envelope = Vec::new();
    let mut writer = encryptor.wrap_output(&mut envelope).unwrap();
    writer.write_all(plaintext).unwrap();
    writer.finish().unwrap();
    envelope
}

pub fn sha256(bytes: &[u8]) -> Sha256Digest {
    Sha256Digest::from_bytes(Sha256::digest(bytes).into())
}
