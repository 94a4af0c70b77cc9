//! The seeded fault-injection suite: the phone's real sync state machine
//! ([`prepoznaj_domain::outbox`]) sends reports over real HTTP to the real server through a
//! proxy that resets connections, answers 500/502/503, loses answers, replays, reorders and
//! delays requests, and kills the server mid-upload and after a commit (restarting it on the
//! same data directory); the phone's clock jumps by ±48 hours and its token is revoked
//! mid-queue (then it enrols again).
//!
//! Invariants, per schedule: every report reaches the database exactly once (none lost, none
//! duplicated, no row the phone did not queue); every report the phone holds a receipt for is
//! in the database after each kill; the phone never gives up on a retryable report (only the
//! deliberately malformed reports are rejected, and nothing else is); a waiting report is
//! always due again within the longest wait.
//!
//! `PREPOZNAJ_FAULT_SEED=<n>` reruns a whole run; `PREPOZNAJ_FAULT_SCHEDULE=<n>` runs just the
//! schedule with that seed (both are printed); `PREPOZNAJ_FAULT_SCHEDULES=<n>` sets how many
//! schedules run (default 1,000). The last line says how many ran and what was lost.

// Tests fail by panicking: unwrap/expect are how a test says "this must hold".
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed unwrap is a failed test"
)]

mod ledger;
mod phone;
mod plan;
mod proxy;
mod server;
#[path = "../support/team_keys.rs"]
mod team_keys;

use std::{
    collections::{BTreeMap, HashMap},
    io::Write as _,
    net::{IpAddr, Ipv4Addr},
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant, SystemTime},
};

use prepoznaj_domain::{
    endpoints::Method,
    observation::UnixMillis,
    outbox::{Outbox, ReportState, Transition},
    protocol::{ErrorCode, ReportUuid, Sha256Digest, TeamSetupResponse},
    sync::{MAX_RETRY_AFTER_MS, RetryReason},
};
use prepoznaj_server::{config::SchoolCreate, operator, store::Database};
use tempfile::TempDir;
use tokio::task::JoinSet;

use crate::{
    ledger::{Ledger, stored_digests},
    phone::{Answer, encrypt, enrol, http_client, send, sha256},
    plan::{FaultPlan, Rng},
    proxy::Proxy,
    server::Server,
};

