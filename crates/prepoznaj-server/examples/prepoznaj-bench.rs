//! The report intake's throughput budget, measured: `cargo run --release -p prepoznaj-server
//! --example prepoznaj-bench`.
//!
//! Starts the real server ([`Application`], on 127.0.0.1 port 0, with a fresh data directory,
//! its configuration read like the server's own: `PREPOZNAJ_*` variables apply), creates a
//! school as the operator does, sets up its team and enrols a phone through the API, then sends
//! `POST /api/v1/reports` with real age envelopes of 8 KiB over 200 keep-alive connections,
//! each sending one report after the other, for a warm-up and then a measured window: the most
//! the server takes. Its latency is the clients' own queue (by Little's law, 200 clients ÷ the
//! rate), so the latency budget is measured in a second run at the budget's rate: reports
//! arrive at 2,000 a second whatever the answers (an open load, as phones are), and each one's
//! latency counts from when it was due, including any wait for a free connection. Every
//! report counted was answered `201`, which the server sends only after its commit.
//!
//! In the same run it measures what SQLite itself does with the same row, file settings and
//! pragmas (WAL, `synchronous=FULL`) from a bare rusqlite loop, with no HTTP, JSON or checks:
//! one insert per transaction, and batches of up to one row per connection (the most a loop
//! can batch when 200 clients each wait for their answer). The ratio is the server's rate over
//! the batched one: what the server keeps of the database's own durable write rate.
//!
//! It prints the figures and whether each target is met; it asserts nothing. The client runs
//! in this process, on the same cores as the server, so the figures are a lower bound for the
//! server alone. To take as little from the server as it can, the load generator is not an HTTP
//! library (reqwest cost about 20 µs of CPU per report here, a third of the server's own): each
//! connection writes a request built once per envelope (headers and pre-serialised JSON) with
//! only the report id filled in, and reads the answer's status, headers and whole body. What it
//! still costs per report is printed as "load generator". Optional: `PREPOZNAJ_BENCH_SECONDS` (measured window, default 10),
//! `PREPOZNAJ_BENCH_CONNECTIONS` (default 200), `PREPOZNAJ_BENCH_INSTANCES` (server instances
//! on the one database, default 1; the connections are shared out among them in turn).
//! `DATABASE_URL` runs it on PostgreSQL, as the server does (`scripts/postgres.sh start` makes
//! a throwaway one). Request logs are off unless `PREPOZNAJ_LOG` asks for them (they would
//! flood the terminal).

use std::{
    error::Error,
    io::Write as _,
    net::SocketAddr,
    path::Path,
    sync::Arc,
    time::{Duration, Instant},
};

use clap::Parser as _;
use prepoznaj_domain::{
    catalogue::CatalogueVersion,
    endpoints::{Endpoint, Method},
    observation::UnixMillis,
    protocol::{
        AgeRecipient, DeviceEnrolment, DisplayName, EnrolmentLinkCreated, Envelope,
        PROTOCOL_VERSION, ReportSubmission, ReportUuid, SchoolId, Sha256Digest, TeamMemberId,
        TeamSetupResponse,
    },
    team_chain::ChainMember,
    team_request::{SIGNATURE_HEADER, SignedRequest},
};
use prepoznaj_envelope::{chain::found_chain, signing::ChainSigningKey};
use prepoznaj_server::{
    Application, Cli, age_format,
    config::SchoolCreate,
    credentials::now,
    operator,
    store::{Database, sqlite::SqliteStore},
    telemetry,
};
use rusqlite::{Connection, params};
use serde_json::json;
use sha2::Digest as _;
use tempfile::TempDir;
use tokio::{
    io::{AsyncBufReadExt as _, AsyncReadExt as _, AsyncWriteExt as _, BufReader},
    net::TcpStream,
};

#[path = "support/environment.rs"]
mod environment;

use environment::{env_number, load_average};

type BenchResult<T> = Result<T, Box<dyn Error + Send + Sync>>;

