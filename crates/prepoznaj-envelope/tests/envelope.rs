//! The envelope crate against age itself: what the phone seals, the team member's key opens;
//! the standard `age` CLI (Debian's package) reads envelopes with the recovery file.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly on purpose"
)]

use std::process::Command;

use prepoznaj_domain::catalogue::Catalogue;
use prepoznaj_domain::observation::{
    Answer, Context, Mode, Note, Observation, ObservationDraft, ObserverRole, ReportId, Setting,
    UnixMillis,
};
use prepoznaj_domain::protocol::{
    DisplayName, KeyFingerprint, KeySet, PROTOCOL_VERSION, TeamMember, TeamMemberId,
};
use prepoznaj_domain::report::ReportPlaintext;
use prepoznaj_envelope::digest::{key_fingerprint, key_set_fingerprint, sha256};
use prepoznaj_envelope::identity::{RecoveryError, TeamIdentity, UnlockError};
use prepoznaj_envelope::report::{OpenError, SealError, open, seal_report};

const NOTE: &str = "Дете каже да спава код „ујака“ — canary 7f3a";

fn observation() -> Observation {
    let catalogue = Catalogue::parse(include_str!(
        "../../../public/content/catalogue/2021-r1.json"
    ))
    .unwrap();
    let mut draft = ObservationDraft::new(
        ReportId::new_v7(UnixMillis(1_764_230_400_000), [9; 10]),
        catalogue.version().clone(),
        Mode::Full,
        Context {
            setting: Setting::Classroom,
            age_band: None,
            gender: None,
            observer_role: ObserverRole::Teacher,
            reference: None,
        },
        UnixMillis(1_764_230_400_000),
    );
    let indicator = catalogue.areas()[0].indicators()[0].id().clone();
    draft
        .answer(
            &catalogue,
            &indicator,
            Answer::Observed,
            UnixMillis(1_764_230_401_000),
        )
        .unwrap();
    draft
        .set_note(
            &catalogue,
            &indicator,
            Some(Note::parse(NOTE).unwrap()),
            UnixMillis(1_764_230_402_000),
        )
        .unwrap();
    draft
        .complete(&catalogue, UnixMillis(1_764_230_403_000))
        .unwrap()
}

fn key_set(identities: &[&TeamIdentity]) -> KeySet {
    KeySet {
        version: 3,
        keys: identities
            .iter()
            .enumerate()
            .map(|(index, identity)| TeamMember {
                id: TeamMemberId::new_v7(UnixMillis(1), [u8::try_from(index).unwrap(); 10]),
                display_name: DisplayName::parse("Члан тима").unwrap(),
                public_key: identity.recipient(),
                fingerprint: key_fingerprint(&identity.recipient()),
                added_at: UnixMillis(1),
                removed_at: None,
            })
            .collect(),
    }
}

#[test]
fn every_team_member_opens_a_sealed_report_and_an_outsider_does_not() {
    let (first, second, outsider) = (
        TeamIdentity::generate(),
        TeamIdentity::generate(),
        TeamIdentity::generate(),
    );
    let observation = observation();
    let submission = seal_report(&observation, &key_set(&[&first, &second])).unwrap();
    let envelope = submission.envelope.as_bytes();
    assert!(envelope.starts_with(b"age-encryption.org/v1\n-> X25519 "));
    assert_eq!(submission.envelope_sha256, sha256(envelope));
    assert_eq!(submission.report_id.as_str(), observation.id().as_str());
    assert_eq!(
        submission.catalogue_version,
        *observation.catalogue_version()
    );
    assert_eq!(submission.protocol_version, PROTOCOL_VERSION);
    assert!(
        !String::from_utf8_lossy(envelope).contains("canary"),
        "the note is not in the envelope in plaintext"
    );
    for member in [&first, &second] {
        let plaintext = open(envelope, member).unwrap();
        assert_eq!(
            ReportPlaintext::parse(&plaintext).unwrap().observation,
            observation
        );
    }
    assert!(matches!(
        open(envelope, &outsider),
        Err(OpenError::NotForThisKey)
    ));
}

