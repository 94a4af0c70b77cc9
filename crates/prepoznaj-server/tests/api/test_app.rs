//! Spawning the server for a test: fixture `dist/`, fresh database ([`TestDatabase`]: SQLite or
//! PostgreSQL), HTTP client; and the steps most tests start from: a school with a team member,
//! an enrolled phone, a report.

use std::{
    io::Write as _,
    net::{IpAddr, Ipv4Addr},
    path::Path,
    str::FromStr,
};

use prepoznaj_domain::{
    catalogue::CatalogueVersion,
    endpoints::{Endpoint, Method},
    observation::UnixMillis,
    protocol::{
        ChainAppended, DeviceEnrolment, EnrolmentLinkCreated, Envelope, PROTOCOL_VERSION,
        ReportSubmission, ReportUuid, School, SchoolKeys, Sha256Digest, TeamMemberId,
        TeamSetupResponse,
    },
    team_chain::{MemberChange, SignedVersion},
};
use prepoznaj_envelope::chain::{VerifiedVersion, sign_next_version, verify_chain};
use prepoznaj_server::{Application, Config, config::SchoolCreate, operator};
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};
use tempfile::TempDir;
use tracing_subscriber::filter::Targets;

use crate::{
    cli::Scratch,
    team_keys::{HEADER, MemberKeys},
    test_database::TestDatabase,
};

pub const INDEX_HTML: &str = "<!doctype html><title>Prepoznaj</title><body></body>";
pub const HASHED_JS: &str = "prepoznaj-3f2a9c1b8d7e6f50.js";
pub const HASHED_JS_BODY: &[u8] = b"export default function init() {}";
// The server never decodes precompressed siblings, so distinct marker bytes show which file
// was sent without compressing anything in the test.
pub const HASHED_JS_BR: &[u8] = b"brotli bytes of the js";
pub const HASHED_JS_GZ: &[u8] = b"gzip bytes of the js";
pub const HASHED_WASM: &str = "prepoznaj-3f2a9c1b8d7e6f50_bg.wasm";
pub const HASHED_CSS: &str = "main-0a1b2c3d4e5f6789.css";
pub const SERVICE_WORKER_V1: &[u8] = b"// service worker v1\n";
pub const OBSERVE_HTML: &str = "<!doctype html><title>Prepoznaj: observe</title><body></body>";
pub const MANIFEST: &str = r#"{"name":"Prepoznaj","start_url":"/"}"#;