const ENVELOPE_BYTES: usize = 8 * 1024;
const WARM_UP: Duration = Duration::from_secs(2);
const DEFAULT_SECONDS: u64 = 10;
const DEFAULT_CONNECTIONS: usize = 200;
/// Distinct envelopes sent in turn (each report has its own id).
const ENVELOPES: usize = 8;
/// Phones sharing the run at full speed (each may send 100,000 reports a day).
const SATURATION_PHONES: usize = 4;
/// How long each raw SQLite loop runs.
const RAW_WINDOW: Duration = Duration::from_secs(5);

const TARGET_REPORTS_PER_SECOND: f64 = 2_000.0;
const TARGET_P99: Duration = Duration::from_millis(50);
const TARGET_RATIO: f64 = 0.5;

/// A stand-in id in the JSON templates, replaced by each report's own.
const PLACEHOLDER_ID: &str = "01900000-0000-7000-8000-000000000000";

fn main() -> BenchResult<()> {
    let seconds = env_number("PREPOZNAJ_BENCH_SECONDS", DEFAULT_SECONDS)?;
    let connections = env_number("PREPOZNAJ_BENCH_CONNECTIONS", DEFAULT_CONNECTIONS)?;
    let instances = env_number("PREPOZNAJ_BENCH_INSTANCES", 1_usize)?.max(1);
    let measured = Duration::from_secs(seconds);
    let load_before = load_average();

    let scratch = TempDir::new()?;
    let dist = scratch.path().join("dist");
    std::fs::create_dir_all(&dist)?;
    std::fs::write(
        dist.join("index.html"),
        "<!doctype html><title>bench</title>",
    )?;
    let data_dir = scratch.path().join("data");

    // The server gets its own runtime, as in its own process; the clients get another.
    let server_runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("server")
        .build()?;
    let (address, database) = server_runtime.block_on(start_server(&data_dir, &dist))?;
    let mut addresses = vec![address];
    for _ in 1..instances {
        addresses.push(server_runtime.block_on(start_server(&data_dir, &dist))?.0);
    }
    let client_runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("client")
        .build()?;
    let base_url = format!("http://{address}");
    // A phone may send 100,000 reports a day (the most the option takes): the run at full speed
    // shares its connections among several, each of its own school, as a country's are.
    let mut phones = Vec::new();
    for _ in 0..SATURATION_PHONES {
        phones.push(client_runtime.block_on(set_up_phone(&base_url, &database))?);
    }
    let run = client_runtime.block_on(drive(
        &addresses,
        &phones,
        (connections, 0),
        Pace::Closed,
        measured,
    ))?;
    let open_phone = client_runtime.block_on(set_up_phone(&base_url, &database))?;
    let open = client_runtime.block_on(drive(
        &addresses,
        std::slice::from_ref(&open_phone),
        (connections, connections),
        Pace::Open {
            per_second: TARGET_REPORTS_PER_SECOND,
        },
        measured,
    ))?;
    drop(client_runtime);
    server_runtime.shutdown_timeout(Duration::from_secs(5));
    let load_after = load_average();

    let raw_dir = TempDir::new_in(scratch.path())?;
    let raw = raw_sqlite(raw_dir.path(), connections)?;
    print_report(&Report {
        connections,
        measured,
        database: database.to_string(),
        instances,
        run,
        open,
        raw,
        load_before,
        load_after,
    })
}

/// Builds and spawns the server from a configuration parsed like the server's own command line
/// (so its environment variables, such as a database choice, apply).
async fn start_server(data_dir: &Path, dist: &Path) -> BenchResult<(SocketAddr, Database)> {
    let mut arguments = vec!["prepoznaj-server".into(), "--port".into(), "0".into()];
    arguments.extend([
        "--bind".into(),
        "127.0.0.1".into(),
        "--data-dir".into(),
        data_dir.as_os_str().to_owned(),
        "--dist".into(),
        dist.as_os_str().to_owned(),
    ]);
    if std::env::var_os("PREPOZNAJ_LOG").is_none() {
        arguments.extend(["--log".into(), "warn".into()]);
    }
    // Quotas are checked on every report, as in service; a few bench phones send them all, so
    // their daily limit and their schools' space are raised out of the way.
    arguments.extend([
        "--reports-per-device-per-day".into(),
        "100000".into(),
        "--school-storage-mib".into(),
        "1048576".into(),
    ]);
    let cli = Cli::try_parse_from::<_, std::ffi::OsString>(arguments)?;
    // One subscriber for the process, however many instances run in it.
    static TELEMETRY: std::sync::Once = std::sync::Once::new();
    TELEMETRY.call_once(|| telemetry::init(cli.config.log.clone()));
    let application = Application::build(cli.config).await?;
    let address = application.address();
    let database = application.database().clone();
    tokio::spawn(application.run_until_stopped());
    Ok((address, database))
}

