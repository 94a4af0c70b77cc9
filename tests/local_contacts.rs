//! Browser tests of the school's contacts store against real IndexedDB in headless Chromium:
//! the list comes back in its order, checked, and every save replaces it whole.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test assertions")]

use prepoznaj::storage::{Database, StorageError, Store, delete_database, local_contacts};
use prepoznaj_domain::local_contacts::{
    LocalContact, LocalContactDraft, LocalContactList, LocalRole,
};
use serde::Serialize;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn contact(name: &str, role: LocalRole, phone: &str) -> LocalContact {
    LocalContactDraft {
        name: name.to_owned(),
        role,
        phone: phone.to_owned(),
    }
    .parse()
    .unwrap()
}

fn list(contacts: Vec<LocalContact>) -> LocalContactList {
    LocalContactList::from_contacts(contacts).unwrap()
}

#[wasm_bindgen_test]
async fn the_list_is_read_back_in_order_after_reopening() {
    let name = "prepoznaj-test-local-contacts-order";
    delete_database(name).await.unwrap();
    // More than ten, so that key order and list order must agree past one digit.
    let contacts: Vec<LocalContact> = (0..12)
        .map(|index| {
            contact(
                &format!("Контакт {}", 12 - index),
                LocalRole::Other,
                &format!("063 123 45{index:02}"),
            )
        })
        .collect();
    let saved = list(contacts);
    {
        let database = Database::open_named(name).await.unwrap();
        assert!(local_contacts::load(&database).await.unwrap().is_empty());
        local_contacts::save(&database, &saved).await.unwrap();
        database.close();
    }
    let database = Database::open_named(name).await.unwrap();
    assert_eq!(local_contacts::load(&database).await.unwrap(), saved);
    database.close();
    delete_database(name).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_save_replaces_the_whole_list() {
    let name = "prepoznaj-test-local-contacts-replace";
    delete_database(name).await.unwrap();
    let database = Database::open_named(name).await.unwrap();
    let long = list(vec![
        contact("ЦСР Врачар", LocalRole::SocialCareCentre, "011 123 4567"),
        contact("ПС Врачар", LocalRole::PoliceStation, "011 765 4321"),
        contact("Директор", LocalRole::Principal, "063 123 456"),
    ]);
    local_contacts::save(&database, &long).await.unwrap();
    let short = list(vec![contact("Тим", LocalRole::ProtectionTeamLead, "192")]);
    local_contacts::save(&database, &short).await.unwrap();
    assert_eq!(local_contacts::load(&database).await.unwrap(), short);
    local_contacts::save(&database, &LocalContactList::new())
        .await
        .unwrap();
    assert!(local_contacts::load(&database).await.unwrap().is_empty());
    database.close();
    delete_database(name).await.unwrap();
}

#[derive(Serialize)]
struct TamperedRecord {
    id: String,
    contact: TamperedContact,
}

#[derive(Serialize)]
struct TamperedContact {
    name: String,
    role: String,
    phone: String,
}

#[wasm_bindgen_test]
async fn a_stored_contact_that_fails_the_checks_is_an_encoding_error() {
    let name = "prepoznaj-test-local-contacts-tampered";
    delete_database(name).await.unwrap();
    let database = Database::open_named(name).await.unwrap();
    database
        .put(
            Store::LocalContacts,
            &TamperedRecord {
                id: "000".to_owned(),
                contact: TamperedContact {
                    name: "Ана".to_owned(),
                    role: "principal".to_owned(),
                    phone: "12".to_owned(),
                },
            },
        )
        .await
        .unwrap();
    assert!(matches!(
        local_contacts::load(&database).await,
        Err(StorageError::Encoding(_))
    ));
    database.close();
    delete_database(name).await.unwrap();
}