/// Writes a dist directory shaped like trunk's output plus the build's `.br`/`.gz` siblings.
/// The CSS has no siblings on purpose.
pub fn write_dist(dist: &Path) {
    let files: [(&str, &[u8]); 10] = [
        ("index.html", INDEX_HTML.as_bytes()),
        ("observe.html", OBSERVE_HTML.as_bytes()),
        (HASHED_JS, HASHED_JS_BODY),
        ("prepoznaj-3f2a9c1b8d7e6f50.js.br", HASHED_JS_BR),
        ("prepoznaj-3f2a9c1b8d7e6f50.js.gz", HASHED_JS_GZ),
        (HASHED_WASM, b"\0asm\x01\0\0\0"),
        (HASHED_CSS, b"body { margin: 0 }"),
        ("sw.js", SERVICE_WORKER_V1),
        ("manifest.webmanifest", MANIFEST.as_bytes()),
        ("icons/icon-192.png", b"\x89PNG\r\n\x1a\n"),
    ];
    for (name, bytes) in files {
        let path = dist.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
}

/// A running server and what it owns: its database and directories, all deleted when the test
/// ends.
#[derive(Debug)]
pub struct TestApp {
    pub base_url: String,
    pub client: reqwest::Client,
    /// Declared before `data_dir`, so a PostgreSQL database is dropped first.
    pub database: TestDatabase,
    pub data_dir: TempDir,
    pub dist_dir: TempDir,
}

/// A configuration on 127.0.0.1, port 0, for the given database and `dist/`.
pub fn config(database: &TestDatabase, dist: &Path) -> Config {
    Config {
        port: 0,
        bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
        data_dir: database.data_dir().to_path_buf(),
        database_url: database.database_url(),
        base_url: None,
        dist: dist.to_path_buf(),
        report_retention_days: prepoznaj_server::config::DEFAULT_REPORT_RETENTION_DAYS,
        unclosed_report_retention_days:
            prepoznaj_server::config::DEFAULT_UNCLOSED_REPORT_RETENTION_DAYS,
        trusted_proxies: Vec::new(),
        quotas: prepoznaj_server::config::Quotas::default(),
        metrics_bind: None,
        log: Targets::from_str("info").unwrap(),
    }
}

/// An HTTP client that shows the wire as it is: no decompression, no redirects followed.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

impl TestApp {
    /// Builds and starts the application. The listener is bound before `build` returns, so
    /// requests can be sent at once.
    pub async fn spawn() -> Self {
        let data_dir = TempDir::new().unwrap();
        let dist_dir = TempDir::new().unwrap();
        write_dist(dist_dir.path());
        // A data directory that does not exist yet: the server must create it.
        let database = TestDatabase::fresh(&data_dir.path().join("data")).await;
        let mut app = Self {
            base_url: String::new(),
            client: client(),
            database,
            data_dir,
            dist_dir,
        };
        app.base_url = app.spawn_instance().await;
        app
    }

    /// As [`TestApp::spawn`], with the configuration changed by `change` first.
    pub async fn spawn_with(change: impl FnOnce(&mut Config)) -> Self {
        let mut app = Self::spawn().await;
        app.base_url = app.spawn_instance_with(change).await;
        app
    }

    /// As [`TestApp::spawn`], serving `GET /metrics` on a listener of its own too; its address.
    pub async fn spawn_with_metrics() -> (Self, std::net::SocketAddr) {
        let mut app = Self::spawn().await;
        let mut config = config(&app.database, app.dist_dir.path());
        config.metrics_bind = Some(std::net::SocketAddr::from((Ipv4Addr::LOCALHOST, 0)));
        let application = Application::build(config).await.unwrap();
        app.base_url = format!("http://{}", application.address());
        let metrics = application.metrics_address().unwrap();
        tokio::spawn(application.run_until_stopped());
        (app, metrics)
    }

    /// Starts one more server on the same database, as a deployment with several instances
    /// does; returns its base URL. It stops when the test ends.
    pub async fn spawn_instance(&self) -> String {
        self.spawn_instance_with(|_| {}).await
    }

    /// As [`TestApp::spawn_instance`], with the configuration changed by `change` first.
    pub async fn spawn_instance_with(&self, change: impl FnOnce(&mut Config)) -> String {
        let mut config = config(&self.database, self.dist_dir.path());
        change(&mut config);
        let application = Application::build(config).await.unwrap();
        let base_url = format!("http://{}", application.address());
        tokio::spawn(application.run_until_stopped());
        base_url
    }

    /// Talks to a server binary already running in `scratch` (on its database), such as one
    /// a test started; both are deleted when the test ends.
    pub fn attach(base_url: String, scratch: Scratch) -> Self {
        Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            client: client(),
            database: scratch.database,
            data_dir: scratch.dir,
            dist_dir: TempDir::new().unwrap(),
        }
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.get_with(path, &[]).await
    }

    /// `GET` with `Authorization: Bearer <token>`.
    pub async fn get_authorized(&self, path: &str, token: &str) -> reqwest::Response {
        self.get_with(path, &[("Authorization", &format!("Bearer {token}"))])
            .await
    }

    /// `POST` of `body` as JSON, with a bearer token if given.
    pub async fn post_json(
        &self,
        path: &str,
        token: Option<&str>,
        body: &impl serde::Serialize,
    ) -> reqwest::Response {
        let body = serde_json::to_vec(body).unwrap();
        self.post_raw(path, token, Some("application/json"), body)
            .await
    }

    /// `POST` of raw bytes with the given content type (none if `None`).
    pub async fn post_raw(
        &self,
        path: &str,
        token: Option<&str>,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> reqwest::Response {
        let mut request = self.client.post(format!("{}{path}", self.base_url));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(content_type) = content_type {
            request = request.header("Content-Type", content_type);
        }
        request.body(body).send().await.unwrap()
    }

    /// `DELETE` with a bearer token.
    pub async fn delete(&self, path: &str, token: &str) -> reqwest::Response {
        self.client
            .delete(format!("{}{path}", self.base_url))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    /// Creates a school as the operator's command does; returns its one-time set-up code.
    pub async fn create_school(&self, name: &str) -> String {
        self.create_school_for(name).await.0
    }

    /// Creates a school as the operator's command does; returns its one-time set-up code and
    /// the school.
    pub async fn create_school_for(&self, name: &str) -> (String, School) {
        let created = operator::create_school(
            &self.database.database(),
            Some("https://prepoznaj.example.rs"),
            &SchoolCreate {
                name: name.to_owned(),
                valid_days: 14,
            },
        )
        .await
        .unwrap();
        (code_of_link(&created.setup_link), created.school)
    }

    /// A new school whose first team member has set up with fresh keys, founding its chain.
    pub async fn school_with_team(&self) -> Team {
        let (setup_code, school) = self.create_school_for("ОШ „Вук Караџић“").await;
        let keys = MemberKeys::generate("Марија, педагог");
        let founding = keys.founding(&school.id);
        let response = self
            .set_up(&setup_code, &school, &keys, Some(founding.signed()))
            .await;
        assert_eq!(response.status(), 201);
        Team::from_setup(response.json().await.unwrap(), keys)
    }

    /// Redeems a set-up code with `keys`, signed with their signing key.
    pub async fn set_up(
        &self,
        code: &str,
        school: &School,
        keys: &MemberKeys,
        founding: Option<&SignedVersion>,
    ) -> reqwest::Response {
        let body = keys.setup_body(code, founding);
        let signature = keys.setup_signature(&school.id, &body);
        self.send(
            Method::Post,
            Endpoint::TeamSetup.path(),
            None,
            Some(body),
            Some(&signature),
        )
        .await
    }

    /// Sends a request: a bearer token, a JSON body and a signature header if given.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Vec<u8>>,
        signature: Option<&str>,
    ) -> reqwest::Response {
        let url = format!("{}{path}", self.base_url);
        let mut request = match method {
            Method::Get => self.client.get(url),
            Method::Post => self.client.post(url),
            Method::Delete => self.client.delete(url),
        };
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request
                .header("Content-Type", "application/json")
                .body(body);
        }
        if let Some(signature) = signature {
            request = request.header(HEADER, signature);
        }
        request.send().await.unwrap()
    }

    /// A team request by `team`'s member: their token, signed with their signing key now.
    pub async fn as_member(
        &self,
        team: &Team,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> reqwest::Response {
        let signature = team.keys.sign(
            method,
            path,
            &team.setup.school.id,
            body.as_deref().unwrap_or_default(),
        );
        self.send(
            method,
            path,
            Some(&team.member_token),
            body,
            Some(&signature),
        )
        .await
    }

    /// `POST` of `body` as JSON by `team`'s member, signed.
    pub async fn team_post(
        &self,
        team: &Team,
        path: &str,
        body: &impl serde::Serialize,
    ) -> reqwest::Response {
        let body = serde_json::to_vec(body).unwrap();
        self.as_member(team, Method::Post, path, Some(body)).await
    }

    /// `DELETE` by `team`'s member, signed.
    pub async fn team_delete(&self, team: &Team, path: &str) -> reqwest::Response {
        self.as_member(team, Method::Delete, path, None).await
    }

    /// The school's key chain as `team`'s member reads it.
    pub async fn chain(&self, team: &Team) -> Vec<SignedVersion> {
        let response = self
            .get_authorized(Endpoint::TeamKeys.path(), &team.member_token)
            .await;
        assert_eq!(response.status(), 200);
        let keys: SchoolKeys = response.json().await.unwrap();
        keys.chain
    }

    /// The chain's last version, verified from version 1 as a member's device does.
    pub async fn head(&self, team: &Team) -> VerifiedVersion {
        verify_chain(None, &self.chain(team).await).unwrap()
    }

    /// Appends `version` as `team`'s member.
    pub async fn append(&self, team: &Team, version: &SignedVersion) -> reqwest::Response {
        self.team_post(
            team,
            Endpoint::AppendChain.path(),
            &serde_json::json!({ "version": version }),
        )
        .await
    }

    /// `team`'s member makes and appends the next version with `change`; asserts it was
    /// accepted.
    pub async fn change(&self, team: &Team, change: MemberChange) -> ChainAppended {
        let head = self.head(team).await;
        let next = sign_next_version(&head, change, &team.keys.signing).unwrap();
        let response = self.append(team, next.signed()).await;
        assert_eq!(response.status(), 201);
        response.json().await.unwrap()
    }

    /// `team`'s member adds a member with fresh keys; returns their keys and the answer (with
    /// their set-up code).
    pub async fn add_member(&self, team: &Team, name: &str) -> (MemberKeys, ChainAppended) {
        let keys = MemberKeys::generate(name);
        let appended = self
            .change(team, MemberChange::Add(keys.chain_member()))
            .await;
        (keys, appended)
    }

    /// `team`'s member removes `member`.
    pub async fn remove_member(&self, team: &Team, member: &TeamMemberId) -> ChainAppended {
        self.change(team, MemberChange::Remove(member.clone()))
            .await
    }

    /// A member added by `team`'s member who set up with their code: their own device.
    pub async fn second_member(&self, team: &Team, name: &str) -> Team {
        let (keys, appended) = self.add_member(team, name).await;
        let code = appended.setup.unwrap().setup_code;
        let response = self
            .set_up(code.expose(), &team.setup.school, &keys, None)
            .await;
        assert_eq!(response.status(), 201);
        Team::from_setup(response.json().await.unwrap(), keys)
    }

    /// A staff enrolment link of `team`'s school; returns its code.
    pub async fn enrolment_code(&self, team: &Team) -> EnrolmentLinkCreated {
        let response = self
            .team_post(team, Endpoint::CreateEnrolmentLink.path(), &json!({}))
            .await;
        assert_eq!(response.status(), 201);
        response.json().await.unwrap()
    }

    /// A phone enrolled in `team`'s school.
    pub async fn enrol(&self, team: &Team) -> Phone {
        let link = self.enrolment_code(team).await;
        let response = self
            .post_json(
                "/api/v1/devices",
                None,
                &json!({ "enrolment_code": link.enrolment_code.expose() }),
            )
            .await;
        assert_eq!(response.status(), 201);
        let enrolment: DeviceEnrolment = response.json().await.unwrap();
        Phone {
            token: enrolment.device_token.expose().to_owned(),
            enrolment,
        }
    }

    /// Submits `submission` with the phone's token.
    pub async fn submit(&self, phone: &Phone, submission: &Value) -> reqwest::Response {
        self.post_json("/api/v1/reports", Some(&phone.token), submission)
            .await
    }

    /// The envelope stored under `report_id`, read from the database.
    pub async fn stored_envelope(&self, report_id: &ReportUuid) -> Vec<u8> {
        self.database.stored_envelope(report_id).await
    }

    /// Number of rows in the reports table.
    pub async fn stored_reports(&self) -> i64 {
        self.database.count("reports").await
    }

    pub async fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
        let mut request = self.client.get(format!("{}{path}", self.base_url));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.send().await.unwrap()
    }
}