/// A request body cut around its report id: `prefix + id + suffix`.
#[derive(Debug)]
struct Template {
    prefix: String,
    suffix: String,
}

/// What the phones send with: their token and the envelopes' request bodies.
#[derive(Debug)]
struct Phone {
    token: String,
    templates: Vec<Template>,
}

/// Creates a school (operator path), sets up its team member with fresh keys (founding the
/// team's key chain, as the member's app does), enrols a phone, and encrypts [`ENVELOPES`] envelopes of exactly [`ENVELOPE_BYTES`] to the team.
async fn set_up_phone(base_url: &str, database: &Database) -> BenchResult<Phone> {
    let created = operator::create_school(
        database,
        Some("https://prepoznaj.example.rs"),
        &SchoolCreate {
            name: "ОШ „Бенчмарк“".to_owned(),
            valid_days: 1,
        },
    )
    .await?;
    let setup_code = created
        .setup_link
        .rsplit_once('#')
        .ok_or("the set-up link has no code")?
        .1;
    let client = reqwest::Client::new();
    let identity = age::x25519::Identity::generate();
    let signing_key = ChainSigningKey::generate()?;
    let mut random = [0_u8; 10];
    getrandom::getrandom(&mut random)?;
    let member = ChainMember {
        id: TeamMemberId::new_v7(now(), random),
        display_name: DisplayName::parse("Бенчмарк")?,
        recipient: AgeRecipient::parse(&identity.to_public().to_string())?,
        signing_key: signing_key.public_key(),
        added_at: now(),
    };
    let school = &created.school.id;
    let founding = found_chain(school.clone(), vec![member.clone()], &signing_key)?;
    let team: TeamSetupResponse = post(
        &client,
        base_url,
        Endpoint::TeamSetup.path(),
        None,
        &json!({
            "setup_code": setup_code,
            "public_key": member.recipient,
            "signing_key": member.signing_key,
            "display_name": member.display_name,
            "founding": founding.signed(),
        }),
        Some(&Signer {
            key: &signing_key,
            school,
            member: None,
        }),
    )
    .await?;
    let member_token = team.member_token.expose();
    let link: EnrolmentLinkCreated = post(
        &client,
        base_url,
        Endpoint::CreateEnrolmentLink.path(),
        Some(member_token),
        &json!({}),
        Some(&Signer {
            key: &signing_key,
            school,
            member: Some(&member.id),
        }),
    )
    .await?;
    let device: DeviceEnrolment = post(
        &client,
        base_url,
        Endpoint::EnrolDevice.path(),
        None,
        &json!({ "enrolment_code": link.enrolment_code.expose() }),
        None,
    )
    .await?;
    let recipient = identity.to_public();
    let mut templates = Vec::with_capacity(ENVELOPES);
    for _ in 0..ENVELOPES {
        let envelope = Envelope::from_bytes(envelope_of_size(&recipient, ENVELOPE_BYTES)?);
        let body = serde_json::to_string(&ReportSubmission {
            report_id: ReportUuid::parse(PLACEHOLDER_ID)?,
            envelope_sha256: age_format::envelope_sha256(&envelope),
            envelope,
            catalogue_version: CatalogueVersion::new("2021-r1"),
            protocol_version: PROTOCOL_VERSION,
        })?;
        let (prefix, suffix) = body
            .split_once(PLACEHOLDER_ID)
            .ok_or("the report id is not in the body")?;
        templates.push(Template {
            prefix: prefix.to_owned(),
            suffix: suffix.to_owned(),
        });
    }
    Ok(Phone {
        token: device.device_token.expose().to_owned(),
        templates,
    })
}

