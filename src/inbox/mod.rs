//! The team inbox's session (team bundle): the member's identity and chain signing key,
//! unlocked with their passphrase into memory only, and the reports decrypted with it. The
//! team page signs its changes with the same unlocked key. Provided once for the
//! bundle (`provide_inbox`), so moving between the list and a report keeps it unlocked.
//!
//! The identity is forgotten on "Lock", when the page is left (`pagehide`: a page restored from
//! the back/forward cache, or reached back after a quick exit, is locked), and once the app has
//! not been used, on screen or in the background, for the member's chosen number of minutes
//! (`preferences::inbox_lock_minutes`, decided by `prepoznaj_domain::idle_lock`: see [`idle`]);
//! the decrypted reports go with it. Nothing decrypted is ever written anywhere: IndexedDB keeps the
//! envelopes as received (`storage::inbox`). Status notes are signed by their author, sealed
//! only to the key set of the team's key chain version this device verified, and their
//! requests are signed. Reading, a note counts only when a member of the verified chain
//! signed it for that very change ([`reading::NoteTrust`]): first with the version this device
//! pinned, then with every version of the chain once it is fetched and verified.

mod idle;
pub mod reading;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::Arc;

use futures::channel::oneshot;
use leptos::prelude::*;
use prepoznaj_domain::catalogue::Catalogue;
use prepoznaj_domain::idle_lock::Moment;
use prepoznaj_domain::protocol::{
    CoarseStatus, Envelope, ReportUuid, SchoolId, Secret, StatusChangeId, StatusChangeRequest,
    TeamMemberId, TeamReport,
};
use prepoznaj_domain::status_note::{AuthoredNote, NoteContext, StatusNote};
use prepoznaj_envelope::chain::VerifiedVersion;
use prepoznaj_envelope::digest::sha256;
use prepoznaj_envelope::identity::{TeamIdentity, UnlockError};
use prepoznaj_envelope::report::seal;
use prepoznaj_envelope::signing::ChainSigningKey;

use crate::clock::{now, random_bytes};
use crate::content;
use crate::storage::inbox::{self, InboxEntry};
use crate::storage::team_key;
use crate::storage::{Database, StorageError, app_database};
use crate::sync::api::ApiCallError;
use crate::sync::client::TeamSigner;
use crate::sync::team_inbox;
use crate::timing::{measure_since, now_ms};
use reading::{InboxItem, NoteTrust};

/// Where the last download from the server stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Download {
    Idle,
    Running,
    Done,
    Failed(ApiCallError),
    Storage(StorageError),
}

/// The verified key set status changes are sealed to ([`InboxSession::sealing_for_changes`]).
#[derive(Debug, Clone)]
pub struct ChangeSealing {
    head: VerifiedVersion,
}

/// Why a status change was not recorded by the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeError {
    /// The team's current keys could not be fetched: nothing was sealed or kept.
    NotSent(ApiCallError),
    /// Sealed and kept on this device; it is sent again on the next download.
    Kept(ApiCallError),
    /// The server refused it (the report was deleted there).
    Refused(ApiCallError),
    Storage(StorageError),
    Seal,
}

/// The inbox's session: one per bundle (see the module documentation).
#[derive(Debug, Clone, Copy)]
pub struct InboxSession {
    identity: StoredValue<Option<Rc<TeamIdentity>>, LocalStorage>,
    /// The chain signing key locked with it (`None` for a key from before signing keys).
    signing_key: StoredValue<Option<Rc<ChainSigningKey>>, LocalStorage>,
    unlocked: RwSignal<bool>,
    /// Decrypted reports, by id (`None` until the first reading after unlocking).
    items: RwSignal<Option<BTreeMap<String, InboxItem>>, LocalStorage>,
    /// Whose status notes are trusted (`None` until read from the device's pin).
    trust: StoredValue<Option<Rc<NoteTrust>>, LocalStorage>,
    download: RwSignal<Download>,
    /// The kept (encrypted) reports, read while the passphrase is typed ([`Self::prepare`]).
    prepared: StoredValue<Option<BTreeMap<String, InboxEntry>>, LocalStorage>,
    /// The school's reports (encrypted) being downloaded while the passphrase is typed, and
    /// since when.
    prefetched: StoredValue<Option<(f64, oneshot::Receiver<Downloaded>)>, LocalStorage>,
    /// The pending check of the idle lock while unlocked.
    lock_timer: StoredValue<Option<TimeoutHandle>, LocalStorage>,
    /// When the app was last used (an interaction, or going to or coming from the background).
    last_use: StoredValue<Moment>,
}

