//! Golden files for the local-contacts export file and share link. A change to
//! `tests/golden/local_contacts_v1.json` or `local_contacts_v1_link.txt` is a format change:
//! files already handed to staff and links already printed as QR codes must still read.

#![allow(clippy::unwrap_used, reason = "tests fail loudly on purpose")]

use prepoznaj_domain::local_contacts::{
    LocalContactDraft, LocalContactList, LocalContactsImportError, LocalRole,
};

fn list() -> LocalContactList {
    let contacts = [
        (
            "Центар за социјални рад „Вождовац“",
            LocalRole::SocialCareCentre,
            "011/394-2355",
        ),
        (
            "Полицијска станица Вождовац",
            LocalRole::PoliceStation,
            "192",
        ),
        (
            "Jelena Marković, direktorka",
            LocalRole::Principal,
            "063 123 456",
        ),
        (
            "Психолог Ана Петровић",
            LocalRole::PsychologistOrPedagogue,
            "+381 (0) 64 111 2233",
        ),
        (
            "Тим за заштиту – Марија Лукић",
            LocalRole::ProtectionTeamLead,
            "065 222 3344",
        ),
        (
            "Национална СОС линија \"Астра\"",
            LocalRole::Other,
            "0800 100 388",
        ),
        ("Dečja linija", LocalRole::Other, "116 111"),
        ("Ujak u Beču \\ Wien", LocalRole::Other, "+43 1 234 5678"),
    ];
    let mut list = LocalContactList::new();
    for (name, role, phone) in contacts {
        let draft = LocalContactDraft {
            name: name.to_owned(),
            role,
            phone: phone.to_owned(),
        };
        list.push(draft.parse().unwrap()).unwrap();
    }
    list
}

fn assert_golden(actual: &str, expected: &str, file: &str) {
    assert_eq!(
        actual.trim_end(),
        expected.trim_end(),
        "tests/golden/{file} changed: that is a format change. If it is meant, raise the \
         version and keep reading version 1."
    );
}

#[test]
fn the_export_file() {
    let list = list();
    let expected = include_str!("golden/local_contacts_v1.json");
    assert_golden(&list.to_json(), expected, "local_contacts_v1.json");
    assert_eq!(LocalContactList::from_json(expected).unwrap(), list);
}

#[test]
fn the_share_link() {
    let list = list();
    let expected = include_str!("golden/local_contacts_v1_link.txt");
    assert_golden(
        &list.to_link_fragment(),
        expected,
        "local_contacts_v1_link.txt",
    );
    assert_eq!(
        LocalContactList::from_link_fragment(expected.trim_end()).unwrap(),
        list
    );
}

#[test]
fn a_file_from_a_later_version_is_refused_whole() {
    let later =
        include_str!("golden/local_contacts_v1.json").replace("\"version\": 1", "\"version\": 2");
    assert_eq!(
        LocalContactList::from_json(&later),
        Err(LocalContactsImportError::UnsupportedVersion {
            found: 2,
            supported: 1
        })
    );
}