/// An envelope of exactly `size` bytes of random plaintext. The age crate adds a "grease"
/// stanza of random size to every header, so envelopes are made until one fits.
fn envelope_of_size(recipient: &age::x25519::Recipient, size: usize) -> BenchResult<Vec<u8>> {
    let mut plaintext_size = size;
    for _ in 0..10_000 {
        let mut plaintext = vec![0; plaintext_size];
        getrandom::getrandom(&mut plaintext)?;
        let envelope = encrypt(recipient, &plaintext)?;
        if envelope.len() == size {
            return Ok(envelope);
        }
        plaintext_size = (plaintext_size + size).saturating_sub(envelope.len());
    }
    Err(format!("no envelope of exactly {size} bytes in 10000 tries").into())
}

fn encrypt(recipient: &age::x25519::Recipient, plaintext: &[u8]) -> BenchResult<Vec<u8>> {
    let encryptor =
        age::Encryptor::with_recipients(std::iter::once(recipient as &dyn age::Recipient))?;
    let mut envelope = Vec::new();
    let mut writer = encryptor.wrap_output(&mut envelope)?;
    writer.write_all(plaintext)?;
    writer.finish()?;
    Ok(envelope)
}

/// Who signs a team request: the member's signing key, school and id (none at set-up).
struct Signer<'a> {
    key: &'a ChainSigningKey,
    school: &'a SchoolId,
    member: Option<&'a TeamMemberId>,
}

async fn post<T: serde::de::DeserializeOwned>(
    client: &reqwest::Client,
    base_url: &str,
    path: &str,
    token: Option<&str>,
    body: &serde_json::Value,
    signer: Option<&Signer<'_>>,
) -> BenchResult<T> {
    let url = format!("{base_url}{path}");
    let bytes = serde_json::to_vec(body)?;
    let mut request = client.post(&url).header("Content-Type", "application/json");
    if let Some(signer) = signer {
        let body_sha256 = Sha256Digest::from_bytes(sha2::Sha256::digest(&bytes).into());
        let signed_at = now();
        let request_signed = SignedRequest {
            method: Method::Post,
            path,
            school: signer.school,
            signer: signer.member,
            signed_at,
            body_sha256: &body_sha256,
        };
        let signature = signer.key.sign_request(request_signed, signed_at);
        request = request.header(SIGNATURE_HEADER, signature.to_string());
    }
    request = request.body(bytes);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await?;
    let status = response.status();
    if !status.is_success() {
        let text = response.text().await.unwrap_or_default();
        return Err(format!("{url}: {status}: {text}").into());
    }
    Ok(response.json().await?)
}

/// What the load run saw in its measured window.
#[derive(Debug, Default)]
struct Run {
    /// CPU time each group of this process's threads used in the window.
    cpu: CpuUse,
    /// Latencies of the `201` answers completed in the window.
    latencies: Vec<Duration>,
    /// Answers other than `201`, and failed requests, in the window.
    failures: usize,
    first_failure: Option<String>,
}

/// How the clients send.
#[derive(Debug, Clone, Copy)]
enum Pace {
    /// Each client sends its next report as soon as the last is answered: the most the server
    /// takes. Its latency is the clients' queue: by Little's law about clients ÷ rate.
    Closed,
    /// Reports arrive at this many per second, whatever the answers (an open load, as phones
    /// are): report `n` is due at `n / rate` and its latency counts from then, so a report that
    /// waited for a free connection counts its wait too.
    Open { per_second: f64 },
}