/// Provides the inbox session and starts watching whether the app is on screen.
pub fn provide_inbox() -> InboxSession {
    let session = InboxSession {
        identity: StoredValue::new_local(None),
        signing_key: StoredValue::new_local(None),
        unlocked: RwSignal::new(false),
        items: RwSignal::new_local(None),
        trust: StoredValue::new_local(None),
        download: RwSignal::new(Download::Idle),
        prepared: StoredValue::new_local(None),
        prefetched: StoredValue::new_local(None),
        lock_timer: StoredValue::new_local(None),
        last_use: StoredValue::new(idle::moment_now()),
    };
    session.watch_use();
    provide_context(session);
    session
}

/// The session provided by [`provide_inbox`].
#[must_use]
pub fn use_inbox() -> InboxSession {
    expect_context::<InboxSession>()
}

/// The member whose key is unlocked: their token, school and id (for downloads and signed
/// requests).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionMember {
    pub token: Secret,
    pub school: SchoolId,
    pub member: TeamMemberId,
}

/// A download, ready to be read and kept.
struct Fetched {
    database: Database,
    downloaded: Vec<TeamReport>,
    /// When the refresh started (for its User Timing measures).
    started: f64,
}

/// What a download of the school's reports gives.
type Downloaded = Result<Vec<TeamReport>, ApiCallError>;

/// How long a download started while the passphrase was typed stays good enough to list.
const PREFETCH_FRESH_MS: f64 = 60_000.0;

thread_local! {
    /// The member whose key is unlocked.
    static MEMBER: RefCell<Option<SessionMember>> = const { RefCell::new(None) };
}

impl InboxSession {
    /// Whether the identity is in memory (reactive).
    #[must_use]
    pub fn is_unlocked(&self) -> bool {
        self.unlocked.get()
    }

    /// Calls `f` with the decrypted reports, newest first (reactive); `None` before the
    /// first reading. (Borrowed: a list of 200 is drawn without copying a report.)
    pub fn with_items<R>(&self, f: impl FnOnce(Option<Vec<&InboxItem>>) -> R) -> R {
        self.items.with(|items| {
            f(items.as_ref().map(|items| {
                let mut list: Vec<&InboxItem> = items.values().collect();
                reading::sort_newest_first(&mut list);
                list
            }))
        })
    }

    /// One decrypted report (reactive).
    #[must_use]
    pub fn item(&self, id: &str) -> Option<InboxItem> {
        self.items
            .with(|items| items.as_ref().and_then(|items| items.get(id).cloned()))
    }

    /// Whether the reports have been read since unlocking (reactive).
    #[must_use]
    pub fn is_read(&self) -> bool {
        self.items.with(Option::is_some)
    }

    /// The last download's state (reactive).
    #[must_use]
    pub fn download_state(&self) -> Download {
        self.download.get()
    }

    /// While locked: reads the kept reports, downloads the school's reports (both still
    /// encrypted; `token` is the member's) and loads the current catalogue, so that unlocking
    /// only has to decrypt them. The key derivation holds the thread; this runs while the
    /// person types. What fails here is simply done again after unlocking.
    pub fn prepare(&self, token: Secret) {
        let session = *self;
        leptos::task::spawn_local(async move {
            let kept = async {
                let database = app_database().await?;
                inbox::load_all(&database).await
            };
            let (sender, receiver) = oneshot::channel();
            session.prefetched.set_value(Some((now_ms(), receiver)));
            let download = async {
                // Unlocking meanwhile takes the receiver; a lock drops it.
                let _ = sender.send(team_inbox::download_all(&token).await);
            };
            let (entries, (), ()) =
                futures::future::join3(kept, download, prefetch_catalogue()).await;
            if let Ok(entries) = entries
                && !session.unlocked.get_untracked()
            {
                session.prepared.set_value(Some(entries));
            }
        });
    }

