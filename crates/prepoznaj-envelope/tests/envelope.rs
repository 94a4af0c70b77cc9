//! The envelope crate against age itself: what the phone seals, the team member's key opens;
//! the standard `age` CLI (Debian's package) opens the recovery file with its recovery
//! passphrase and reads envelopes with it.
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
use prepoznaj_domain::passphrase::{self, GENERATED_WORDS, RECOVERY_WORDS};
use prepoznaj_domain::protocol::{
    DisplayName, KeyFingerprint, KeySet, PROTOCOL_VERSION, TeamMember, TeamMemberId,
};
use prepoznaj_domain::report::ReportPlaintext;
use prepoznaj_domain::team_key::{CodePart, RecoveryCodeError};
use prepoznaj_envelope::digest::{key_fingerprint, key_set_fingerprint, sha256};
use prepoznaj_envelope::identity::{
    LOCK_WORK_FACTOR, RecoveryError, TeamIdentity, UnlockError, new_passphrase,
    new_recovery_passphrase,
};
use prepoznaj_envelope::report::{OpenError, PADDING_BUCKET, SealError, open, seal, seal_report};
use prepoznaj_envelope::signing::{ChainSigningKey, SIGNING_KEY_PREFIX};

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
fn the_envelopes_size_tells_the_bucket_not_the_length_of_what_was_written() {
    let member = TeamIdentity::generate();
    let recipients = [member.recipient()];
    let sealed = |plaintext: &[u8]| seal(plaintext, &recipients).unwrap();
    let short = br#"{"note":"Dete"}"#.to_vec();
    let long = format!(r#"{{"note":"{}"}}"#, "ш".repeat(1_900)).into_bytes();
    let over = format!(r#"{{"note":"{}"}}"#, "a".repeat(PADDING_BUCKET)).into_bytes();
    assert!(long.len() > 3_000 && long.len() < PADDING_BUCKET);
    let (short_envelope, long_envelope, over_envelope) =
        (sealed(&short), sealed(&long), sealed(&over));
    // age's header varies by a few random bytes of its own (a "grease" stanza); the payload
    // after it is what grows with the plaintext.
    let payload = |envelope: &[u8]| {
        let mac_line = envelope
            .windows(5)
            .position(|window| window == b"\n--- ")
            .unwrap();
        let header_end = mac_line
            + 1
            + envelope[mac_line + 1..]
                .iter()
                .position(|&byte| byte == b'\n')
                .unwrap();
        envelope.len() - header_end - 1
    };
    assert_eq!(payload(&short_envelope), payload(&long_envelope));
    assert_eq!(
        payload(&over_envelope),
        payload(&short_envelope) + PADDING_BUCKET
    );
    for (plaintext, envelope) in [
        (&short, &short_envelope),
        (&long, &long_envelope),
        (&over, &over_envelope),
    ] {
        assert_eq!(&open(envelope, &member).unwrap(), plaintext);
    }
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

/// A recovery passphrase as the app makes them (six words of the EFF short list).
const RECOVERY_PASSPHRASE: &str = "acid zoom yo-yo fable gecko mural";

#[test]
fn the_recovery_file_is_encrypted_and_gives_both_keys_back_with_the_recovery_passphrase() {
    let identity = TeamIdentity::generate();
    let signing_key = ChainSigningKey::generate().unwrap();
    let file = identity.recovery_file(Some(&signing_key), RECOVERY_PASSPHRASE, 10);
    assert!(file.starts_with(b"age-encryption.org/v1\n-> scrypt "));
    assert!(TeamIdentity::is_age_file(&file));
    let secret = identity.recovery_code(&signing_key).secret_key();
    assert!(
        !String::from_utf8_lossy(&file).contains(&secret[16..]),
        "the recovery file never holds the key in plaintext"
    );
    // Case and spaces as a person may type them back.
    let (restored, restored_signing) =
        TeamIdentity::from_recovery_file(&file, "  ACID zoom  Yo-yo fable gecko mural ").unwrap();
    assert_eq!(restored.recipient(), identity.recipient());
    assert_eq!(
        restored_signing.map(|key| key.public_key()),
        Some(signing_key.public_key())
    );
    assert!(matches!(
        TeamIdentity::from_recovery_file(&file, "acid zoom yo-yo fable gecko"),
        Err(UnlockError::WrongPassphrase)
    ));
    // An identity without a signing key yet.
    let without = identity.recovery_file(None, RECOVERY_PASSPHRASE, 10);
    let (restored, none) = TeamIdentity::from_recovery_file(&without, RECOVERY_PASSPHRASE).unwrap();
    assert_eq!(restored.recipient(), identity.recipient());
    assert!(none.is_none());
}

#[test]
fn the_typed_code_gives_both_keys_back_and_a_mistake_is_caught() {
    let identity = TeamIdentity::generate();
    let signing_key = ChainSigningKey::generate().unwrap();
    let code = identity.recovery_code(&signing_key);
    let printed = code.printable();
    let (from_code, signing_from_code) =
        TeamIdentity::from_recovery(&printed.to_lowercase()).unwrap();
    assert_eq!(from_code.recipient(), identity.recipient());
    assert_eq!(
        signing_from_code.map(|key| key.public_key()),
        Some(signing_key.public_key()),
        "the printed code alone restores the signing key the chain lists"
    );
    assert!(!TeamIdentity::is_age_file(printed.as_bytes()));
    // An older code, of the age key alone (the first 15 groups): the key, no signing key.
    let older = code.groups()[..15].join(" ");
    let (from_older, none) = TeamIdentity::from_recovery(&older).unwrap();
    assert_eq!(from_older.recipient(), identity.recipient());
    assert!(none.is_none());
    // One changed character: the bech32 checksum of its part catches it.
    let groups = code.groups().join(" ");
    let last = groups.chars().last().unwrap();
    let changed = if last == 'Q' { 'P' } else { 'Q' };
    let mistyped = format!("{}{changed}", &groups[..groups.len() - 1]);
    assert!(matches!(
        TeamIdentity::from_recovery(&mistyped),
        Err(RecoveryError::Code(RecoveryCodeError::Checksum {
            part: CodePart::SigningKey
        }))
    ));
    assert!(matches!(
        TeamIdentity::from_recovery("# only a comment\n"),
        Err(RecoveryError::NotFound)
    ));
}

#[test]
fn keys_locked_with_the_old_work_factor_still_unlock() {
    // Above the 2^14 of the first release.
    const { assert!(LOCK_WORK_FACTOR > 14) };
    let identity = TeamIdentity::generate();
    let signing_key = ChainSigningKey::generate().unwrap();
    let old = identity.lock_with_signing_key(&signing_key, "зелена ливада у мају", 14);
    let (unlocked, signing) =
        TeamIdentity::unlock_with_signing_key(&old, "зелена ливада у мају").unwrap();
    assert_eq!(unlocked.recipient(), identity.recipient());
    assert_eq!(
        signing.map(|key| key.public_key()),
        Some(signing_key.public_key())
    );
    let current = identity.lock("зелена ливада у мају", LOCK_WORK_FACTOR);
    assert!(TeamIdentity::unlock(&current, "зелена ливада у мају").is_ok());
    // 2^16, used briefly before the budget was measured, still opens.
    let heavier = identity.lock("зелена ливада у мају", 16);
    assert!(TeamIdentity::unlock(&heavier, "зелена ливада у мају").is_ok());
}

#[test]
fn generated_passphrases_are_words_of_the_list_and_differ() {
    let (first, second) = (new_passphrase().unwrap(), new_passphrase().unwrap());
    assert_ne!(first, second);
    let recovery = new_recovery_passphrase().unwrap();
    for (passphrase, count) in [(&first, GENERATED_WORDS), (&recovery, RECOVERY_WORDS)] {
        let words: Vec<&str> = passphrase.split(' ').collect();
        assert_eq!(words.len(), count);
        assert!(
            words
                .iter()
                .all(|word| passphrase::words().any(|listed| listed == *word))
        );
    }
    assert!(
        passphrase::estimated_strength_bits(&first) >= passphrase::MIN_STRENGTH_BITS
            || first
                .split(' ')
                .collect::<std::collections::BTreeSet<_>>()
                .len()
                < GENERATED_WORDS,
        "five different words are always accepted"
    );
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

/// `age` with the recovery passphrase typed at its prompt: age reads passphrases only from a
/// terminal, so it runs under `script`, whose pseudo-terminal gets the passphrase.
fn age_cli_with_passphrase(
    arguments: &[&std::path::Path],
    passphrase: &str,
) -> std::process::Output {
    use std::io::Write as _;
    drop(age_cli());
    let command = std::iter::once("age".to_owned())
        .chain(arguments.iter().map(|argument| {
            let text = argument.to_str().unwrap();
            assert!(!text.contains('\''));
            format!("'{text}'")
        }))
        .collect::<Vec<_>>()
        .join(" ");
    let mut child = Command::new("script")
        .args(["--quiet", "--return", "--command", &command, "/dev/null"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("util-linux `script` runs age in a pseudo-terminal");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{passphrase}\n").as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn the_age_cli_unwraps_the_app_locks_data_key_with_the_pin() {
    let scratch = tempfile::TempDir::new().unwrap();
    let opened = scratch.path().join("data-key");
    let output = age_cli_with_passphrase(
        &[
            std::path::Path::new("--decrypt"),
            std::path::Path::new("--output"),
            &opened,
            std::path::Path::new(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/golden/vault-wrapped-key.age"
            )),
        ],
        "204817",
    );
    assert!(
        output.status.success(),
        "age --decrypt failed: {}",
        String::from_utf8_lossy(&output.stdout)
    );
    let expected: Vec<u8> = (0_u8..32).map(|index| index * 7 + 3).collect();
    assert_eq!(std::fs::read(&opened).unwrap(), expected);
}

#[test]
fn the_age_cli_opens_the_recovery_file_with_the_recovery_passphrase() {
    let member = TeamIdentity::generate();
    let signing_key = ChainSigningKey::generate().unwrap();
    let scratch = tempfile::TempDir::new().unwrap();
    let recovery_file = scratch.path().join("prepoznaj-recovery.age");
    std::fs::write(
        &recovery_file,
        member.recovery_file(Some(&signing_key), RECOVERY_PASSPHRASE, LOCK_WORK_FACTOR),
    )
    .unwrap();
    let opened = scratch.path().join("opened.txt");
    let output = age_cli_with_passphrase(
        &[
            std::path::Path::new("--decrypt"),
            std::path::Path::new("--output"),
            &opened,
            &recovery_file,
        ],
        RECOVERY_PASSPHRASE,
    );
    assert!(
        output.status.success(),
        "age --decrypt failed: {}",
        String::from_utf8_lossy(&output.stdout)
    );
    let text = std::fs::read_to_string(&opened).unwrap();
    assert!(text.contains(&member.recovery_code(&signing_key).secret_key()));
    assert!(text.contains(&format!("public key: {}", member.recipient())));
    assert!(text.contains(SIGNING_KEY_PREFIX));
}

#[test]
fn the_age_cli_decrypts_a_sealed_report_with_the_recovery_file_and_its_passphrase() {
    let (member, other) = (TeamIdentity::generate(), TeamIdentity::generate());
    let signing_key = ChainSigningKey::generate().unwrap();
    let observation = observation();
    let submission = seal_report(&observation, &key_set(&[&other, &member])).unwrap();
    let scratch = tempfile::TempDir::new().unwrap();
    let identity_file = scratch.path().join("prepoznaj-recovery.age");
    std::fs::write(
        &identity_file,
        member.recovery_file(Some(&signing_key), RECOVERY_PASSPHRASE, 10),
    )
    .unwrap();
    let envelope_file = scratch.path().join("report.age");
    std::fs::write(&envelope_file, submission.envelope.as_bytes()).unwrap();
    let opened = scratch.path().join("report.json");
    let output = age_cli_with_passphrase(
        &[
            std::path::Path::new("--decrypt"),
            std::path::Path::new("--identity"),
            &identity_file,
            std::path::Path::new("--output"),
            &opened,
            &envelope_file,
        ],
        RECOVERY_PASSPHRASE,
    );
    assert!(
        output.status.success(),
        "age --decrypt failed: {}",
        String::from_utf8_lossy(&output.stdout)
    );
    let plaintext = std::fs::read(&opened).unwrap();
    let report = ReportPlaintext::parse(&plaintext).unwrap();
    assert_eq!(report.observation, observation);
    assert!(String::from_utf8_lossy(&plaintext).contains(NOTE));
}