/// `connections` clients, each with one keep-alive connection to one of `addresses` in turn,
/// send reports at `pace` for the warm-up and the measured window. `first_connection` keeps
/// report ids apart between runs.
async fn drive(
    addresses: &[SocketAddr],
    phones: &[Phone],
    (connections, first_connection): (usize, usize),
    pace: Pace,
    measured: Duration,
) -> BenchResult<Run> {
    let requests = Arc::new(
        phones
            .iter()
            .map(|phone| {
                phone
                    .templates
                    .iter()
                    .map(|template| RequestTemplate::new(addresses[0], &phone.token, template))
                    .collect::<Vec<_>>()
            })
            .collect::<Vec<_>>(),
    );
    let due = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let started = Instant::now();
    let window_start = started + WARM_UP;
    let window_end = window_start + measured;
    let cpu = tokio::spawn(async move {
        tokio::time::sleep_until(window_start.into()).await;
        let before = cpu_by_thread();
        tokio::time::sleep_until(window_end.into()).await;
        cpu_by_thread().since(&before)
    });
    let mut clients = tokio::task::JoinSet::new();
    for connection in first_connection..first_connection + connections {
        let requests = Arc::clone(&requests);
        let due = Arc::clone(&due);
        let address = addresses[connection % addresses.len()];
        clients.spawn(async move {
            let mut run = Run::default();
            let mut http = match HttpConnection::open(address).await {
                Ok(http) => http,
                Err(error) => {
                    run.failures += 1;
                    run.first_failure = Some(error.to_string());
                    return run;
                }
            };
            let mut request = Vec::new();
            let mut sequence: u64 = 0;
            while Instant::now() < window_end {
                let sent = match pace {
                    Pace::Closed => Instant::now(),
                    Pace::Open { per_second } => {
                        let n = due.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let at = started + Duration::from_secs_f64(n as f64 / per_second);
                        if at >= window_end {
                            break;
                        }
                        tokio::time::sleep_until(at.into()).await;
                        at
                    }
                };
                sequence += 1;
                let templates = &requests[connection % requests.len()];
                let template = &templates[(connection + sequence as usize) % ENVELOPES];
                template.write(&report_id(connection, sequence), &mut request);
                // Reads the whole receipt, as a phone does.
                let outcome = match http.exchange(&request).await {
                    Ok(201) => Ok(()),
                    Ok(status) => Err(format!(
                        "{status}: {}",
                        String::from_utf8_lossy(http.body())
                    )),
                    Err(error) => {
                        // The connection is in an unknown state: start a new one.
                        match HttpConnection::open(address).await {
                            Ok(fresh) => http = fresh,
                            Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
                        }
                        Err(error.to_string())
                    }
                };
                let done = Instant::now();
                if done < window_start || done > window_end {
                    continue;
                }
                match outcome {
                    Ok(()) => run.latencies.push(done - sent),
                    Err(error) => {
                        run.failures += 1;
                        run.first_failure.get_or_insert(error);
                    }
                }
            }
            run
        });
    }
    let mut total = Run::default();
    for run in clients.join_all().await {
        total.latencies.extend(run.latencies);
        total.failures += run.failures;
        if total.first_failure.is_none() {
            total.first_failure = run.first_failure;
        }
    }
    total.latencies.sort_unstable();
    total.cpu = cpu.await?;
    Ok(total)
}

/// A whole `POST /api/v1/reports` request (headers and body) cut around its report id, which
/// has the same length in every report, so `Content-Length` is known in advance.
#[derive(Debug)]
struct RequestTemplate {
    head: Vec<u8>,
    tail: Vec<u8>,
}

impl RequestTemplate {
    fn new(address: SocketAddr, token: &str, body: &Template) -> Self {
        let length = body.prefix.len() + PLACEHOLDER_ID.len() + body.suffix.len();
        let head = format!(
            "POST /api/v1/reports HTTP/1.1\r\nhost: {address}\r\n\
             authorization: Bearer {token}\r\ncontent-type: application/json\r\n\
             content-length: {length}\r\n\r\n{}",
            body.prefix
        );
        Self {
            head: head.into_bytes(),
            tail: body.suffix.clone().into_bytes(),
        }
    }