/// A response header as text, or `None`.
pub fn header(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .map(|value| value.to_str().unwrap().to_owned())
}

/// A team member's device, set up through the API: their set-up answer, token and keys. (No
/// `Debug`: secret keys are never printed.)
pub struct Team {
    pub setup: TeamSetupResponse,
    pub member_token: String,
    pub keys: MemberKeys,
    /// The member's age identity (the same as `keys.identity`).
    pub identity: age::x25519::Identity,
}

impl Team {
    pub fn from_setup(setup: TeamSetupResponse, keys: MemberKeys) -> Self {
        Self {
            member_token: setup.member_token.expose().to_owned(),
            identity: keys.identity.clone(),
            setup,
            keys,
        }
    }
}

/// An enrolled staff phone.
#[derive(Debug)]
pub struct Phone {
    pub enrolment: DeviceEnrolment,
    pub token: String,
}

/// The code in a link's fragment.
pub fn code_of_link(link: &str) -> String {
    link.rsplit_once('#').unwrap().1.to_owned()
}

/// Encrypts `plaintext` with the age crate to every recipient, as the app does.
pub fn encrypt_to(recipients: &[age::x25519::Recipient], plaintext: &[u8]) -> Vec<u8> {
    let encryptor = age::Encryptor::with_recipients(
        recipients
            .iter()
            .map(|recipient| recipient as &dyn age::Recipient),
    )
    .unwrap();
    let mut envelope = Vec::new();
    let mut writer = encryptor.wrap_output(&mut envelope).unwrap();
    writer.write_all(plaintext).unwrap();
    writer.finish().unwrap();
    envelope
}

