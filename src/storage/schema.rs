//! The database schema and its versions. rexie applies it declaratively on upgrade: it creates
//! the stores listed here and DELETES any store that is not, so a store, once shipped, stays
//! listed for as long as data in it may matter.
//!
//! Versions:
//! - 1: `observations` (key path `id`): drafts and completed observations.

use rexie::{ObjectStore, RexieBuilder};

/// Name of the app's database.
pub const DATABASE_NAME: &str = "prepoznaj";
/// The schema version this build creates or upgrades to.
pub const SCHEMA_VERSION: u32 = 1;

/// The object stores of the current schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Store {
    /// Observations in every state, keyed by their id.
    Observations,
}

impl Store {
    /// Every store of the current schema.
    pub const ALL: [Store; 1] = [Store::Observations];

    /// The object store's name in IndexedDB.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Store::Observations => "observations",
        }
    }

    const fn key_path(self) -> &'static str {
        match self {
            Store::Observations => "id",
        }
    }
}

/// The builder that opens `name` at [`SCHEMA_VERSION`] with every store of [`Store::ALL`].
pub fn builder(name: &str) -> RexieBuilder {
    Store::ALL.into_iter().fold(
        rexie::Rexie::builder(name).version(SCHEMA_VERSION),
        |builder, store| {
            builder.add_object_store(ObjectStore::new(store.name()).key_path(store.key_path()))
        },
    )
}
