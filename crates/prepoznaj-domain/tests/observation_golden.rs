//! Golden JSON for the observation wire and storage format. A change to a file under
//! `tests/golden/` is a protocol change: old phones and the server must still read it.

#![allow(clippy::unwrap_used, reason = "tests fail loudly on purpose")]

use prepoznaj_domain::catalogue::{Catalogue, IndicatorId};
use prepoznaj_domain::observation::{
    AgeBand, Answer, Context, Gender, Mode, Note, Observation, ObservationDraft, ObservationRecord,
    ObserverRole, ReportId, Setting, Status, UnixMillis,
};
use prepoznaj_domain::reference::Reference;

fn catalogue() -> Catalogue {
    Catalogue::parse(include_str!(
        "../../../public/content/catalogue/2021-r1.json"
    ))
    .unwrap()
}

fn draft(catalogue: &Catalogue) -> ObservationDraft {
    let mut draft = ObservationDraft::new(
        ReportId::parse("7f3c2a10-5b8e-4d6f-9a1c-2e4b6d8f0a12").unwrap(),
        catalogue.version().clone(),
        Mode::Full,
        Context {
            setting: Setting::Schoolyard,
            age_band: Some(AgeBand::From11To14),
            gender: Some(Gender::Girl),
            observer_role: ObserverRole::Teacher,
            reference: Some(Reference::parse("7b-3").unwrap()),
        },
        UnixMillis(1_764_230_400_000),
    );
    let answers = [
        ("behaviour.absent-without-reason", Answer::Observed),
        ("appearance.exhausted", Answer::NotSure),
        ("relationships.collected-by-strangers", Answer::Observed),
        ("online.hidden-accounts", Answer::NotObserved),
    ];
    for (step, (indicator, answer)) in answers.into_iter().enumerate() {
        let now = UnixMillis(1_764_230_460_000 + 1_000 * step as u64);
        draft
            .answer(catalogue, &IndicatorId::from(indicator), answer, now)
            .unwrap();
    }
    draft
        .set_note(
            catalogue,
            &IndicatorId::from("relationships.collected-by-strangers"),
            Some(Note::parse("Уторак и четвртак, сиви аутомобил, после 5. часа.").unwrap()),
            UnixMillis(1_764_230_520_000),
        )
        .unwrap();
    draft
}

fn assert_golden(actual: &str, expected: &str, file: &str) {
    assert_eq!(
        actual.trim_end(),
        expected.trim_end(),
        "tests/golden/{file} changed: that is a protocol change. If it is meant, update the \
         file and keep reading the old shape."
    );
}

#[test]
fn a_completed_observation() {
    let catalogue = catalogue();
    let mut observation = draft(&catalogue)
        .complete(&catalogue, UnixMillis(1_764_230_580_000))
        .unwrap();
    observation
        .advance(Status::Queued, UnixMillis(1_764_230_590_000))
        .unwrap();
    let expected = include_str!("golden/observation.json");
    assert_golden(
        &serde_json::to_string_pretty(&observation).unwrap(),
        expected,
        "observation.json",
    );
    assert_eq!(
        serde_json::from_str::<Observation>(expected).unwrap(),
        observation
    );
}

#[test]
fn a_stored_draft() {
    let catalogue = catalogue();
    let record = ObservationRecord::Draft(draft(&catalogue));
    let expected = include_str!("golden/observation_record_draft.json");
    assert_golden(
        &serde_json::to_string_pretty(&record).unwrap(),
        expected,
        "observation_record_draft.json",
    );
    assert_eq!(
        serde_json::from_str::<ObservationRecord>(expected).unwrap(),
        record
    );
}

#[test]
fn fields_added_later_have_defaults() {
    // The smallest draft an older app could have written: no optional context, no answers.
    let minimal = r#"{
        "kind": "draft",
        "id": "a1",
        "catalogue_version": "2021-r1",
        "mode": "quick",
        "started_at": 1,
        "updated_at": 2,
        "context": { "setting": "other", "observer_role": "maintenance-support" }
    }"#;
    let record: ObservationRecord = serde_json::from_str(minimal).unwrap();
    assert_eq!(record.status(), Status::Draft);
    assert!(record.answers().is_empty());
}
