//! The app lock's data key and sealed records: a committed wrapped key and record must still
//! open (a format change fails here), every record round-trips, and anything else (another
//! key, another place, fewer or changed bytes, another secret) is a typed error, never a panic.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly on purpose"
)]

use prepoznaj_envelope::identity::UnlockError;
use prepoznaj_envelope::vault::{DataKey, OpenError, RECORD_FORMAT, VAULT_WORK_FACTOR};
use proptest::prelude::*;

/// The golden files' PIN, data key, record place and plaintext.
const GOLDEN_PIN: &str = "204817";
const GOLDEN_STORE: &str = "observations";
const GOLDEN_RECORD_KEY: &str = "0197a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";
const GOLDEN_PLAINTEXT: &[u8] = br#"{"kind":"draft","note":"golden canary"}"#;
const WRAPPED_KEY: &[u8] = include_bytes!("golden/vault-wrapped-key.age");
const SEALED_RECORD: &str = include_str!("golden/vault-record.hex");

fn golden_key_bytes() -> [u8; 32] {
    core::array::from_fn(|index| u8::try_from(index).unwrap() * 7 + 3)
}

fn from_hex(text: &str) -> Vec<u8> {
    let text = text.trim();
    (0..text.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(&text[at..at + 2], 16).unwrap())
        .collect()
}

#[test]
fn the_committed_wrapped_key_and_record_still_open() {
    let key = DataKey::unwrap(WRAPPED_KEY, GOLDEN_PIN).unwrap();
    let sealed = from_hex(SEALED_RECORD);
    assert_eq!(sealed[0], RECORD_FORMAT);
    let opened = key.open(GOLDEN_STORE, GOLDEN_RECORD_KEY, &sealed).unwrap();
    assert_eq!(opened.as_slice(), GOLDEN_PLAINTEXT);
    // The unwrapped key is the one the golden files were made with: sealing again with the
    // record's own nonce gives the committed bytes.
    let nonce: [u8; 24] = sealed[1..25].try_into().unwrap();
    assert_eq!(
        DataKey::from_bytes(golden_key_bytes()).seal_with_nonce(
            GOLDEN_STORE,
            GOLDEN_RECORD_KEY,
            GOLDEN_PLAINTEXT,
            nonce
        ),
        sealed
    );
}

#[test]
fn another_secret_is_a_wrong_passphrase_and_a_damaged_wrap_says_so() {
    assert!(matches!(
        DataKey::unwrap(WRAPPED_KEY, "204818"),
        Err(UnlockError::WrongPassphrase)
    ));
    assert!(matches!(
        DataKey::unwrap(b"not an age file", GOLDEN_PIN),
        Err(UnlockError::Damaged(_))
    ));
    assert!(matches!(
        DataKey::unwrap(&WRAPPED_KEY[..WRAPPED_KEY.len() - 5], GOLDEN_PIN),
        Err(UnlockError::Damaged(_) | UnlockError::WrongPassphrase)
    ));
    // A wrap that asks for far more work than the app's is refused before any is done.
    let text = String::from_utf8_lossy(WRAPPED_KEY).into_owned();
    assert!(text.contains(" 10\n"));
    let heavy = WRAPPED_KEY
        .windows(4)
        .position(|window| window == b" 10\n")
        .map(|at| {
            let mut heavy = WRAPPED_KEY.to_vec();
            heavy[at + 1..at + 3].copy_from_slice(b"30");
            heavy
        })
        .unwrap();
    assert!(matches!(
        DataKey::unwrap(&heavy, GOLDEN_PIN),
        Err(UnlockError::Damaged(_))
    ));
}

#[test]
fn a_new_key_wraps_at_the_apps_work_factor_and_unwraps_to_itself() {
    let key = DataKey::generate().unwrap();
    let wrapped = key.wrap("correct horse battery", VAULT_WORK_FACTOR);
    let text = String::from_utf8_lossy(&wrapped).into_owned();
    assert!(text.contains(&format!(" {VAULT_WORK_FACTOR}\n")), "{text}");
    let unwrapped = DataKey::unwrap(&wrapped, "correct horse battery").unwrap();
    let sealed = key.seal("start_form", "new-observation", b"7b-3").unwrap();
    assert_eq!(
        unwrapped
            .open("start_form", "new-observation", &sealed)
            .unwrap()
            .as_slice(),
        b"7b-3"
    );
    assert_eq!(format!("{unwrapped:?}"), "DataKey(…)");
}

#[test]
fn two_seals_of_one_record_differ() {
    let key = DataKey::generate().unwrap();
    let first = key.seal("observations", "a", b"same").unwrap();
    let second = key.seal("observations", "a", b"same").unwrap();
    assert_ne!(first, second, "a fresh nonce per record");
}

fn key() -> impl Strategy<Value = DataKey> {
    any::<[u8; 32]>().prop_map(DataKey::from_bytes)
}

proptest! {
    #[test]
    fn every_record_opens_where_it_was_sealed(
        key in key(),
        store in "[a-z_]{1,16}",
        record_key in ".{0,40}",
        plaintext in proptest::collection::vec(any::<u8>(), 0..512),
    ) {
        let sealed = key.seal(&store, &record_key, &plaintext).unwrap();
        prop_assert_eq!(sealed.len(), 1 + 24 + plaintext.len() + 16);
        let opened = key.open(&store, &record_key, &sealed).unwrap();
        prop_assert_eq!(opened.as_slice(), plaintext.as_slice());
    }

    #[test]
    fn another_key_or_place_does_not_open_it(
        key in key(),
        other in key(),
        store in "[a-z_]{1,16}",
        other_store in "[a-z_]{1,16}",
        record_key in "[0-9a-f-]{1,36}",
        other_record_key in "[0-9a-f-]{1,36}",
        plaintext in proptest::collection::vec(any::<u8>(), 0..256),
    ) {
        let sealed = key.seal(&store, &record_key, &plaintext).unwrap();
        let same_key = key.open(&store, &record_key, &sealed).is_ok();
        prop_assert!(same_key);
        prop_assert_eq!(other.open(&store, &record_key, &sealed), Err(OpenError::NotAuthentic));
        if other_store != store {
            prop_assert_eq!(key.open(&other_store, &record_key, &sealed), Err(OpenError::NotAuthentic));
        }
        if other_record_key != record_key {
            prop_assert_eq!(key.open(&store, &other_record_key, &sealed), Err(OpenError::NotAuthentic));
        }
        // The store's name and the key are not confused at their boundary.
        let moved_boundary = format!("{store}{record_key}");
        prop_assert_eq!(key.open(&moved_boundary, "", &sealed), Err(OpenError::NotAuthentic));
    }

    #[test]
    fn fewer_or_changed_bytes_never_open(
        key in key(),
        plaintext in proptest::collection::vec(any::<u8>(), 0..256),
        cut in any::<prop::sample::Index>(),
        flip in any::<prop::sample::Index>(),
        bit in 0_u8..8,
    ) {
        let sealed = key.seal("observations", "id", &plaintext).unwrap();
        let truncated = &sealed[..cut.index(sealed.len())];
        prop_assert!(key.open("observations", "id", truncated).is_err());
        let mut changed = sealed.clone();
        let at = flip.index(changed.len());
        changed[at] ^= 1 << bit;
        let opened = key.open("observations", "id", &changed);
        if at == 0 {
            prop_assert!(matches!(opened, Err(OpenError::UnknownFormat(_))));
        } else {
            prop_assert_eq!(opened, Err(OpenError::NotAuthentic));
        }
    }
}
