//! The database schema and its versions. rexie applies it declaratively on upgrade: it creates
//! the stores listed for the version being opened and DELETES any store that is not, so a
//! store, once shipped, stays listed for as long as data in it may matter.
//!
//! Versions (each adds stores; none so far changes a record's shape):
//! - 1: `observations` (key path `id`): drafts and completed observations.
//! - 2: `local_contacts` (key path `id`): the school's own contacts (Social Care Centre,
//!   police station, principal, …), entered once or imported from the school's list.
//! - 3: `team_key` (key path `id`): a protection-team member's passphrase-locked key and,
//!   once registered, their school, token and key set; `enrolment` (key path `id`): this
//!   phone's enrolment (device token, school, the key set and its version); `outbox` (key
//!   path `id`, the report id): sealed reports waiting to be sent.
//! - 4: `sync_state` (key path `id`): one record, the sender's state (every queued report's
//!   place in the sync state machine, receipts of delivered ones, the last contact).
//! - 5: `inbox` (key path `id`, the report id): a team member's copy of the school's reports,
//!   encrypted as received, with status changes waiting to be sent, and the ids of reports
//!   forgotten on this device (so a download does not bring them back).
//! - 6: `preferences` (key path `id`, the preference's name): the language choice, how long
//!   receipts are kept, the inbox's lock delay (read and written by plain IndexedDB, see
//!   `storage::preferences`); `start_form` (key path `id`, one record): the new observation's
//!   circumstances and reference as typed, until Start makes them a draft.
//! - 7: `app_lock` (key path `id`, one record): the staff phone's app lock (the data key
//!   wrapped under the PIN or passphrase, the wrong tries, the auto-lock choice). From then on
//!   `observations` and `start_form` hold sealed records (`storage::sealed`); plaintext ones
//!   written earlier still read and are sealed when the lock is first unlocked.
//! - 8: `practice` (key path `id`, a sequence number): the practice attempts of this device
//!   (`prepoznaj_domain::practice::Attempt`). Only the practice bundle writes it, and it writes
//!   nothing else: practice never touches `observations` or `outbox`.

use rexie::{ObjectStore, RexieBuilder};

/// Name of the app's database.
pub const DATABASE_NAME: &str = "prepoznaj";
/// The schema version this build creates or upgrades to.
pub const SCHEMA_VERSION: u32 = 8;

/// The object stores of the current schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Store {
    /// Observations in every state, keyed by their id.
    Observations,
    /// The school's own contacts, keyed by their id.
    LocalContacts,
    /// A protection-team member's locked key and registration (one record).
    TeamKey,
    /// This phone's enrolment with its school (one record).
    Enrolment,
    /// Sealed reports waiting to be sent, keyed by report id.
    Outbox,
    /// The sender's state (one record).
    SyncState,
    /// The team's reports on a team member's device, keyed by report id.
    Inbox,
    /// The person's choices (language, receipts, inbox lock), keyed by the choice's name.
    Preferences,
    /// The start form of a new observation while it is being filled in (one record).
    StartForm,
    /// The app lock (one record).
    AppLock,
    /// Practice attempts, keyed by their sequence number.
    Practice,
}

impl Store {
    /// Every store of the current schema.
    pub const ALL: [Store; 11] = [
        Store::Observations,
        Store::LocalContacts,
        Store::TeamKey,
        Store::Enrolment,
        Store::Outbox,
        Store::SyncState,
        Store::Inbox,
        Store::Preferences,
        Store::StartForm,
        Store::AppLock,
        Store::Practice,
    ];

    /// The object store's name in IndexedDB.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Store::Observations => "observations",
            Store::LocalContacts => "local_contacts",
            Store::TeamKey => "team_key",
            Store::Enrolment => "enrolment",
            Store::Outbox => "outbox",
            Store::SyncState => "sync_state",
            Store::Inbox => "inbox",
            Store::Preferences => "preferences",
            Store::StartForm => "start_form",
            Store::AppLock => "app_lock",
            Store::Practice => "practice",
        }
    }

    /// The schema version that added this store.
    #[must_use]
    pub const fn since(self) -> u32 {
        match self {
            Store::Observations => 1,
            Store::LocalContacts => 2,
            Store::TeamKey | Store::Enrolment | Store::Outbox => 3,
            Store::SyncState => 4,
            Store::Inbox => 5,
            Store::Preferences | Store::StartForm => 6,
            Store::AppLock => 7,
            Store::Practice => 8,
        }
    }
}

/// The key path of every store's records: each record carries its key as `id` (the plain
/// IndexedDB of `public/boot.js`, which may create the stores, relies on it).
pub const KEY_PATH: &str = "id";

/// The builder that opens `name` at `version` with every store that version has: the
/// current [`SCHEMA_VERSION`] in the app, an older one in migration tests.
pub fn builder(name: &str, version: u32) -> RexieBuilder {
    Store::ALL
        .into_iter()
        .filter(|store| store.since() <= version)
        .fold(
            rexie::Rexie::builder(name).version(version),
            |builder, store| {
                builder.add_object_store(ObjectStore::new(store.name()).key_path(KEY_PATH))
            },
        )
}