const DEFAULT_SCHEDULES: u64 = 1_000;
/// Servers (each with its own data directory and proxy) running schedules side by side.
const WORKERS: u64 = 4;
/// A schedule taking longer than this is a hang, reported with its seed.
const SCHEDULE_DEADLINE: Duration = Duration::from_secs(60);
/// No schedule needs this many requests: its faults are few, so more means no progress.
const MAX_REQUESTS: u32 = 500;
const HOURS_48: u64 = 48 * 60 * 60 * 1_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_report_is_lost_or_duplicated_under_faults() {
    let started = Instant::now();
    let suite_seed = env_number("PREPOZNAJ_FAULT_SEED").unwrap_or_else(|| {
        u64::try_from(
            SystemTime::now()
                .duration_since(SystemTime::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
                % u128::from(u64::MAX),
        )
        .unwrap()
    });
    let seeds: Vec<u64> = match env_number("PREPOZNAJ_FAULT_SCHEDULE") {
        Some(one) => vec![one],
        None => {
            let count = env_number("PREPOZNAJ_FAULT_SCHEDULES").unwrap_or(DEFAULT_SCHEDULES);
            let mut rng = Rng::new(suite_seed);
            (0..count).map(|_| rng.next_u64()).collect()
        }
    };
    if let [only] = seeds[..] {
        say(&format!("fault schedule seed: {only}"));
    } else {
        say(&format!(
            "fault suite seed: {suite_seed} (rerun with PREPOZNAJ_FAULT_SEED={suite_seed})"
        ));
    }

    let seeds = Arc::new(seeds);
    let next = Arc::new(AtomicU64::new(0));
    let mut workers = JoinSet::new();
    for index in 0..WORKERS.min(seeds.len() as u64) {
        let seeds = Arc::clone(&seeds);
        let next = Arc::clone(&next);
        workers.spawn(async move {
            let mut worker = Worker::start(index).await;
            let mut totals = Totals::default();
            loop {
                let position = usize::try_from(next.fetch_add(1, Ordering::Relaxed)).unwrap();
                let Some(&seed) = seeds.get(position) else {
                    break;
                };
                let outcome =
                    tokio::time::timeout(SCHEDULE_DEADLINE, worker.run_schedule(seed)).await;
                match outcome {
                    Ok(outcome) => totals.add(seed, outcome),
                    Err(_) => {
                        totals.violations.push(format!(
                            "schedule {seed}: no end after {SCHEDULE_DEADLINE:?}"
                        ));
                        // The worker's state is unknown now: start a fresh one.
                        worker = Worker::start(index).await;
                    }
                }
            }
            worker.finish(&mut totals).await;
            totals
        });
    }
    let mut totals = Totals::default();
    while let Some(worker) = workers.join_next().await {
        totals.merge(worker.unwrap());
    }

    let faults: Vec<String> = totals
        .injected
        .iter()
        .map(|(name, count)| format!("{name}: {count}"))
        .collect();
    say(&format!("faults injected: {}", faults.join(", ")));
    for violation in totals.violations.iter().take(20) {
        say(&format!("VIOLATION {violation}"));
    }
    say(&format!(
        "fault schedules: {}, reports: {} ({} rejected as designed), server restarts: {}, lost: {}, duplicated: {}, other violations: {}, in {:.1} s",
        totals.schedules,
        totals.reports,
        totals.rejected,
        totals.restarts,
        totals.lost,
        totals.duplicated,
        totals.violations.len() - totals.lost - totals.duplicated,
        started.elapsed().as_secs_f64(),
    ));
    assert!(
        totals.violations.is_empty(),
        "{} violations; rerun one with PREPOZNAJ_FAULT_SCHEDULE=<seed>",
        totals.violations.len()
    );
    assert_eq!(totals.schedules, seeds.len());
    if seeds.len() >= 100 {
        for kind in plan::Fault::KINDS {
            assert!(
                totals.injected.get(kind).copied().unwrap_or(0) > 0,
                "no schedule injected {kind}"
            );
        }
    }
}

/// Writes a line on stderr past the test harness's capture, so the figures show in every run.
fn say(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

fn env_number(name: &str) -> Option<u64> {
    std::env::var(name).ok()?.trim().parse().ok()
}

/// What a schedule found.
#[derive(Debug, Default)]
struct Outcome {
    reports: usize,
    rejected: usize,
    lost: Vec<String>,
    duplicated: Vec<String>,
    violations: Vec<String>,
    /// Events the phone's side made happen (not the proxy's faults), by name.
    events: BTreeMap<&'static str, u64>,
}

#[derive(Debug, Default)]
struct Totals {
    schedules: usize,
    reports: usize,
    rejected: usize,
    restarts: u32,
    lost: usize,
    duplicated: usize,
    /// Every violation, lost and duplicated ones included, with its schedule's seed.
    violations: Vec<String>,
    injected: BTreeMap<&'static str, u64>,
}

impl Totals {
    fn add(&mut self, seed: u64, outcome: Outcome) {
        self.schedules += 1;
        self.reports += outcome.reports;
        self.rejected += outcome.rejected;
        self.lost += outcome.lost.len();
        self.duplicated += outcome.duplicated.len();
        for (name, count) in outcome.events {
            *self.injected.entry(name).or_default() += count;
        }
        for violation in outcome
            .lost
            .into_iter()
            .chain(outcome.duplicated)
            .chain(outcome.violations)
        {
            self.violations
                .push(format!("schedule {seed}: {violation}"));
        }
    }

    fn merge(&mut self, other: Totals) {
        self.schedules += other.schedules;
        self.reports += other.reports;
        self.rejected += other.rejected;
        self.restarts += other.restarts;
        self.lost += other.lost;
        self.duplicated += other.duplicated;
        self.violations.extend(other.violations);
        for (name, count) in other.injected {
            *self.injected.entry(name).or_default() += count;
        }
    }
}

/// One server with its data directory, proxy and school; runs schedules one after another.
struct Worker {
    index: u64,
    server: Arc<tokio::sync::Mutex<Server>>,
    proxy: Proxy,
    ledger: Arc<Ledger>,
    /// The team member's token and keys, which sign what the team does.
    team: team_keys::TeamAccess,
    team_key: age::x25519::Recipient,
    /// Phones enrolled so far (each gets its own address).
    enrolments: u32,
    /// Rows the database must hold: every report not rejected on purpose, so far.
    expected_rows: usize,
    _directories: (TempDir, TempDir),
}

/// One schedule's phone: its outbox and clock, token, and the envelopes of its reports.
struct Phone {
    outbox: Outbox,
    now: UnixMillis,
    device_id: String,
    token: String,
    http: reqwest::Client,
    /// The envelope each report is sent with now.
    envelopes: HashMap<ReportUuid, Vec<u8>>,
    /// Every digest a report's envelopes had (a report encrypted again has two).
    digests: HashMap<ReportUuid, Vec<Sha256Digest>>,
}

impl Worker {
    async fn start(index: u64) -> Self {
        let data = TempDir::new().unwrap();
        let dist = TempDir::new().unwrap();
        let server = Server::start(data.path(), dist.path()).await;
        let server_url = format!("http://{}", server.address().unwrap());
        let server = Arc::new(tokio::sync::Mutex::new(server));
        let ledger = Arc::new(Ledger::default());
        let proxy = Proxy::start(Arc::clone(&server), Arc::clone(&ledger)).await;

        let created = operator::create_school(
            &Database::Sqlite {
                data_dir: data.path().to_path_buf(),
            },
            Some("https://prepoznaj.example.rs"),
            &SchoolCreate {
                name: format!("ОШ „Вук Караџић“ {index}"),
                valid_days: 14,
            },
        )
        .await
        .unwrap();
        let setup_code = created.setup_link.rsplit_once('#').unwrap().1.to_owned();
        let keys = team_keys::MemberKeys::generate("Марија, педагог");
        let setup: TeamSetupResponse = team_keys::found_school_team(
            &http_client(None),
            &server_url,
            &setup_code,
            &created.school.id,
            &keys,
        )
        .await
        .error_for_status()
        .unwrap()
        .json()
        .await
        .unwrap();
        Self {
            index,
            server,
            proxy,
            ledger,
            team_key: keys.identity.to_public(),
            team: team_keys::TeamAccess {
                token: setup.member_token.expose().to_owned(),
                school: setup.school.id,
                keys,
            },
            enrolments: 0,
            expected_rows: 0,
            _directories: (data, dist),
        }
    }

    /// The server's own address (not the proxy's), started if it is down.
    async fn server_url(&self) -> String {
        format!("http://{}", self.server.lock().await.ensure_up().await)
    }

    /// A newly enrolled phone's device id and token.
    async fn enrol(&mut self) -> (String, String) {
        self.enrolments += 1;
        let number = self.enrolments;
        let address = IpAddr::V4(Ipv4Addr::new(
            127,
            u8::try_from(1 + self.index).unwrap(),
            u8::try_from(number / 250 % 250).unwrap(),
            u8::try_from(number % 250 + 1).unwrap(),
        ));
        // A kill by a request still in the proxy can interrupt enrolment: try again.
        for _ in 0..20 {
            let server_url = self.server_url().await;
            if let Ok(enrolment) = enrol(&server_url, &self.team, address).await {
                return (
                    enrolment.device_id.to_string(),
                    enrolment.device_token.expose().to_owned(),
                );
            }
        }
        panic!("the phone could not enrol");
    }

    /// The team revokes the phone's device (as its team member would, in the team's app).
    async fn revoke(&self, device_id: &str) {
        for _ in 0..20 {
            let server_url = self.server_url().await;
            let revoked = team_keys::send_signed(
                &http_client(None),
                &server_url,
                &self.team,
                Method::Delete,
                &format!("/api/v1/devices/{device_id}"),
                None,
            )
            .await;
            if revoked.is_ok_and(|response| response.status().is_success()) {
                return;
            }
        }
        panic!("the device could not be revoked");
    }

    async fn run_schedule(&mut self, seed: u64) -> Outcome {
        let mut rng = Rng::new(seed);
        let n_reports = 1 + usize::try_from(rng.below(8)).unwrap();
        let poisoned = rng
            .chance(8)
            .then(|| usize::try_from(rng.below(n_reports as u64)).unwrap());
        let concurrency = 1 + usize::try_from(rng.below(3)).unwrap();
        // After how many requests each report is queued, the clock jumps and the token is
        // revoked.
        let mut enqueue_after: Vec<u32> = (0..n_reports)
            .map(|_| {
                if rng.chance(3) {
                    u32::try_from(rng.below(6)).unwrap()
                } else {
                    0
                }
            })
            .collect();
        let mut clock_jumps: Vec<(u32, bool)> = (0..rng.below(3))
            .map(|_| (u32::try_from(rng.below(8)).unwrap(), rng.chance(2)))
            .collect();
        let mut revoke_after = rng.chance(4).then(|| u32::try_from(rng.below(6)).unwrap());
        // The team's keys change after a failed send: that report is encrypted again (when
        // the server did store the first envelope, the new one gets 409).
        let mut encrypt_again = rng.chance(3);
        self.proxy.set_plan(FaultPlan::for_schedule(&mut rng));

        let (device_id, token) = self.enrol().await;
        let mut phone = Phone {
            outbox: Outbox::new(),
            now: UnixMillis(
                u64::try_from(
                    SystemTime::now()
                        .duration_since(SystemTime::UNIX_EPOCH)
                        .unwrap()
                        .as_millis(),
                )
                .unwrap(),
            ),
            device_id,
            token,
            http: http_client(None),
            envelopes: HashMap::new(),
            digests: HashMap::new(),
        };
        let mut ids = Vec::new();
        for index in 0..n_reports {
            let mut random = [0_u8; 10];
            random[..8].copy_from_slice(&rng.next_u64().to_le_bytes());
            let report_id = ReportUuid::new_v7(phone.now, random);
            let envelope = encrypt(
                &self.team_key,
                format!("schedule {seed} report {index}").as_bytes(),
            );
            // The poisoned report claims a digest its envelope does not have: the server
            // refuses it for good (400 hash_mismatch).
            let digest = if poisoned == Some(index) {
                sha256(b"not this envelope")
            } else {
                sha256(&envelope)
            };
            phone.envelopes.insert(report_id.clone(), envelope);
            phone.digests.insert(report_id.clone(), vec![digest]);
            ids.push((report_id, digest));
        }

        let proxy_url = format!("http://{}", self.proxy.address);
        let mut outcome = Outcome {
            reports: n_reports,
            ..Outcome::default()
        };
        let mut requests: u32 = 0;
        let mut in_flight = JoinSet::new();
        loop {
            // Events due after this many requests (all of them once the phone would idle).
            let idle = in_flight.is_empty() && phone.outbox.next_due(phone.now).is_none();
            let reached = |after: u32| idle || after <= requests;
            for (index, after) in enqueue_after.iter_mut().enumerate() {
                if *after != u32::MAX && reached(*after) {
                    *after = u32::MAX;
                    let (report_id, digest) = ids[index].clone();
                    phone.outbox.enqueue(report_id, digest, phone.now).unwrap();
                }
            }
            clock_jumps.retain(|&(after, forward)| {
                if !reached(after) {
                    return true;
                }
                *outcome.events.entry("clock ±48 h").or_default() += 1;
                phone.now = if forward {
                    UnixMillis(phone.now.0 + HOURS_48)
                } else {
                    UnixMillis(phone.now.0 - HOURS_48)
                };
                false
            });
            if revoke_after.is_some_and(reached) {
                revoke_after = None;
                self.revoke(&phone.device_id).await;
                *outcome.events.entry("token revoked").or_default() += 1;
            }
            // Enrol again at once: answers to requests still carrying the old token are the
            // outbox's to sort out.
            if phone.outbox.needs_enrolment() {
                (phone.device_id, phone.token) = self.enrol().await;
                phone.outbox.enrolled(phone.now);
            }

            while in_flight.len() < concurrency {
                let Some(due) = phone.outbox.next_due(phone.now) else {
                    break;
                };
                let request = phone.outbox.begin(&due.report_id, phone.now).unwrap();
                let envelope = phone.envelopes[&request.report_id].clone();
                let (http, url, token) =
                    (phone.http.clone(), proxy_url.clone(), phone.token.clone());
                self.proxy.client_started();
                requests += 1;
                in_flight.spawn(async move {
                    let answer = send(&http, &url, &token, &request, &envelope).await;
                    (request.report_id, answer)
                });
            }
            if requests > MAX_REQUESTS {
                outcome
                    .violations
                    .push(format!("no progress after {MAX_REQUESTS} requests"));
                in_flight.abort_all();
                break;
            }

            if let Some(done) = in_flight.join_next().await {
                let (report_id, answer): (ReportUuid, Answer) = done.unwrap();
                self.proxy.client_done();
                let jitter = rng.unit();
                let transition =
                    phone
                        .outbox
                        .record(&report_id, answer.attempt(), phone.now, jitter);
                let poison = ids
                    .iter()
                    .position(|(id, _)| *id == report_id)
                    .is_some_and(|index| poisoned == Some(index));
                if encrypt_again && !poison && matches!(transition, Transition::RetryAt { .. }) {
                    encrypt_again = false;
                    let envelope = encrypt(&self.team_key, b"the same report, encrypted again");
                    phone
                        .outbox
                        .replace_envelope(&report_id, sha256(&envelope))
                        .unwrap();
                    phone
                        .digests
                        .get_mut(&report_id)
                        .unwrap()
                        .push(sha256(&envelope));
                    phone.envelopes.insert(report_id.clone(), envelope);
                    *outcome.events.entry("encrypted again").or_default() += 1;
                }
                match transition {
                    Transition::Delivered(receipt) => {
                        if !phone.digests[&report_id].contains(&receipt.envelope_sha256) {
                            outcome.violations.push(format!(
                                "report {report_id} delivered with a receipt for an envelope it never had"
                            ));
                        }
                        self.ledger.acknowledge(report_id, receipt.envelope_sha256);
                    }
                    Transition::Rejected(code) => {
                        if poison && code == ErrorCode::HashMismatch {
                            outcome.rejected += 1;
                        } else {
                            outcome.violations.push(format!(
                                "report {report_id} given up on ({code}) though it was retryable"
                            ));
                        }
                    }
                    Transition::CheckStatus => {
                        *outcome.events.entry("409, then status").or_default() += 1;
                    }
                    Transition::RetryAt {
                        reason: RetryReason::Reenrolled,
                        ..
                    } => {
                        *outcome.events.entry("401 to the old token").or_default() += 1;
                    }
                    Transition::RetryAt { at, .. }
                        if at.0.saturating_sub(phone.now.0) > MAX_RETRY_AFTER_MS =>
                    {
                        outcome.violations.push(format!(
                            "report {report_id} waits longer than the longest wait"
                        ));
                    }
                    _ => {}
                }
                continue;
            }
            if enqueue_after.iter().any(|&after| after != u32::MAX) {
                continue;
            }
            // Nothing in flight and nothing due: wait (in the phone's time) for the next one.
            match phone.outbox.next_wake_at(phone.now) {
                Some(wake) if wake.0 - phone.now.0 <= MAX_RETRY_AFTER_MS => phone.now = wake,
                Some(wake) => {
                    outcome.violations.push(format!(
                        "stranded: nothing due until {} ms from now",
                        wake.0 - phone.now.0
                    ));
                    break;
                }
                None if phone.outbox.needs_enrolment() => {}
                None => break,
            }
        }

        // The network delivers its late copies, then the database is read.
        self.proxy.flush().await;
        let stored = stored_digests(&self.server.lock().await.database_path());
        for (index, (report_id, _)) in ids.iter().enumerate() {
            let state = &phone.outbox.get(report_id).unwrap().state;
            if poisoned == Some(index) {
                if stored.contains_key(report_id) {
                    outcome
                        .violations
                        .push(format!("rejected report {report_id} is in the database"));
                }
                continue;
            }
            self.expected_rows += 1;
            match stored.get(report_id) {
                None => outcome.lost.push(format!(
                    "report {report_id} is not in the database (the phone has it as {state:?})"
                )),
                Some(digest) if !phone.digests[report_id].contains(digest) => outcome.lost.push(
                    format!("report {report_id} is stored with another envelope"),
                ),
                Some(_) if !matches!(state, ReportState::Delivered { .. }) => {
                    outcome.violations.push(format!(
                        "report {report_id} is stored but the phone still has it as {state:?}"
                    ));
                }
                Some(_) => {}
            }
        }
        // Any row beyond the reports queued so far is a duplicate: the same report stored twice.
        if stored.len() > self.expected_rows {
            outcome.duplicated.push(format!(
                "{} rows for {} reports",
                stored.len(),
                self.expected_rows
            ));
            self.expected_rows = stored.len();
        }
        outcome.lost.extend(self.ledger.take_lost());
        outcome
    }

    /// Kills the server once more and checks every acknowledged report is still there.
    async fn finish(self, totals: &mut Totals) {
        let mut server = self.server.lock().await;
        server.kill();
        self.ledger.check_acknowledged(&server.database_path());
        let lost = self.ledger.take_lost();
        totals.lost += lost.len();
        totals
            .violations
            .extend(lost.into_iter().map(|lost| format!("at the end: {lost}")));
        server.ensure_up().await;
        totals.restarts += server.starts - 1;
        for (name, count) in self.proxy.injected() {
            *totals.injected.entry(name).or_default() += count;
        }
        assert!(self.ledger.acknowledged() > 0 || totals.schedules == 0);
    }
}