/// Decrypts an envelope with one identity.
pub fn decrypt_with(identity: &age::x25519::Identity, envelope: &[u8]) -> Vec<u8> {
    let decryptor = age::Decryptor::new(envelope).unwrap();
    let mut reader = decryptor
        .decrypt(std::iter::once(identity as &dyn age::Identity))
        .unwrap();
    let mut plaintext = Vec::new();
    std::io::Read::read_to_end(&mut reader, &mut plaintext).unwrap();
    plaintext
}

/// A fresh UUIDv7 report id, as the app makes them.
pub fn new_report_id() -> ReportUuid {
    let mut random = [0_u8; 10];
    getrandom::getrandom(&mut random).unwrap();
    ReportUuid::new_v7(UnixMillis(1_764_230_400_000), random)
}

/// A well-formed submission of `envelope` under `report_id`, as JSON.
pub fn submission(report_id: &ReportUuid, envelope: &[u8]) -> Value {
    serde_json::to_value(ReportSubmission {
        report_id: report_id.clone(),
        envelope: Envelope::from_bytes(envelope.to_vec()),
        envelope_sha256: sha256(envelope),
        catalogue_version: CatalogueVersion::new("2021-r1"),
        protocol_version: PROTOCOL_VERSION,
    })
    .unwrap()
}

/// A submission of a new report encrypted to the team's key.
pub fn report_for(team: &Team, plaintext: &[u8]) -> (ReportUuid, Vec<u8>, Value) {
    let envelope = encrypt_to(&[team.identity.to_public()], plaintext);
    let report_id = new_report_id();
    let body = submission(&report_id, &envelope);
    (report_id, envelope, body)
}

pub fn sha256(bytes: &[u8]) -> Sha256Digest {
    Sha256Digest::from_bytes(Sha256::digest(bytes).into())
}

/// Checks an error response: status, JSON body with this code, never cached.
pub async fn assert_error(response: reqwest::Response, status: u16, code: &str) {
    assert_eq!(response.status(), status, "expected {code}");
    assert_eq!(
        header(&response, "content-type").as_deref(),
        Some("application/json"),
        "{code}"
    );
    assert_eq!(
        header(&response, "cache-control").as_deref(),
        Some("no-store"),
        "{code}"
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["protocol"], PROTOCOL_VERSION, "{body}");
}