#[test]
fn a_report_needs_at_least_one_key() {
    assert!(matches!(
        seal_report(
            &observation(),
            &KeySet {
                version: 1,
                keys: vec![]
            }
        ),
        Err(SealError::NoRecipients)
    ));
}

#[test]
fn the_locked_key_opens_only_with_its_passphrase() {
    let identity = TeamIdentity::generate();
    // A small work factor keeps the test fast; the app uses LOCK_WORK_FACTOR.
    let locked = identity.lock("зелена ливада у мају", 10);
    assert!(locked.starts_with(b"age-encryption.org/v1\n-> scrypt "));
    let unlocked = TeamIdentity::unlock(&locked, "зелена ливада у мају").unwrap();
    assert_eq!(unlocked.recipient(), identity.recipient());
    assert!(matches!(
        TeamIdentity::unlock(&locked, "зелена ливада у јуну"),
        Err(UnlockError::WrongPassphrase)
    ));
    assert!(matches!(
        TeamIdentity::unlock(b"not an age file", "x"),
        Err(UnlockError::Damaged(_))
    ));
}

#[test]
fn the_recovery_file_and_the_typed_code_give_the_same_key_back() {
    let identity = TeamIdentity::generate();
    let from_file = TeamIdentity::from_recovery(&identity.recovery_file("Prepoznaj")).unwrap();
    assert_eq!(from_file.recipient(), identity.recipient());
    let printed = identity.recovery_code().printable();
    let from_code = TeamIdentity::from_recovery(&printed.to_lowercase()).unwrap();
    assert_eq!(from_code.recipient(), identity.recipient());
    // One changed character: the bech32 checksum catches it.
    let groups = identity.recovery_code().groups().join(" ");
    let first = groups.chars().next().unwrap();
    let swapped = if first == 'Q' { 'P' } else { 'Q' };
    let mistyped = format!("{swapped}{}", &groups[1..]);
    assert!(matches!(
        TeamIdentity::from_recovery(&mistyped),
        Err(RecoveryError::Checksum)
    ));
    assert!(matches!(
        TeamIdentity::from_recovery("# only a comment\n"),
        Err(RecoveryError::NotFound)
    ));
}

#[test]
fn a_key_sets_fingerprint_does_not_depend_on_order() {
    let (first, second) = (TeamIdentity::generate(), TeamIdentity::generate());
    let forwards = key_set(&[&first, &second]);
    let backwards = key_set(&[&second, &first]);
    assert_eq!(
        key_set_fingerprint(&forwards),
        key_set_fingerprint(&backwards)
    );
    assert_ne!(
        key_set_fingerprint(&forwards),
        key_set_fingerprint(&key_set(&[&first]))
    );
    assert!(KeyFingerprint::try_from(key_set_fingerprint(&forwards).to_string()).is_ok());
}

/// The Debian `age` package's CLI.
fn age_cli() -> Command {
    let found = Command::new("age").arg("--version").output();
    assert!(
        found.is_ok_and(|output| output.status.success()),
        "the `age` command is missing: install Debian's `age` package (scripts/setup.sh does)"
    );
    Command::new("age")
}

#[test]
fn the_age_cli_decrypts_a_sealed_report_with_the_recovery_file() {
    let (member, other) = (TeamIdentity::generate(), TeamIdentity::generate());
    let observation = observation();
    let submission = seal_report(&observation, &key_set(&[&other, &member])).unwrap();
    let scratch = tempfile::TempDir::new().unwrap();
    let identity_file = scratch.path().join("prepoznaj-key.txt");
    std::fs::write(
        &identity_file,
        member.recovery_file("Prepoznaj recovery copy"),
    )
    .unwrap();
    let envelope_file = scratch.path().join("report.age");
    std::fs::write(&envelope_file, submission.envelope.as_bytes()).unwrap();
    let output = age_cli()
        .arg("--decrypt")
        .arg("--identity")
        .arg(&identity_file)
        .arg(&envelope_file)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "age --decrypt failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report = ReportPlaintext::parse(&output.stdout).unwrap();
    assert_eq!(report.observation, observation);
    assert!(String::from_utf8_lossy(&output.stdout).contains(NOTE));
}
