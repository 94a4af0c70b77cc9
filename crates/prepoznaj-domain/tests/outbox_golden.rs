//! Golden JSON for the outbox as the app persists it in IndexedDB. A change to
//! `tests/golden/outbox.json` is a storage format change: an outbox saved by the previous
//! release must still read after an update, or queued reports would be lost.

#![allow(clippy::unwrap_used, reason = "tests fail loudly on purpose")]

use prepoznaj_domain::{
    observation::UnixMillis,
    outbox::Outbox,
    protocol::{ReceiptResponse, ReportReceipt, ReportStatus, ReportUuid, Sha256Digest},
    sync::Attempt,
};

const NOW: UnixMillis = UnixMillis(1_764_230_400_000);

fn answer(status: u16, body: &[u8]) -> Attempt<'_> {
    Attempt::Answer {
        status,
        body,
        retry_after_ms: None,
    }
}

/// One report in each state: acted upon, rejected, in flight, and two held for enrolment
/// (one of them due a status request after a 409).
fn outbox() -> Outbox {
    let ids: Vec<ReportUuid> = (1..=5).map(|n| ReportUuid::new_v7(NOW, [n; 10])).collect();
    let digests: Vec<Sha256Digest> = (1..=5).map(|n| Sha256Digest::from_bytes([n; 32])).collect();
    let mut outbox = Outbox::new();
    for (id, digest) in ids.iter().zip(&digests) {
        outbox.enqueue(id.clone(), *digest, NOW).unwrap();
    }
    let receipt = |status| {
        serde_json::to_vec(&ReceiptResponse {
            receipt: ReportReceipt {
                report_id: ids[0].clone(),
                received_at: UnixMillis(NOW.0 + 250),
                status,
                envelope_sha256: digests[0],
            },
            protocol: 1,
        })
        .unwrap()
    };
    outbox.begin(&ids[0], NOW).unwrap();
    outbox.record(
        &ids[0],
        answer(201, &receipt(ReportStatus::Received)),
        NOW,
        0.5,
    );
    outbox.refresh_status(&ids[0], answer(200, &receipt(ReportStatus::ActedUpon)));
    outbox.begin(&ids[1], NOW).unwrap();
    let refused = br#"{"code":"not_an_age_envelope","message":"no","protocol":1}"#;
    outbox.record(&ids[1], answer(400, refused), NOW, 0.5);
    outbox.begin(&ids[2], NOW).unwrap();
    outbox.record(&ids[2], answer(409, b""), NOW, 0.5);
    outbox.begin(&ids[3], NOW).unwrap();
    outbox.begin(&ids[4], NOW).unwrap();
    outbox.record(&ids[4], answer(503, b""), NOW, 0.5);
    outbox.begin(&ids[4], UnixMillis(NOW.0 + 2_000)).unwrap();
    outbox.record(&ids[4], answer(401, b""), UnixMillis(NOW.0 + 2_000), 0.5);
    outbox
}

#[test]
fn the_stored_outbox() {
    let expected = include_str!("golden/outbox.json");
    let actual = serde_json::to_string_pretty(&outbox()).unwrap();
    assert_eq!(
        actual.trim_end(),
        expected.trim_end(),
        "tests/golden/outbox.json changed: that is a storage format change. If it is meant, \
         keep reading the old one (serde defaults) and update the file."
    );
    assert_eq!(serde_json::from_str::<Outbox>(expected).unwrap(), outbox());
}