    /// Unlocks the member's key and signing key with `passphrase` (records
    /// `prepoznaj:inbox-unlock`), then reads what the device keeps and downloads what is new.
    ///
    /// # Errors
    /// [`UnlockError::WrongPassphrase`], or a damaged locked key.
    pub fn unlock(
        &self,
        locked: &Envelope,
        passphrase: &str,
        member: SessionMember,
        started: f64,
    ) -> Result<(), UnlockError> {
        let (identity, signing_key) =
            TeamIdentity::unlock_with_signing_key(locked.as_bytes(), passphrase)?;
        measure_since("prepoznaj:inbox-unlock", started);
        self.identity.set_value(Some(Rc::new(identity)));
        self.signing_key.set_value(signing_key.map(Rc::new));
        MEMBER.with(|cell| *cell.borrow_mut() = Some(member));
        self.unlocked.set(true);
        self.used();
        self.check_idle();
        let session = *self;
        leptos::task::spawn_local(async move {
            // The device's reports are read and listed while the download runs; the download
            // is read after them (only what is new is decrypted then).
            let (_, fetched) =
                futures::future::join(session.read_kept(started), session.fetch()).await;
            if let Some(fetched) = fetched {
                session.apply(fetched).await;
            }
        });
        Ok(())
    }

    /// Forgets the identity and everything decrypted with it.
    pub fn lock(&self) {
        self.stop_idle_check();
        self.identity.set_value(None);
        self.signing_key.set_value(None);
        MEMBER.with(|cell| *cell.borrow_mut() = None);
        self.items.set(None);
        self.prepared.set_value(None);
        self.prefetched.set_value(None);
        self.trust.set_value(None);
        self.download.set(Download::Idle);
        self.unlocked.set(false);
    }

    fn token(&self) -> Option<Secret> {
        MEMBER.with(|cell| cell.borrow().as_ref().map(|member| member.token.clone()))
    }

    /// Whether the identity is in memory now (not reactive).
    #[must_use]
    pub fn is_unlocked_now(&self) -> bool {
        self.unlocked.get_untracked()
    }

    /// The unlocked signing key and its member, to sign a team request (`None` when locked,
    /// or for a key from before signing keys).
    #[must_use]
    pub fn signer(&self) -> Option<(Rc<ChainSigningKey>, SessionMember)> {
        let key = self.signing_key.get_value()?;
        let member = MEMBER.with(|cell| cell.borrow().clone())?;
        Some((key, member))
    }

    /// Whether the unlocked key can sign (reactive on the lock).
    #[must_use]
    pub fn can_sign(&self) -> bool {
        self.unlocked.get() && self.signing_key.with_value(Option::is_some)
    }

    /// Reads every kept report into memory and records `prepoznaj:inbox-open` from `started`
    /// (the passphrase's submission) once there are reports.
    async fn read_kept(&self, started: f64) {
        let mut prepared = None;
        self.prepared.update_value(|kept| prepared = kept.take());
        let entries = match app_database().await {
            Ok(database) => {
                let (entries, key) = if let Some(prepared) = prepared {
                    (Ok(prepared), team_key::load(&database).await)
                } else {
                    let (entries, key, ()) = futures::future::join3(
                        inbox::load_all(&database),
                        team_key::load(&database),
                        prefetch_catalogue(),
                    )
                    .await;
                    (entries, key)
                };
                self.trust_pin(key.ok().flatten().and_then(|key| key.registration));
                entries
            }
            Err(error) => Err(error),
        };
        match entries {
            Ok(entries) => {
                let items = self.read_entries(&entries).await;
                if self.identity.with_value(Option::is_some) {
                    self.items.set(Some(items));
                    if !entries.is_empty() {
                        measure_since("prepoznaj:inbox-open", started);
                    }
                }
            }
            Err(error) => {
                self.items.update(|items| {
                    items.get_or_insert_with(BTreeMap::new);
                });
                self.download.set(Download::Storage(error));
            }
        }
    }

