//! Ten situations a school meets, written out by hand with the level the shipped catalogue
//! (`2026.1`) must give them. Three are poverty, neglect or illness at home and nothing
//! else: they must not reach "inform today" (the team, the police, the Centre), only
//! "keep observing" with the psychologist or pedagogue. A classmate's threat must not lead to
//! 192. When a situation's expected level changes, it changes here, on purpose.

#![allow(clippy::unwrap_used, reason = "tests fail loudly on purpose")]

use prepoznaj_domain::assessment::{Level, assess};
use prepoznaj_domain::catalogue::{Catalogue, IndicatorId};
use prepoznaj_domain::observation::{
    Answer, Context, Mode, ObservationDraft, ObserverRole, ReportId, Setting, UnixMillis,
};

use Answer::{NotSure, Observed};
use Level::{ImmediateDanger, InformToday, KeepObserving};

const SHIPPED: &str = include_str!("../../../public/content/catalogue/2026.1.json");

/// One situation: who noticed, what they marked, and the level it must reach.
struct Situation {
    what: &'static str,
    observer: ObserverRole,
    marked: &'static [(&'static str, Answer)],
    expected: Level,
}

const SITUATIONS: [Situation; 10] = [
    Situation {
        what: "poverty: a pupil from a family without income misses school, comes hungry and in \
               thin clothes, and their marks are falling",
        observer: ObserverRole::Teacher,
        marked: &[
            ("behaviour.absent-without-reason", Observed),
            ("behaviour.sudden-drop", Observed),
            ("appearance.neglected", Observed),
        ],
        expected: KeepObserving,
    },
    Situation {
        what: "neglect: parents who drink; the child is exhausted, has lost weight, complains of \
               stomach aches, and the parents never answer the school",
        observer: ObserverRole::PsychologistPedagogue,
        marked: &[
            ("appearance.exhausted", Observed),
            ("health.weight-loss", Observed),
            ("health.physical-complaints", Observed),
            ("environment.family-crisis", Observed),
            ("environment.guardian-avoids-school", Observed),
        ],
        expected: KeepObserving,
    },
    Situation {
        what: "illness at home: the mother is ill, the child stays home to care for her and the \
               little ones, misses school, is tired, and the family has moved twice this year",
        observer: ObserverRole::Teacher,
        marked: &[
            ("environment.kept-home-to-care", Observed),
            ("behaviour.absent-without-reason", Observed),
            ("appearance.exhausted", Observed),
            ("environment.moves-often", Observed),
        ],
        expected: KeepObserving,
    },
    Situation {
        what: "a family without a home: the cleaner sees the child washing at school; the \
               janitor is not sure the child is afraid to go home",
        observer: ObserverRole::MaintenanceSupport,
        marked: &[
            ("environment.sleeps-or-washes-at-school", Observed),
            ("appearance.neglected", Observed),
            ("behaviour.afraid-to-go-home", NotSure),
        ],
        expected: KeepObserving,
    },
    Situation {
        what: "peer violence: a classmate threatens the child, who is now frightened and \
               withdrawn and avoids the teachers; no adult is involved",
        observer: ObserverRole::Teacher,
        marked: &[
            ("behaviour.fearful-withdrawn", Observed),
            ("behaviour.avoids-help", Observed),
            ("communication.threatened", Answer::NotObserved),
        ],
        expected: KeepObserving,
    },
    Situation {
        what: "forced begging: the driver sees the child begging at the crossroads near the \
               school during lessons, and handing the money to a waiting man",
        observer: ObserverRole::MaintenanceSupport,
        marked: &[
            ("environment.seen-begging", Observed),
            ("environment.hands-over-money", Observed),
        ],
        expected: InformToday,
    },
    Situation {
        what: "online grooming: the child hides a second phone, chats with adults met online \
               and has new expensive things; and misses Mondays",
        observer: ObserverRole::Teacher,
        marked: &[
            ("online.hidden-accounts", Observed),
            ("online.unknown-adult-contacts", Observed),
            ("appearance.unexplained-money-goods", Observed),
            ("behaviour.absent-without-reason", Observed),
        ],
        expected: InformToday,
    },
    Situation {
        what: "child labour on top of poverty: absences and tiredness, and hands with calluses \
               and cuts from heavy work",
        observer: ObserverRole::Teacher,
        marked: &[
            ("behaviour.absent-without-reason", Observed),
            ("appearance.exhausted", Observed),
            ("appearance.work-marks", Observed),
            ("health.weight-loss", Observed),
        ],
        expected: InformToday,
    },
    Situation {
        what: "domestic servitude: a 13-year-old girl cleans and cooks in another family's home \
               and sleeps there, and has stopped coming to school",
        observer: ObserverRole::PsychologistPedagogue,
        marked: &[
            ("environment.works-in-another-home", Observed),
            ("behaviour.absent-without-reason", Observed),
        ],
        expected: InformToday,
    },
    Situation {
        what: "an attempt to take the child: at the gate, an unknown man pulls the child towards \
               a car while the child resists",
        observer: ObserverRole::MaintenanceSupport,
        marked: &[("relationships.taken-by-force", Observed)],
        expected: ImmediateDanger,
    },
];

fn assess_situation(catalogue: &Catalogue, situation: &Situation) -> Level {
    let mut draft = ObservationDraft::new(
        ReportId::parse("situation").unwrap(),
        catalogue.version().clone(),
        Mode::Full,
        Context {
            setting: Setting::Other,
            age_band: None,
            gender: None,
            observer_role: situation.observer,
            reference: None,
        },
        UnixMillis(0),
    );
    for (step, (indicator, answer)) in situation.marked.iter().enumerate() {
        let answered = draft.answer(
            catalogue,
            &IndicatorId::from(*indicator),
            *answer,
            UnixMillis(step as u64 + 1),
        );
        assert_eq!(answered, Ok(()), "{}: {indicator}", situation.what);
    }
    assess(catalogue, draft.answers()).level
}

#[test]
fn each_situation_reaches_the_level_written_beside_it() {
    let catalogue = Catalogue::parse(SHIPPED).unwrap();
    let wrong: Vec<String> = SITUATIONS
        .iter()
        .filter_map(|situation| {
            let level = assess_situation(&catalogue, situation);
            (level != situation.expected).then(|| {
                format!(
                    "{}: expected {}, got {level}",
                    situation.what, situation.expected
                )
            })
        })
        .collect();
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn the_table_holds_at_least_three_hardship_only_situations_that_stay_below_inform_today() {
    let catalogue = Catalogue::parse(SHIPPED).unwrap();
    let hardship_only: Vec<&Situation> = SITUATIONS
        .iter()
        .filter(|situation| {
            situation
                .marked
                .iter()
                .filter(|(_, answer)| *answer == Observed)
                .all(|(id, _)| {
                    catalogue
                        .indicator(&IndicatorId::from(*id))
                        .is_some_and(|indicator| indicator.hardship())
                })
        })
        .collect();
    assert!(hardship_only.len() >= 3, "{}", hardship_only.len());
    for situation in hardship_only {
        assert_eq!(situation.expected, KeepObserving, "{}", situation.what);
    }
}
