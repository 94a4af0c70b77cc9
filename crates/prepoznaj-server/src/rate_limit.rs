//! A small in-process limiter for attempts to redeem set-up and enrolment codes, per client
//! address: a token bucket of [`ATTEMPTS_PER_MINUTE`] that refills evenly over a minute.
//!
//! It lives in this process only. Behind a reverse proxy every connection has the proxy's
//! address: `--trusted-proxy` lets the proxy's headers name the client
//! (`crate::client_address`); several server instances each count on their own, so a multi-instance deployment
//! limits at the proxy or in the shared database. IPv6 clients are counted per /64, the block a
//! single subscriber usually holds.

use std::{
    collections::HashMap,
    net::IpAddr,
    sync::Mutex,
    time::{Duration, Instant},
};

/// Attempts one address may make per minute, and in a burst.
pub const ATTEMPTS_PER_MINUTE: u32 = 10;

/// Above this many tracked addresses, buckets that have refilled are forgotten.
const PRUNE_ABOVE: usize = 10_000;

const WINDOW: Duration = Duration::from_secs(60);

/// Per-address token buckets.
#[derive(Debug)]
pub struct RateLimiter {
    capacity: f64,
    buckets: Mutex<HashMap<ClientKey, Bucket>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum ClientKey {
    V4([u8; 4]),
    V6Prefix([u8; 8]),
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

impl Default for RateLimiter {
    fn default() -> Self {
        Self::new(ATTEMPTS_PER_MINUTE)
    }
}

impl RateLimiter {
    pub fn new(attempts_per_minute: u32) -> Self {
        Self {
            capacity: f64::from(attempts_per_minute.max(1)),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one attempt from `address` at `now`.
    ///
    /// # Errors
    /// The whole seconds to wait (at least 1) when the address has no attempt left.
    pub fn attempt(&self, address: IpAddr, now: Instant) -> Result<(), u64> {
        let refill_per_second = self.capacity / WINDOW.as_secs_f64();
        let refilled = |bucket: &Bucket| {
            let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
            (bucket.tokens + elapsed * refill_per_second).min(self.capacity)
        };
        // A poisoned lock only means another request panicked mid-update: the counts are
        // still numbers, so keep limiting rather than fail open or closed.
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if buckets.len() > PRUNE_ABOVE {
            buckets.retain(|_, bucket| refilled(bucket) < self.capacity);
        }
        let bucket = buckets.entry(ClientKey::of(address)).or_insert(Bucket {
            tokens: self.capacity,
            updated: now,
        });
        let tokens = refilled(bucket);
        if tokens >= 1.0 {
            *bucket = Bucket {
                tokens: tokens - 1.0,
                updated: now,
            };
            Ok(())
        } else {
            *bucket = Bucket {
                tokens,
                updated: now,
            };
            let wait = ((1.0 - tokens) / refill_per_second).ceil().max(1.0);
            // A whole number from 1 to the window's length: the cast is exact.
            Err(wait as u64)
        }
    }
}

impl ClientKey {
    fn of(address: IpAddr) -> Self {
        match address {
            IpAddr::V4(v4) => Self::V4(v4.octets()),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => Self::V4(v4.octets()),
                None => {
                    let mut prefix = [0_u8; 8];
                    prefix.copy_from_slice(&v6.octets()[..8]);
                    Self::V6Prefix(prefix)
                }
            },
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a failed unwrap is a failed test")]

    use std::net::{Ipv4Addr, Ipv6Addr};

    use super::*;

    const HOME: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1));

    #[test]
    fn a_burst_of_ten_passes_then_the_eleventh_waits_six_seconds() {
        let limiter = RateLimiter::default();
        let start = Instant::now();

        for _ in 0..10 {
            assert_eq!(limiter.attempt(HOME, start), Ok(()));
        }
        assert_eq!(limiter.attempt(HOME, start), Err(6));
        assert_eq!(
            limiter.attempt(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 2)), start),
            Ok(()),
            "another address has its own bucket"
        );
        assert_eq!(
            limiter.attempt(HOME, start + Duration::from_secs(6)),
            Ok(())
        );
        assert_eq!(
            limiter.attempt(HOME, start + Duration::from_secs(6)),
            Err(6)
        );
    }

    #[test]
    fn ipv6_addresses_share_their_slash_64_and_mapped_ipv4_is_ipv4() {
        let limiter = RateLimiter::new(1);
        let start = Instant::now();
        let first = IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 1, 0, 0, 0, 1));
        let same_64 = IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 1, 0xffff, 0, 0, 9));
        let other_64 = IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 2, 0, 0, 0, 1));

        assert_eq!(limiter.attempt(first, start), Ok(()));
        assert_eq!(limiter.attempt(same_64, start), Err(60));
        assert_eq!(limiter.attempt(other_64, start), Ok(()));

        assert_eq!(limiter.attempt(HOME, start), Ok(()));
        let mapped = IpAddr::V6(Ipv4Addr::new(192, 0, 2, 1).to_ipv6_mapped());
        assert_eq!(limiter.attempt(mapped, start), Err(60));
    }
}