    /// Trusts the notes of the members of the chain version this device pinned, until the
    /// whole chain is fetched (never replacing a whole chain already known).
    fn trust_pin(&self, registration: Option<team_key::TeamRegistration>) {
        let Some(school) = MEMBER.with(|cell| cell.borrow().as_ref().map(|m| m.school.clone()))
        else {
            return;
        };
        if self.trust.with_value(Option::is_some) {
            return;
        }
        let pin = registration.and_then(|registration| registration.pin);
        self.trust
            .set_value(Some(Rc::new(NoteTrust::from_pin(school, pin.as_ref()))));
    }

    /// Trusts the notes of every member of `checked`'s verified chain, and decides again
    /// which of the read reports' changes are trusted.
    fn trust_chain(&self, checked: &team_inbox::CheckedChain) {
        let Some(versions) = &checked.versions else {
            return;
        };
        let Some(school) = MEMBER.with(|cell| cell.borrow().as_ref().map(|m| m.school.clone()))
        else {
            return;
        };
        let trust = NoteTrust::from_chain(school, versions);
        if self
            .trust
            .with_value(|known| known.as_deref() == Some(&trust))
        {
            return;
        }
        self.items.update(|items| {
            if let Some(items) = items {
                for item in items.values_mut() {
                    reading::retrust(item, &trust);
                }
            }
        });
        self.trust.set_value(Some(Rc::new(trust)));
    }

    /// Fetches and verifies the team's chain (from the device's pin) and trusts its members.
    async fn check_chain(&self) -> Option<team_inbox::CheckedChain> {
        let database = app_database().await.ok()?;
        let mut registration = team_key::load(&database).await.ok()??.registration?;
        let checked = team_inbox::check_chain(&mut registration).await;
        self.trust_chain(&checked);
        Some(checked)
    }

    /// Decrypts `entries` (forgotten ones are skipped) after loading their catalogues.
    async fn read_entries(
        &self,
        entries: &BTreeMap<String, InboxEntry>,
    ) -> BTreeMap<String, InboxItem> {
        let mut catalogues: BTreeMap<String, Arc<Catalogue>> = BTreeMap::new();
        for version in reading::catalogue_versions(entries) {
            match content::catalogue(&version).await {
                Ok(catalogue) => {
                    catalogues.insert(version.as_str().to_owned(), catalogue);
                }
                // The list then shows the report without its level; the report view says why.
                Err(error) => leptos::logging::warn!("{error}"),
            }
        }
        let Some(identity) = self.identity.get_value() else {
            return BTreeMap::new();
        };
        // Without a pin read yet, no member's note is trusted.
        let trust = self.trust.get_value().or_else(|| {
            MEMBER.with(|cell| {
                cell.borrow()
                    .as_ref()
                    .map(|member| Rc::new(NoteTrust::from_pin(member.school.clone(), None)))
            })
        });
        let Some(trust) = trust else {
            return BTreeMap::new();
        };
        let started = now_ms();
        let items = entries
            .iter()
            .filter_map(|(id, entry)| match entry {
                InboxEntry::Received(received) => Some((
                    id.clone(),
                    reading::read(id, received, &identity, &catalogues, &trust),
                )),
                InboxEntry::Forgotten { .. } => None,
            })
            .collect();
        measure_since("prepoznaj:inbox-decrypt", started);
        items
    }

    /// Sends what waits, downloads every report of the school, keeps what is new or changed
    /// (encrypted) and reads it. Offline, the inbox stays as it was and says so.
    pub async fn refresh(&self) {
        if let Some(fetched) = self.fetch().await {
            self.apply(fetched).await;
        }
    }

