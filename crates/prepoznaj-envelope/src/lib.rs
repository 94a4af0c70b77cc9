//! Prepoznaj's end-to-end encryption, with the `age` crate and nothing home-made: a finished
//! observation is sealed on the phone to every current team member's X25519 key
//! ([`report`]), and a team member's key lives on their device locked with their passphrase
//! (age's scrypt recipient) with a recovery copy they keep ([`identity`]). [`digest`] computes
//! the SHA-256 values the protocol carries and the key fingerprints people compare. The team's
//! key set is a hash-linked chain of versions, each signed with a member's Ed25519 key
//! ([`signing`], `ed25519-dalek`) and verified from the version a phone has pinned ([`chain`]).
//! A staff phone's app lock seals what it keeps about a child under a data key wrapped with the
//! person's PIN or passphrase ([`vault`], XChaCha20-Poly1305 and age's scrypt recipient).
//!
//! No IO, no clock, no web APIs: compiles for wasm32 (getrandom's `js` backend supplies the
//! randomness age needs) and natively, where the tests check envelopes with the `age` CLI.
//! Formats and rules that are not cryptography (the report's plaintext, the recovery code,
//! passphrase rules, what a fingerprint is) live in `prepoznaj-domain`.

pub mod chain;
pub mod digest;
pub mod identity;
pub mod report;
pub mod signing;
pub mod vault;

/// An error of `age` (or of the IO it wraps) as text for the log. Its `Debug` form, not its
/// `Display`: age localises `Display` through Fluent, and calling it would link Fluent and its
/// message files into every wasm bundle that seals.
pub(crate) fn described(error: &impl std::fmt::Debug) -> String {
    format!("{error:?}")
}