    /// Writes the request for `report_id` into `request`, reusing its memory.
    fn write(&self, report_id: &ReportUuid, request: &mut Vec<u8>) {
        request.clear();
        request.extend_from_slice(&self.head);
        request.extend_from_slice(report_id.as_str().as_bytes());
        request.extend_from_slice(&self.tail);
    }
}

/// One keep-alive HTTP/1.1 connection that sends ready-made requests and reads each answer's
/// status line, headers and `Content-Length` body. The server answers every request with a
/// length, so that is all a client of this server needs.
struct HttpConnection {
    reader: BufReader<TcpStream>,
    line: String,
    body: Vec<u8>,
}

impl HttpConnection {
    async fn open(address: SocketAddr) -> BenchResult<Self> {
        let stream = TcpStream::connect(address).await?;
        // As reqwest and browsers do: a request is not held back waiting for an ACK.
        stream.set_nodelay(true)?;
        Ok(Self {
            reader: BufReader::new(stream),
            line: String::new(),
            body: Vec::new(),
        })
    }

    /// Sends `request` and reads the whole answer; returns its status code.
    async fn exchange(&mut self, request: &[u8]) -> BenchResult<u16> {
        self.reader.get_mut().write_all(request).await?;
        let status = match self.read_line().await?.split(' ').nth(1) {
            Some(code) => code.parse()?,
            None => return Err("the answer has no status line".into()),
        };
        let mut length = 0;
        loop {
            let header = self.read_line().await?;
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse()?;
            }
        }
        self.body.resize(length, 0);
        self.reader.read_exact(&mut self.body).await?;
        Ok(status)
    }

    /// The next line without its line break; an error if the server closed the connection.
    async fn read_line(&mut self) -> BenchResult<&str> {
        self.line.clear();
        if self.reader.read_line(&mut self.line).await? == 0 {
            return Err("the server closed the connection".into());
        }
        Ok(self.line.trim_end())
    }

    /// The last answer's body.
    fn body(&self) -> &[u8] {
        &self.body
    }
}

/// CPU time (user and system) of this process's threads, by role (from their names).
#[derive(Debug, Default, Clone, Copy)]
struct CpuUse {
    /// The server's runtime: HTTP, handlers, the blocking pool's reads.
    server: Duration,
    writer: Duration,
    checkpointer: Duration,
    /// The load generator, and anything else in the process.
    client: Duration,
}

impl CpuUse {
    fn since(self, before: &Self) -> Self {
        Self {
            server: self.server.saturating_sub(before.server),
            writer: self.writer.saturating_sub(before.writer),
            checkpointer: self.checkpointer.saturating_sub(before.checkpointer),
            client: self.client.saturating_sub(before.client),
        }
    }

    fn server_total(&self) -> Duration {
        self.server + self.writer + self.checkpointer
    }
}

/// Reads `/proc/self/task/*/stat` (Linux); all zero elsewhere. Threads that ended are missed.
fn cpu_by_thread() -> CpuUse {
    // /proc counts in USER_HZ, which is 100 on Linux.
    const TICK: Duration = Duration::from_millis(10);
    let mut cpu = CpuUse::default();
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return cpu;
    };
    for task in tasks.flatten() {
        let Ok(stat) = std::fs::read_to_string(task.path().join("stat")) else {
            continue;
        };
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
            continue;
        };
        let name = &stat[open + 1..close];
        // After the name: state is field 3, utime field 14, stime field 15.
        let fields: Vec<&str> = stat[close + 1..].split_whitespace().collect();
        let ticks: u32 = [11, 12]
            .iter()
            .filter_map(|&index| fields.get(index)?.parse::<u32>().ok())
            .sum();
        let used = TICK * ticks;
        match name {
            "server" => cpu.server += used,
            "sqlite-writer" => cpu.writer += used,
            "sqlite-checkpt" => cpu.checkpointer += used,
            _ => cpu.client += used,
        }
    }
    cpu
}

/// A UUIDv7 unique to this connection and sequence number.
fn report_id(connection: usize, sequence: u64) -> ReportUuid {
    let mut random = [0_u8; 10];
    random[..2].copy_from_slice(&(connection as u16).to_be_bytes());
    random[2..].copy_from_slice(&sequence.to_be_bytes());
    ReportUuid::new_v7(prepoznaj_server::credentials::now(), random)
}