    /// Sends what waits and downloads every report of the school (`None`, with the reason
    /// shown, when that failed).
    async fn fetch(&self) -> Option<Fetched> {
        let token = self.token()?;
        self.download.set(Download::Running);
        let started = now_ms();
        let database = match app_database().await {
            Ok(database) => database,
            Err(error) => {
                self.download.set(Download::Storage(error));
                return None;
            }
        };
        // A download started while the passphrase was typed serves, unless it is old, the
        // phone has gone offline since (the inbox then says so) or this device has just sent
        // status changes it would not show.
        let mut prefetched = None;
        self.prefetched
            .update_value(|kept| prefetched = kept.take());
        let online = window().navigator().on_line();
        let prefetched = async {
            match prefetched {
                Some((at, receiver)) if online && now_ms() - at < PREFETCH_FRESH_MS => {
                    receiver.await.ok().and_then(Result::ok)
                }
                _ => None,
            }
        };
        let (sent, prefetched) = futures::future::join(self.send_pending(), prefetched).await;
        let download = async {
            match prefetched {
                Some(reports) if !sent => Ok(reports),
                _ => team_inbox::download_all(&token).await,
            }
        };
        // The chain is fetched and verified beside the download: its members decide which
        // status notes are trusted. The reports are read meanwhile with the members known so
        // far (the pinned version's), and their notes decided again when it is verified.
        let session = *self;
        leptos::task::spawn_local(async move {
            session.check_chain().await;
        });
        // The current catalogue is loaded meanwhile too (the reports name it, mostly).
        let (downloaded, ()) = futures::future::join(download, prefetch_catalogue()).await;
        match downloaded {
            Ok(downloaded) => {
                measure_since("prepoznaj:inbox-download", started);
                Some(Fetched {
                    database,
                    downloaded,
                    started,
                })
            }
            Err(error) => {
                self.download.set(Download::Failed(error));
                None
            }
        }
    }

    /// Reads and lists what `fetched` changes, then keeps it (encrypted).
    async fn apply(&self, fetched: Fetched) {
        let Fetched {
            database,
            downloaded,
            started,
        } = fetched;
        // What the download changes is read and listed first, and kept after: the list does
        // not wait for IndexedDB's writes (nothing decrypted is written; if keeping fails, the
        // next download brings the same reports again).
        let known = match inbox::load_all(&database).await {
            Ok(known) => known,
            Err(error) => {
                self.download.set(Download::Storage(error));
                return;
            }
        };
        let changed: BTreeMap<String, InboxEntry> = inbox::merge(&known, downloaded.clone())
            .into_iter()
            .collect();
        let at = now();
        // Deleted on the server: gone from the list at once, forgotten when the download is kept.
        let purged = inbox::purged(&known, &downloaded, at);
        if !purged.is_empty() {
            self.items.update(|items| {
                if let Some(items) = items {
                    for id in &purged {
                        items.remove(id);
                    }
                }
            });
        }
        let read_before = self.items.with_untracked(Option::is_some);
        let opened = if read_before {
            // What changed, and what another tab kept after this one read the device's reports.
            let mut to_read: BTreeMap<String, InboxEntry> = self.items.with_untracked(|items| {
                known
                    .iter()
                    .filter(|(id, _)| items.as_ref().is_some_and(|items| !items.contains_key(*id)))
                    .map(|(id, entry)| (id.clone(), entry.clone()))
                    .collect()
            });
            to_read.extend(changed.clone());
            self.read_entries(&to_read).await
        } else {
            let mut all = known;
            all.extend(changed.clone());
            self.read_entries(&all).await
        };
        // Nothing new on a list already shown: no update (it would draw every row again).
        if self.identity.with_value(Option::is_some) && !(read_before && opened.is_empty()) {
            self.items
                .update(|items| items.get_or_insert_with(BTreeMap::new).extend(opened));
            if !changed.is_empty() {
                measure_since("prepoznaj:inbox-read", started);
            }
        }
        if !changed.is_empty() || !purged.is_empty() {
            // Kept once the list is on screen: serialising and writing them would otherwise
            // hold back the frame that shows it.
            after_next_paint().await;
            let storing = now_ms();
            if let Err(error) = inbox::store_downloaded(&database, downloaded, at).await {
                self.download.set(Download::Storage(error));
                return;
            }
            measure_since("prepoznaj:inbox-store", storing);
        }
        self.download.set(Download::Done);
    }

