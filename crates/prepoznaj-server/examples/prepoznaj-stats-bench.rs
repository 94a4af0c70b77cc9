//! The `stats` budget, measured: `cargo run --release -p prepoznaj-server --example
//! prepoznaj-stats-bench`.
//!
//! Seeds a fresh SQLite database (migrated by the server's own store) with a country's two
//! years: 2,000 schools in 17 school administrations, each with a team member, an enrolment link
//! and phones enrolled over the months (four months in ten), and 0 to 10 reports per school per
//! month received at random times. Seven in ten reports are acted upon 2 hours to 14 days after
//! arrival and four in five of those closed up to 20 days later; one in ten is only seen. What
//! the retention job would have done by now is done: a report closed 30 days ago, or never closed
//! and received 180 days ago, is a tombstone without envelope or status changes; the others keep
//! an envelope of `PREPOZNAJ_BENCH_ENVELOPE_BYTES` (default 8 KiB) and their changes (512 B).
//!
//! Then it runs `stats --format csv` as the command does (open the store, count, suppress,
//! format) `PREPOZNAJ_BENCH_RUNS` times (default 5) and prints the first and the fastest run
//! beside the 2 s budget. It asserts nothing. Optional: `PREPOZNAJ_BENCH_SCHOOLS` (default
//! 2,000), `PREPOZNAJ_BENCH_MONTHS` (default 24).

use std::{
    error::Error,
    time::{Duration, Instant},
};

use prepoznaj_server::{
    config::{ListFormat, Stats},
    credentials::now,
    operator,
    store::{Database, sqlite::SqliteStore},
};
use rusqlite::{Connection, params};
use tempfile::TempDir;

#[path = "support/environment.rs"]
mod environment;

use environment::{env_number, load_average};

type BenchResult<T> = Result<T, Box<dyn Error + Send + Sync>>;

const DAY_MILLIS: u64 = 24 * 60 * 60 * 1000;
const HOUR_MILLIS: u64 = 60 * 60 * 1000;
/// A month, as the seed spreads reports over them (the command counts calendar months).
const MONTH_MILLIS: u64 = 30 * DAY_MILLIS + 10 * HOUR_MILLIS;
const CLOSED_RETENTION: u64 = 30 * DAY_MILLIS;
const UNCLOSED_RETENTION: u64 = 180 * DAY_MILLIS;
const STATUS_ENVELOPE_BYTES: usize = 512;
const BUDGET: Duration = Duration::from_secs(2);

/// Serbia's school administrations (školske uprave).
const ADMINISTRATIONS: [&str; 17] = [
    "Београд",
    "Нови Сад",
    "Ниш",
    "Крагујевац",
    "Краљево",
    "Чачак",
    "Ваљево",
    "Ужице",
    "Шабац",
    "Зрењанин",
    "Сомбор",
    "Сремска Митровица",
    "Зајечар",
    "Лесковац",
    "Јагодина",
    "Пожаревац",
    "Нови Пазар",
];

fn main() -> BenchResult<()> {
    let schools = env_number("PREPOZNAJ_BENCH_SCHOOLS", 2_000_u64)?;
    let months = env_number("PREPOZNAJ_BENCH_MONTHS", 24_u64)?;
    let runs = env_number("PREPOZNAJ_BENCH_RUNS", 5_usize)?.max(1);
    let envelope_bytes = env_number("PREPOZNAJ_BENCH_ENVELOPE_BYTES", 8 * 1024_usize)?;
    let scratch = TempDir::new()?;
    let data_dir = scratch.path().join("data");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    drop(runtime.block_on(SqliteStore::open(&data_dir))?);

    let seeding = Instant::now();
    let seeded = seed(
        &Connection::open(SqliteStore::database_path(&data_dir))?,
        schools,
        months,
        envelope_bytes,
    )?;
    let seeding = seeding.elapsed();
    let file_bytes = std::fs::metadata(SqliteStore::database_path(&data_dir))?.len();

    let database = Database::Sqlite { data_dir };
    let arguments = Stats {
        from: None,
        to: None,
        format: ListFormat::Csv,
    };
    let load_before = load_average();
    let mut times = Vec::new();
    let mut output = String::new();
    for _ in 0..runs {
        let (started, cpu_before) = (Instant::now(), process_cpu());
        output = runtime.block_on(operator::stats_text(&database, &arguments))?;
        times.push((started.elapsed(), process_cpu().saturating_sub(cpu_before)));
    }
    print_report(&Report {
        schools,
        months,
        seeded,
        seeding,
        file_bytes,
        rows: output.lines().count().saturating_sub(1),
        times,
        load_before,
        load_after: load_average(),
    });
    Ok(())
}