/// Rows per second of the bare rusqlite loops.
#[derive(Debug)]
struct Raw {
    one_per_transaction: f64,
    batched: f64,
    batch: usize,
}

/// The same table (migrated by the server's own store), pragmas and row, with no server.
fn raw_sqlite(data_dir: &Path, batch: usize) -> BenchResult<Raw> {
    let runtime = tokio::runtime::Builder::new_current_thread().build()?;
    drop(runtime.block_on(SqliteStore::open(data_dir))?);
    let connection = Connection::open(SqliteStore::database_path(data_dir))?;
    connection.busy_timeout(Duration::from_secs(5))?;
    let journal_mode: String =
        connection.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
    if journal_mode != "wal" {
        return Err(format!("journal_mode {journal_mode}").into());
    }
    connection.pragma_update(None, "synchronous", "FULL")?;
    connection.pragma_update(None, "foreign_keys", "ON")?;
    let school = "01900000-0000-7000-8000-0000000000aa";
    connection.execute(
        "INSERT INTO schools (id, name, created_at) VALUES (?1, 'raw', 0)",
        [school],
    )?;
    let mut envelope = vec![0; ENVELOPE_BYTES];
    getrandom::getrandom(&mut envelope)?;
    let digest = age_format::envelope_sha256(&Envelope::from_bytes(envelope.clone()));
    let mut sequence: u64 = 0;
    let mut insert_for = |window: Duration, rows_per_transaction: usize| -> BenchResult<f64> {
        let started = Instant::now();
        let mut rows = 0_u64;
        while started.elapsed() < window {
            let transaction = connection.unchecked_transaction()?;
            for _ in 0..rows_per_transaction {
                sequence += 1;
                transaction
                    .prepare_cached(
                        "INSERT INTO reports (id, school_id, envelope, envelope_sha256, size,
                                              catalogue_version, received_at, status)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'received')",
                    )?
                    .execute(params![
                        report_id(usize::MAX, sequence).as_str(),
                        school,
                        envelope,
                        digest.as_bytes(),
                        envelope.len(),
                        "2021-r1",
                        UnixMillis(0).0,
                    ])?;
            }
            transaction.commit()?;
            rows += rows_per_transaction as u64;
        }
        Ok(rows as f64 / started.elapsed().as_secs_f64())
    };
    let one_per_transaction = insert_for(RAW_WINDOW, 1)?;
    let batched = insert_for(RAW_WINDOW, batch)?;
    Ok(Raw {
        one_per_transaction,
        batched,
        batch,
    })
}

#[derive(Debug)]
struct Report {
    connections: usize,
    measured: Duration,
    database: String,
    instances: usize,
    run: Run,
    /// The run at the budget's rate.
    open: Run,
    raw: Raw,
    load_before: String,
    load_after: String,
}

fn percentile(sorted: &[Duration], percent: usize) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[(sorted.len() * percent / 100).min(sorted.len() - 1)]
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "NOT met" }
}