    /// Sends every kept status change the server has not confirmed (same `change_id`, so a
    /// retry is never recorded twice).
    /// Returns whether there was any to send.
    async fn send_pending(&self) -> bool {
        let Some((key, member)) = self.signer() else {
            return false;
        };
        let signer = TeamSigner {
            key: &key,
            school: &member.school,
            member: Some(&member.member),
        };
        let token = &member.token;
        let loaded = match app_database().await {
            Ok(database) => inbox::load_all(&database)
                .await
                .map(|entries| (database, entries)),
            Err(error) => Err(error),
        };
        let (database, entries) = match loaded {
            Ok(loaded) => loaded,
            Err(error) => {
                // The download that follows reports the storage problem.
                leptos::logging::warn!("cannot read the waiting status changes: {error}");
                return false;
            }
        };
        let mut any = false;
        for (id, entry) in entries {
            let InboxEntry::Received(received) = entry else {
                continue;
            };
            for request in received.pending {
                any = true;
                match team_inbox::send_status_change(token, signer, &request, &id).await {
                    Ok(recorded) => {
                        if let Err(error) =
                            inbox::record_sent(&database, &id, recorded.change).await
                        {
                            leptos::logging::warn!("cannot record a sent status change: {error}");
                        }
                    }
                    Err(ApiCallError::Offline) => return true,
                    Err(error) => {
                        leptos::logging::warn!("status change for {id} not recorded: {error:?}");
                    }
                }
            }
        }
        any
    }

    /// Records one step of the team's work on report `id`: sealed to the key set of the
    /// team's latest key chain version this device verified (the server's chain is fetched
    /// and verified first; what does not verify is never sealed to), kept on this device,
    /// then sent, signed.
    ///
    /// # Errors
    /// [`ChangeError`]: not sealed (no verified version on this device), kept to send later,
    /// or refused.
    pub async fn record_change(&self, id: &str, note: StatusNote) -> Result<(), ChangeError> {
        let sealing = self.sealing_for_changes().await?;
        self.record_change_with(&sealing, id, note).await
    }

    /// The team's key set that status changes are sealed to: the server's chain fetched and
    /// verified from this device's pin (the pin when it cannot be fetched). One is enough for
    /// a run of changes made together, such as a bulk dismissal.
    ///
    /// # Errors
    /// [`ChangeError::NotSent`] when this device has no verified version to seal to, or a
    /// storage error.
    pub async fn sealing_for_changes(&self) -> Result<ChangeSealing, ChangeError> {
        if self.signer().is_none() {
            return Err(ChangeError::NotSent(ApiCallError::Offline));
        }
        let database = app_database().await.map_err(ChangeError::Storage)?;
        let mut registration = team_key::load(&database)
            .await
            .map_err(ChangeError::Storage)?
            .and_then(|key| key.registration)
            .ok_or(ChangeError::Storage(StorageError::NotSaved))?;
        let checked = team_inbox::check_chain(&mut registration).await;
        self.trust_chain(&checked);
        match checked.head {
            Some(head) => Ok(ChangeSealing { head }),
            None => Err(ChangeError::NotSent(match checked.problem {
                Some(team_inbox::ChainProblem::NotFetched(error)) => error,
                _ => ApiCallError::Server { status: 0 },
            })),
        }
    }

