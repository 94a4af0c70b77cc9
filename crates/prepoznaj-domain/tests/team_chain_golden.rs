//! Golden files for the team key chain: the wire JSON of a two-version chain and each
//! version's signing bytes (hex, 32 bytes a line). A change to a file under
//! `tests/golden/team_chain/` changes what every phone hashes and verifies: it needs a new
//! signing prefix, not an edit. The signatures in `chain.json` are real (the envelope crate's
//! `chain` test makes them from fixed keys); `version_1.sha256` is `sha256sum` of version 1's
//! bytes, which version 2 names as its previous.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly on purpose"
)]

use prepoznaj_domain::team_chain::{ChainChange, ChainVersionError, SIGNING_PREFIX, SignedVersion};

const CHAIN: &str = include_str!("golden/team_chain/chain.json");
const VERSION_1_HEX: &str = include_str!("golden/team_chain/version_1.hex");
const VERSION_2_HEX: &str = include_str!("golden/team_chain/version_2.hex");
const VERSION_1_SHA256: &str = include_str!("golden/team_chain/version_1.sha256");

/// `bytes` as lowercase hex, 32 bytes a line, with a final line break.
fn hex_lines(bytes: &[u8]) -> String {
    bytes
        .chunks(32)
        .map(|line| {
            let hex: String = line.iter().map(|byte| format!("{byte:02x}")).collect();
            hex + "\n"
        })
        .collect()
}

fn chain() -> Vec<SignedVersion> {
    serde_json::from_str(CHAIN).unwrap()
}

#[test]
fn the_wire_json_reads_and_writes_back_unchanged() {
    let chain = chain();
    assert_eq!(chain.len(), 2);
    assert_eq!(
        serde_json::to_string_pretty(&chain).unwrap().trim_end(),
        CHAIN.trim_end(),
        "tests/golden/team_chain/chain.json changed: that changes what phones verify"
    );
    assert!(matches!(
        chain[1].version.change(),
        ChainChange::AddMember { member } if member.as_str() == "0192f3a4-0002-7000-8000-00000000000c"
    ));
}

#[test]
fn the_signing_bytes_are_the_golden_ones() {
    let chain = chain();
    assert_eq!(hex_lines(&chain[0].version.signing_bytes()), VERSION_1_HEX);
    assert_eq!(hex_lines(&chain[1].version.signing_bytes()), VERSION_2_HEX);
    assert!(chain[1].version.signing_bytes().starts_with(SIGNING_PREFIX));
    assert_eq!(
        chain[1].version.previous().unwrap().to_hex(),
        VERSION_1_SHA256.trim()
    );
}

#[test]
fn the_signing_bytes_do_not_depend_on_json_key_order_or_member_order() {
    let mut value: serde_json::Value = serde_json::from_str(CHAIN).unwrap();
    value[1]["version"]["members"]
        .as_array_mut()
        .unwrap()
        .reverse();
    // serde_json's map sorts keys, so every object is written in another order than the file's.
    let reordered = serde_json::to_string(&value).unwrap();
    assert!(reordered.starts_with(r#"[{"signature":"#));
    let chain: Vec<SignedVersion> = serde_json::from_str(&reordered).unwrap();
    assert_eq!(hex_lines(&chain[1].version.signing_bytes()), VERSION_2_HEX);
}

/// The golden chain's version 2 with `edit` made to its JSON, read again.
fn read_edited(edit: impl FnOnce(&mut serde_json::Value)) -> Result<SignedVersion, String> {
    let mut value: serde_json::Value = serde_json::from_str(CHAIN).unwrap();
    edit(&mut value[1]);
    serde_json::from_value(value[1].clone()).map_err(|error| error.to_string())
}

#[test]
fn the_wire_refuses_malformed_versions_with_a_reason() {
    let member = |value: &mut serde_json::Value, index: usize| -> serde_json::Value {
        value["version"]["members"][index].clone()
    };
    let refusals: Vec<(&str, Result<SignedVersion, String>, String)> = vec![
        (
            "a member twice",
            read_edited(|value| {
                let first = member(value, 0);
                value["version"]["members"][1] = first;
            }),
            "is listed twice".to_owned(),
        ),
        (
            "no members",
            read_edited(|value| value["version"]["members"] = serde_json::json!([])),
            ChainVersionError::NoMembers.to_string(),
        ),
        (
            "two members with one age key",
            read_edited(|value| {
                let recipient = value["version"]["members"][0]["recipient"].clone();
                value["version"]["members"][1]["recipient"] = recipient;
            }),
            "same age key".to_owned(),
        ),
        (
            "a recipient that is not an age key",
            read_edited(|value| {
                value["version"]["members"][1]["recipient"] =
                    serde_json::json!("AGE-SECRET-KEY-1QQQQ");
            }),
            "age x25519 recipient".to_owned(),
        ),
        (
            "a short signing key",
            read_edited(|value| {
                value["version"]["members"][1]["signing_key"] = serde_json::json!("8139770e");
            }),
            "`signing_key` is 64 hex digits".to_owned(),
        ),
        (
            "a short signature",
            read_edited(|value| value["signature"] = serde_json::json!("aecd")),
            "`signature` is 128 hex digits".to_owned(),
        ),
        (
            "a name over 60 characters",
            read_edited(|value| {
                value["version"]["members"][1]["display_name"] = serde_json::json!("я".repeat(61));
            }),
            "at most 60".to_owned(),
        ),
        (
            "version 2 without the previous hash",
            read_edited(|value| {
                value["version"].as_object_mut().unwrap().remove("previous");
            }),
            "must name one".to_owned(),
        ),
        (
            "a founding after version 1",
            read_edited(|value| value["version"]["change"]["kind"] = serde_json::json!("founding")),
            "only version 1 records the founding".to_owned(),
        ),
        (
            "a field the chain does not have",
            read_edited(|value| value["version"]["admin"] = serde_json::json!(true)),
            "unknown field `admin`".to_owned(),
        ),
        (
            "an unknown change",
            read_edited(|value| value["version"]["change"]["kind"] = serde_json::json!("promote")),
            "unknown variant `promote`".to_owned(),
        ),
    ];
    for (what, read, reason) in refusals {
        let error = read.expect_err(what);
        assert!(
            error.contains(&reason),
            "{what}: `{error}` does not say `{reason}`"
        );
    }
    assert!(read_edited(|_| {}).is_ok());
}