/// SplitMix64: the same data every run, without a dependency.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut mixed = self.0;
        mixed = (mixed ^ (mixed >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        mixed = (mixed ^ (mixed >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        mixed ^ (mixed >> 31)
    }

    /// A number from 0 to `bound` - 1.
    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound.max(1)
    }

    /// True `tenths` times in ten.
    fn chance(&mut self, tenths: u64) -> bool {
        self.below(10) < tenths
    }
}

/// A UUID-shaped id of `kind` (a digit) and `number`.
fn id(kind: u64, number: u64) -> String {
    let hex = format!("{kind:x}{number:031x}");
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

#[derive(Debug, Default)]
struct Seeded {
    reports: u64,
    tombstones: u64,
    status_changes: u64,
    devices: u64,
}

/// What happens to one report, up to now.
struct Fate {
    received_at: u64,
    /// The `seen` change.
    seen_at: Option<u64>,
    acted_upon_at: Option<u64>,
    closed_at: Option<u64>,
}

fn fate(random: &mut Random, month_start: u64, now: u64) -> Fate {
    let received_at = (month_start + random.below(MONTH_MILLIS)).min(now - 1);
    let happened = |time: u64| (time < now).then_some(time);
    let outcome = random.below(10);
    let acted_upon_at = (outcome < 7)
        .then(|| received_at + 2 * HOUR_MILLIS + random.below(14 * DAY_MILLIS))
        .and_then(happened);
    let closed_at = acted_upon_at
        .filter(|_| random.chance(8))
        .map(|acted_upon_at| acted_upon_at + random.below(20 * DAY_MILLIS))
        .and_then(happened);
    let seen_at = (outcome == 7)
        .then(|| received_at + random.below(3 * DAY_MILLIS))
        .and_then(happened);
    Fate {
        received_at,
        seen_at,
        acted_upon_at,
        closed_at,
    }
}

fn seed(
    connection: &Connection,
    schools: u64,
    months: u64,
    envelope_bytes: usize,
) -> BenchResult<Seeded> {
    connection.pragma_update(None, "synchronous", "OFF")?;
    let transaction = connection.unchecked_transaction()?;
    let now = now().0;
    let first_month = now - months * MONTH_MILLIS;
    let mut random = Random(2026);
    let envelope = vec![0xA5_u8; envelope_bytes];
    let status_envelope = vec![0x5A_u8; STATUS_ENVELOPE_BYTES];
    let digest = [7_u8; 32];
    let mut seeded = Seeded::default();
    let mut insert_school = transaction.prepare(
        "INSERT INTO schools (id, name, created_at, municipality, school_administration,
                              external_id)
         VALUES (?1, ?2, ?3, ?4, ?4, ?5)",
    )?;
    let mut insert_member = transaction.prepare(
        "INSERT INTO team_members (id, school_id, display_name, public_key, fingerprint,
                                   token_hash, added_at)
         VALUES (?1, ?2, 'Члан тима', ?3, 'fingerprint', ?4, ?5)",
    )?;
    let mut insert_link = transaction.prepare(
        "INSERT INTO enrolment_links (id, school_id, code_hash, created_by, created_at,
                                      expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5 + 604800000)",
    )?;
    let mut insert_device = transaction.prepare(
        "INSERT INTO devices (id, school_id, enrolment_link_id, token_hash, enrolled_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    let mut insert_report = transaction.prepare(
        "INSERT INTO reports (id, school_id, envelope, envelope_sha256, size, catalogue_version,
                              received_at, status, closed_at, envelope_deleted_at,
                              acted_upon_at)
         VALUES (?1, ?2, ?3, ?4, ?5, '2026.1', ?6, ?7, ?8, ?9, ?10)",
    )?;
    let mut insert_change = transaction.prepare(
        "INSERT INTO report_status_changes (id, report_id, coarse_status, envelope,
                                            envelope_sha256, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for school in 0..schools {
        let school_id = id(1, school);
        let administration = ADMINISTRATIONS[usize::try_from(school)? % ADMINISTRATIONS.len()];
        insert_school.execute(params![
            school_id,
            format!("ОШ {school}"),
            first_month,
            administration,
            format!("{}", 70_000 + school),
        ])?;
        let member_id = id(2, school);
        insert_member.execute(params![
            member_id,
            school_id,
            format!("age1member{school}"),
            school.to_le_bytes().repeat(4),
            first_month,
        ])?;
        let link_id = id(3, school);
        insert_link.execute(params![
            link_id,
            school_id,
            school.to_be_bytes().repeat(4),
            member_id,
            first_month
        ])?;
        for month in 0..months {
            let month_start = first_month + month * MONTH_MILLIS;
            if random.chance(4) {
                let device = seeded.devices;
                seeded.devices += 1;
                insert_device.execute(params![
                    id(4, device),
                    school_id,
                    link_id,
                    device.to_be_bytes().repeat(4),
                    (month_start + random.below(MONTH_MILLIS)).min(now - 1),
                ])?;
            }
            for _ in 0..random.below(11) {
                let report = seeded.reports;
                seeded.reports += 1;
                let report_id = id(5, report);
                let fate = fate(&mut random, month_start, now);
                let forgotten_at = match fate.closed_at {
                    Some(closed_at) => closed_at + CLOSED_RETENTION,
                    None => fate.received_at + UNCLOSED_RETENTION,
                };
                let forgotten = forgotten_at <= now;
                let status = if fate.acted_upon_at.is_some() {
                    "acted_upon"
                } else {
                    "received"
                };
                insert_report.execute(params![
                    report_id,
                    school_id,
                    (!forgotten).then_some(&envelope),
                    &digest[..],
                    envelope.len(),
                    fate.received_at,
                    status,
                    if forgotten {
                        fate.closed_at.or(Some(forgotten_at))
                    } else {
                        fate.closed_at
                    },
                    forgotten.then_some(forgotten_at),
                    fate.acted_upon_at,
                ])?;
                if forgotten {
                    seeded.tombstones += 1;
                    continue;
                }
                let changes = [
                    ("seen", fate.seen_at),
                    ("acted_upon", fate.acted_upon_at),
                    ("closed", fate.closed_at),
                ];
                for (coarse_status, time) in changes {
                    let Some(time) = time else { continue };
                    let change = seeded.status_changes;
                    seeded.status_changes += 1;
                    insert_change.execute(params![
                        id(6, change),
                        report_id,
                        coarse_status,
                        status_envelope,
                        &digest[..],
                        time
                    ])?;
                }
            }
        }
    }
    drop((
        insert_school,
        insert_member,
        insert_link,
        insert_device,
        insert_report,
        insert_change,
    ));
    transaction.commit()?;
    connection.execute_batch("PRAGMA wal_checkpoint(TRUNCATE); ANALYZE;")?;
    Ok(seeded)
}

