//! What goes wrong, and when: a small seeded generator and the per-schedule fault plan the
//! proxy consults for every request. The same seed gives the same plan.

/// SplitMix64: tiny, seedable, and good enough to pick faults.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..bound`.
    pub fn below(&mut self, bound: u64) -> u64 {
        self.next_u64() % bound.max(1)
    }

    /// True one time in `one_in`.
    pub fn chance(&mut self, one_in: u64) -> bool {
        self.below(one_in) == 0
    }

    /// A number in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        #[expect(
            clippy::cast_precision_loss,
            reason = "53 random bits are exactly representable"
        )]
        let unit = (self.next_u64() >> 11) as f64 / (1_u64 << 53) as f64;
        unit
    }
}

/// What the proxy does to one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    Pass,
    /// The connection is reset before the server sees the request.
    Reset,
    /// A 500 from the proxy, before the server sees the request.
    Error500,
    /// A 503 with `Retry-After` (seconds), before the server sees the request.
    RetryAfter(u64),
    /// The server handles the request; the phone gets a 502 instead of its answer.
    BadGatewayAfterHandling,
    /// The server handles the request; its answer is lost (connection reset).
    LoseResponse,
    /// The request reaches the server twice, one after the other or at the same time.
    Duplicate {
        concurrent: bool,
    },
    /// The request waits until another one has gone through (reordering), or until every
    /// request the phone has in flight is held.
    Hold,
    /// The request goes through, and a copy arrives again later.
    ReplayLater,
    /// The server dies with the body half sent, and stays down for `down_for` requests.
    KillMidUpload {
        down_for: u32,
    },
    /// The server commits, then dies before the phone gets the answer.
    KillAfterCommit {
        down_for: u32,
    },
}

impl Fault {
    pub fn name(self) -> &'static str {
        match self {
            Fault::Pass => "pass",
            Fault::Reset => "connection reset",
            Fault::Error500 => "500",
            Fault::RetryAfter(_) => "503 retry-after",
            Fault::BadGatewayAfterHandling => "502 after handling",
            Fault::LoseResponse => "response lost",
            Fault::Duplicate { concurrent: false } => "duplicate replay",
            Fault::Duplicate { concurrent: true } => "concurrent duplicate",
            Fault::Hold => "held",
            Fault::ReplayLater => "late replay",
            Fault::KillMidUpload { .. } => "killed mid-upload",
            Fault::KillAfterCommit { .. } => "killed after commit",
        }
    }

    /// Every kind, for the check that the suite injected each of them.
    pub const KINDS: [&'static str; 16] = [
        "connection reset",
        "500",
        "503 retry-after",
        "502 after handling",
        "response lost",
        "duplicate replay",
        "concurrent duplicate",
        "held",
        // Counted by the proxy when a held request goes through after a later one.
        "reordered",
        "late replay",
        "killed mid-upload",
        "killed after commit",
        // Not the proxy's doing; counted by the phone's side.
        "token revoked",
        "clock ±48 h",
        "encrypted again",
        "409, then status",
    ];
}

/// Which faults a schedule injects, how often, and how many at most (so that it ends: the
/// phone has no retry cap).
#[derive(Debug, Clone)]
pub struct FaultPlan {
    rng: Rng,
    budget: u32,
    percent: u64,
    kinds: Vec<u64>,
}

impl FaultPlan {
    /// No faults at all.
    pub fn calm() -> Self {
        Self {
            rng: Rng::new(0),
            budget: 0,
            percent: 0,
            kinds: Vec::new(),
        }
    }

    pub fn for_schedule(rng: &mut Rng) -> Self {
        let mut kinds: Vec<u64> = (0..11).filter(|_| rng.chance(2)).collect();
        if kinds.is_empty() {
            kinds.push(rng.below(11));
        }
        Self {
            rng: Rng::new(rng.next_u64()),
            budget: u32::try_from(rng.below(12)).unwrap(),
            percent: 15 + rng.below(60),
            kinds,
        }
    }

    pub fn chance(&mut self, one_in: u64) -> bool {
        self.rng.chance(one_in)
    }

    pub fn next_fault(&mut self) -> Fault {
        if self.budget == 0 || self.rng.below(100) >= self.percent {
            return Fault::Pass;
        }
        self.budget -= 1;
        let kind = self.kinds[usize::try_from(self.rng.below(self.kinds.len() as u64)).unwrap()];
        let down_for = u32::try_from(self.rng.below(3)).unwrap();
        match kind {
            0 => Fault::Reset,
            1 => Fault::Error500,
            2 => Fault::RetryAfter(1 + self.rng.below(120)),
            3 => Fault::BadGatewayAfterHandling,
            4 => Fault::LoseResponse,
            5 => Fault::Duplicate { concurrent: false },
            6 => Fault::Duplicate { concurrent: true },
            7 => Fault::Hold,
            8 => Fault::ReplayLater,
            9 => Fault::KillMidUpload { down_for },
            _ => Fault::KillAfterCommit { down_for },
        }
    }
}