    /// As [`InboxSession::record_change`], sealed to the key set `sealing` verified.
    ///
    /// # Errors
    /// As [`InboxSession::record_change`].
    pub async fn record_change_with(
        &self,
        sealing: &ChangeSealing,
        id: &str,
        note: StatusNote,
    ) -> Result<(), ChangeError> {
        let (key, member) = self
            .signer()
            .ok_or(ChangeError::NotSent(ApiCallError::Offline))?;
        let token = member.token.clone();
        let database = app_database().await.map_err(ChangeError::Storage)?;
        let key_set = sealing.head.key_set();
        let report_id = ReportUuid::parse(id).map_err(|error| {
            leptos::logging::error!("not a report id {id}: {error}");
            ChangeError::Seal
        })?;
        let change_id = StatusChangeId::new_v7(now(), random_bytes());
        let coarse_status = note.status;
        let authored = AuthoredNote::new(
            note,
            NoteContext {
                school: member.school.clone(),
                report_id,
                change_id: change_id.clone(),
                author: member.member.clone(),
            },
        );
        let document = key.sign_note(&authored);
        let envelope = seal(&document.to_bytes(), key_set.recipients()).map_err(|error| {
            leptos::logging::error!("cannot seal a status change: {error}");
            ChangeError::Seal
        })?;
        let request = StatusChangeRequest {
            change_id,
            coarse_status,
            envelope_sha256: sha256(&envelope),
            envelope: Envelope::from_bytes(envelope),
        };
        inbox::add_pending(&database, id, request.clone())
            .await
            .map_err(ChangeError::Storage)?;
        let signer = TeamSigner {
            key: &key,
            school: &member.school,
            member: Some(&member.member),
        };
        let sent = team_inbox::send_status_change(&token, signer, &request, id).await;
        let outcome = match sent {
            Ok(recorded) => inbox::record_sent(&database, id, recorded.change)
                .await
                .map_err(ChangeError::Storage),
            Err(error @ (ApiCallError::Offline | ApiCallError::Server { .. })) => {
                Err(ChangeError::Kept(error))
            }
            Err(error) => Err(ChangeError::Refused(error)),
        };
        self.reread_one(id).await;
        outcome
    }

    /// Reads report `id` again from the device (after a change).
    async fn reread_one(&self, id: &str) {
        let entry = match app_database().await {
            Ok(database) => inbox::load(&database, id).await,
            Err(error) => Err(error),
        };
        let Ok(Some(entry)) = entry else {
            return;
        };
        let entries = BTreeMap::from([(id.to_owned(), entry)]);
        let items = self.read_entries(&entries).await;
        self.items.update(|known| {
            if let Some(known) = known {
                known.extend(items);
            }
        });
    }

    /// Removes report `id` from this device for good.
    ///
    /// # Errors
    /// A storage error; the report then stays.
    pub async fn forget(&self, id: &str) -> Result<(), StorageError> {
        let database = app_database().await?;
        inbox::forget(&database, id, now()).await?;
        self.items.update(|items| {
            if let Some(items) = items {
                items.remove(id);
            }
        });
        Ok(())
    }

    /// Status changes made here: whether `change` moves report `id` forward.
    #[must_use]
    pub fn allows(&self, id: &str, change: CoarseStatus) -> bool {
        self.item(id).is_some_and(|item| item.status.allows(change))
    }
}

/// Loads the current catalogue into memory while something else waits (reading reports then
/// finds it there); a failure is reported by the reading that needs it.
async fn prefetch_catalogue() {
    if let Err(error) = content::current_catalogue().await {
        leptos::logging::warn!("{error}");
    }
}

/// Resolves after the browser has painted the next frame (at once, in a task, while the app
/// is hidden and paints nothing).
async fn after_next_paint() {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        let resolve = move || {
            if let Err(error) = resolve.call0(&wasm_bindgen::JsValue::UNDEFINED) {
                leptos::logging::warn!("{error:?}");
            }
        };
        if document().hidden() {
            set_timeout(resolve, std::time::Duration::ZERO);
        } else {
            request_animation_frame(move || set_timeout(resolve, std::time::Duration::ZERO));
        }
    });
    if let Err(error) = wasm_bindgen_futures::JsFuture::from(promise).await {
        leptos::logging::warn!("{error:?}");
    }
}