#[expect(clippy::print_stdout, reason = "a benchmark's output is its figures")]
fn print_report(report: &Report) -> BenchResult<()> {
    let run = &report.run;
    let reports_per_second = run.latencies.len() as f64 / report.measured.as_secs_f64();
    let p50 = percentile(&run.latencies, 50);
    let p99 = percentile(&run.latencies, 99);
    let max = run.latencies.last().copied().unwrap_or_default();
    let ratio = reports_per_second / report.raw.batched;
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    println!("Report intake: POST /api/v1/reports, {ENVELOPE_BYTES}-byte age envelopes");
    println!(
        "  {} connections with keep-alive, each sending one report after the other; \
         {} s warm-up, {} s measured",
        report.connections,
        WARM_UP.as_secs(),
        report.measured.as_secs()
    );
    println!(
        "  server and clients in one process on {cores} cores; load average before {}, after {}",
        report.load_before, report.load_after
    );
    println!(
        "  database: {}; server instances on it: {}",
        report.database, report.instances
    );
    println!(
        "  durable reports/s: {reports_per_second:.0} (answered 201, i.e. committed with \
         synchronous=FULL)"
    );
    println!(
        "  latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms (the clients' own queue: about \
         {} clients / rate = {:.1} ms)",
        millis(p50),
        millis(p99),
        millis(max),
        report.connections,
        1000.0 * report.connections as f64 / reports_per_second.max(1.0)
    );
    println!("  failed requests: {}", run.failures);
    let cpu = &run.cpu;
    let available = report.measured.as_secs_f64() * cores as f64;
    let used = (cpu.server_total() + cpu.client).as_secs_f64();
    println!(
        "  CPU in the window: server {:.1} core-s (HTTP and handlers {:.1}, writer {:.1}, \
         checkpoints {:.1}), load generator {:.1}; {:.0}% of the {available:.0} core-s of \
         {cores} cores (the rest went to other processes or idled)",
        cpu.server_total().as_secs_f64(),
        cpu.server.as_secs_f64(),
        cpu.writer.as_secs_f64(),
        cpu.checkpointer.as_secs_f64(),
        cpu.client.as_secs_f64(),
        100.0 * used / available
    );
    if let Some(reports) = u32::try_from(run.latencies.len()).ok().filter(|&n| n > 0) {
        println!(
            "  CPU per report: server {:.0} µs, load generator {:.0} µs",
            micros(cpu.server_total() / reports),
            micros(cpu.client / reports)
        );
    }
    if let Some(failure) = &run.first_failure {
        println!("    first: {failure}");
    }
    let open = &report.open;
    let open_rate = open.latencies.len() as f64 / report.measured.as_secs_f64();
    let open_p99 = percentile(&open.latencies, 99);
    println!(
        "At the budget's rate: reports arrive at {TARGET_REPORTS_PER_SECOND:.0}/s whatever the \
         answers, over the same {} connections; latency from when each report was due",
        report.connections
    );
    println!("  durable reports/s: {open_rate:.0}");
    println!(
        "  latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        millis(percentile(&open.latencies, 50)),
        millis(open_p99),
        millis(open.latencies.last().copied().unwrap_or_default())
    );
    println!("  failed requests: {}", open.failures);
    if let Some(failure) = &open.first_failure {
        println!("    first: {failure}");
    }
    println!(
        "Raw SQLite: a bare rusqlite loop, same schema, pragmas (WAL, synchronous=FULL) and \
         {ENVELOPE_BYTES}-byte row; no HTTP, JSON, checks or token lookup"
    );
    println!(
        "  one insert per transaction (one fsync each): {:.0} rows/s",
        report.raw.one_per_transaction
    );
    println!(
        "  {} inserts per transaction (one per waiting client, the best a loop can batch): \
         {:.0} rows/s",
        report.raw.batch, report.raw.batched
    );
    println!(
        "  ratio (server reports/s over the batched raw rate): {ratio:.2}; over one insert per \
         transaction: {:.2}",
        reports_per_second / report.raw.one_per_transaction
    );
    println!("Targets");
    println!(
        "  >= {TARGET_REPORTS_PER_SECOND:.0} reports/s: {}",
        verdict(reports_per_second >= TARGET_REPORTS_PER_SECOND)
    );
    println!(
        "  p99 <= {} ms at {TARGET_REPORTS_PER_SECOND:.0} reports/s: {}",
        TARGET_P99.as_millis(),
        verdict(
            open_p99 <= TARGET_P99
                && open_rate >= 0.98 * TARGET_REPORTS_PER_SECOND
                && !open.latencies.is_empty()
        )
    );
    println!(
        "  ratio >= {TARGET_RATIO}: {}",
        verdict(ratio >= TARGET_RATIO)
    );
    println!(
        "  no failed requests: {}",
        verdict(run.failures == 0 && open.failures == 0)
    );
    std::io::stdout().flush()?;
    Ok(())
}

fn micros(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1_000_000.0
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}
