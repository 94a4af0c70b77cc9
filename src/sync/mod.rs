//! The only code that talks to the server. [`client`] has one typed function per endpoint of
//! the domain's table (`prepoznaj_domain::endpoints`); [`api`] is its HTTP edge (JSON in, JSON
//! or a typed error out); what an answer means is decided by pure functions in the domain crate
//! (`prepoznaj_domain::outbox` and `prepoznaj_domain::sync` for reports). [`sender`] drives the
//! outbox; [`summary`] is what every screen shows of it; [`pinning`] decides which team keys a
//! staff phone seals to (only a version verified from the one it pinned).

pub mod api;
pub mod client;
pub mod pinning;
pub mod sender;
pub mod summary;
pub mod team_inbox;
