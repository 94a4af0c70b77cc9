//! The school's own contacts store: the whole list, in the order the school chose.
//!
//! One record per contact, keyed by its position (`000`, `001`, …), so that reading the store
//! in key order gives the list back in order. Every change writes the whole list in one
//! transaction that first clears the store: another tab, a full disk or a crash leaves
//! either the old list or the new one, never a mix. Lists are short (at most
//! [`MAX_LOCAL_CONTACTS`](prepoznaj_domain::local_contacts::MAX_LOCAL_CONTACTS)), so this
//! costs nothing noticeable. Records are checked again when read (the domain type only
//! deserialises through its validation).

use prepoznaj_domain::local_contacts::{LocalContact, LocalContactList};
use rexie::TransactionMode;
use serde::{Deserialize, Serialize};

use super::{Database, StorageError, Store, committed, to_js};

/// One contact as stored.
#[derive(Debug, Serialize, Deserialize)]
struct StoredLocalContact {
    /// The position in the list, zero-padded so that key order is list order.
    id: String,
    contact: LocalContact,
}

fn position_key(position: usize) -> String {
    format!("{position:03}")
}

/// The school's contacts on this phone, in order; empty when none were entered.
pub async fn load(database: &Database) -> Result<LocalContactList, StorageError> {
    let records: Vec<StoredLocalContact> = database.get_all(Store::LocalContacts).await?;
    LocalContactList::from_contacts(records.into_iter().map(|record| record.contact).collect())
        .map_err(|error| StorageError::Encoding(error.to_string()))
}

/// Replaces the school's contacts with `list`, all at once: when this returns `Ok` the whole
/// new list is on disk; when it fails the old list is still there, untouched.
pub async fn save(database: &Database, list: &LocalContactList) -> Result<(), StorageError> {
    let records = list
        .contacts()
        .iter()
        .enumerate()
        .map(|(position, contact)| {
            to_js(&StoredLocalContact {
                id: position_key(position),
                contact: contact.clone(),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let transaction = database
        .transaction(Store::LocalContacts, TransactionMode::ReadWrite)
        .await?;
    let store = transaction.store(Store::LocalContacts.name())?;
    store.clear().await?;
    for record in &records {
        store.put(record, None).await?;
    }
    committed(transaction).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn position_keys_sort_in_list_order() {
        let keys: Vec<String> = [0, 1, 9, 10, 49].into_iter().map(position_key).collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted);
        assert_eq!(position_key(7), "007");
    }
}