#[derive(Debug)]
struct Report {
    schools: u64,
    months: u64,
    seeded: Seeded,
    seeding: Duration,
    file_bytes: u64,
    rows: usize,
    /// Wall-clock and CPU time of each run.
    times: Vec<(Duration, Duration)>,
    load_before: String,
    load_after: String,
}

/// CPU time this process has used, all its threads (`/proc/self/stat`, in USER_HZ: 100 on
/// Linux); zero where there is no `/proc`.
fn process_cpu() -> Duration {
    const TICK: Duration = Duration::from_millis(10);
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return Duration::ZERO;
    };
    let Some(close) = stat.rfind(')') else {
        return Duration::ZERO;
    };
    // After the name: utime is field 14, stime field 15.
    let fields: Vec<&str> = stat[close + 1..].split_whitespace().collect();
    let ticks: u32 = [11, 12]
        .iter()
        .filter_map(|&index| fields.get(index)?.parse::<u32>().ok())
        .sum();
    TICK * ticks
}

#[expect(clippy::print_stdout, reason = "a benchmark's output is its figures")]
fn print_report(report: &Report) {
    let seeded = &report.seeded;
    let first = report.times.first().copied().unwrap_or_default();
    let fastest = report
        .times
        .iter()
        .min_by_key(|(wall, _)| *wall)
        .copied()
        .unwrap_or_default();
    println!(
        "stats over {schools} schools × {months} months (SQLite, {megabytes} MB): {reports} \
         reports ({tombstones} forgotten by retention), {changes} status changes, {devices} \
         devices; seeded in {seeding:.1} s",
        schools = report.schools,
        months = report.months,
        megabytes = report.file_bytes / 1_000_000,
        reports = seeded.reports,
        tombstones = seeded.tombstones,
        changes = seeded.status_changes,
        devices = seeded.devices,
        seeding = report.seeding.as_secs_f64(),
    );
    println!(
        "  `stats --format csv`: {rows} rows; first run {first} ms ({first_cpu} ms CPU), fastest \
         of {runs} {fastest} ms ({fastest_cpu} ms CPU); budget ≤ {budget} ms: {verdict}",
        rows = report.rows,
        first = first.0.as_millis(),
        first_cpu = first.1.as_millis(),
        runs = report.times.len(),
        fastest = fastest.0.as_millis(),
        fastest_cpu = fastest.1.as_millis(),
        budget = BUDGET.as_millis(),
        verdict = if first.0 <= BUDGET { "met" } else { "NOT met" },
    );
    println!(
        "  load average before {} and after {} (other work on the machine stretches the \
         wall-clock figures, not the CPU ones)",
        report.load_before, report.load_after
    );
}
