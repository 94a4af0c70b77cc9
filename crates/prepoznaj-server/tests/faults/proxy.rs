//! A fault-injecting HTTP/1.1 proxy between the phone and the server. The phone opens one
//! connection per request; the proxy reads the whole request, asks the schedule's
//! [`FaultPlan`] what to do with it, and then forwards it (with `Connection: close`, reading
//! the answer to the end), or does not, or does something worse.
//!
//! Held requests (reordering) wait for another request to finish and are released whenever
//! every request the phone has in flight is held, so holding never deadlocks.

use std::{
    collections::{BTreeMap, VecDeque},
    io,
    net::SocketAddr,
    sync::{Arc, Mutex},
};

use tokio::{
    io::{AsyncReadExt as _, AsyncWriteExt as _},
    net::{TcpListener, TcpStream},
    sync::oneshot,
};

use crate::{
    ledger::Ledger,
    plan::{Fault, FaultPlan},
    server::Server,
};

/// The proxy's address and what it shares with its connection tasks.
#[derive(Debug, Clone)]
pub struct Proxy {
    pub address: SocketAddr,
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    server: Arc<tokio::sync::Mutex<Server>>,
    ledger: Arc<Ledger>,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    plan: FaultPlan,
    /// Requests that will still find the server down after a kill.
    down_for: u32,
    /// Requests waiting to be forwarded late, oldest first.
    held: VecDeque<oneshot::Sender<()>>,
    /// Requests the phone has sent and not yet seen answered.
    client_in_flight: usize,
    /// Copies of requests the network will deliver again later.
    late: Vec<Vec<u8>>,
    /// Faults injected, by name.
    injected: BTreeMap<&'static str, u64>,
}

impl Proxy {
    pub async fn start(server: Arc<tokio::sync::Mutex<Server>>, ledger: Arc<Ledger>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let shared = Arc::new(Shared {
            server,
            ledger,
            state: Mutex::new(State {
                plan: FaultPlan::calm(),
                down_for: 0,
                held: VecDeque::new(),
                client_in_flight: 0,
                late: Vec::new(),
                injected: BTreeMap::new(),
            }),
        });
        let accepting = Arc::clone(&shared);
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                tokio::spawn(Arc::clone(&accepting).handle(client));
            }
        });
        Self { address, shared }
    }

    /// Faults for the next schedule (whose phone has nothing in flight yet).
    pub fn set_plan(&self, plan: FaultPlan) {
        let mut state = self.shared.lock();
        state.plan = plan;
        state.client_in_flight = 0;
        state.rebalance();
    }

    /// The phone starts a request.
    pub fn client_started(&self) {
        self.shared.lock().client_in_flight += 1;
    }

    /// The phone has the outcome of a request.
    pub fn client_done(&self) {
        let mut state = self.shared.lock();
        state.client_in_flight -= 1;
        state.rebalance();
    }

    /// Ends a schedule: the network delivers every late copy now (their answers go nowhere)
    /// and the server is brought back up.
    pub async fn flush(&self) {
        let late = std::mem::take(&mut self.shared.lock().late);
        for request in late {
            let _ = self.shared.forward(&request).await;
        }
        self.shared.lock().down_for = 0;
    }

    /// Faults injected so far, by name.
    pub fn injected(&self) -> BTreeMap<&'static str, u64> {
        self.shared.lock().injected.clone()
    }
}

impl State {
    /// Releases held requests while every request the phone has in flight is held.
    fn rebalance(&mut self) {
        while !self.held.is_empty() && self.held.len() >= self.client_in_flight {
            self.release_oldest();
        }
    }

    /// Releases the oldest held request; whether there was one.
    fn release_oldest(&mut self) -> bool {
        self.held
            .pop_front()
            .is_some_and(|held| held.send(()).is_ok())
    }
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap()
    }

    async fn handle(self: Arc<Self>, mut client: TcpStream) {
        let Some(request) = read_request(&mut client).await else {
            return;
        };
        let (fault, replay) = {
            let mut state = self.lock();
            let fault = state.plan.next_fault();
            if fault != Fault::Pass {
                *state.injected.entry(fault.name()).or_default() += 1;
            }
            // Now and then an old copy arrives just before this request.
            let replay =
                (!state.late.is_empty() && state.plan.chance(3)).then(|| state.late.remove(0));
            (fault, replay)
        };
        if let Some(replay) = replay {
            let _ = self.forward(&replay).await;
        }
        if fault == Fault::Hold {
            let (release, released) = oneshot::channel();
            {
                let mut state = self.lock();
                state.held.push_back(release);
                state.rebalance();
            }
            let _ = released.await;
        }
        self.apply(fault, &request, client).await;
        let mut state = self.lock();
        // A request held until this one went through now goes after it: reordered.
        if state.release_oldest() {
            *state.injected.entry("reordered").or_default() += 1;
        }
        state.rebalance();
    }

    async fn apply(&self, fault: Fault, request: &[u8], client: TcpStream) {
        match fault {
            Fault::Pass | Fault::Hold => match self.forward(request).await {
                Ok(response) => respond(client, &response).await,
                Err(_) => reset(client),
            },
            Fault::Reset => reset(client),
            Fault::Error500 => respond(client, &canned(500, "Internal Server Error", None)).await,
            Fault::RetryAfter(seconds) => {
                respond(client, &canned(503, "Service Unavailable", Some(seconds))).await;
            }
            Fault::BadGatewayAfterHandling => {
                let _ = self.forward(request).await;
                respond(client, &canned(502, "Bad Gateway", None)).await;
            }
            Fault::LoseResponse => {
                let _ = self.forward(request).await;
                reset(client);
            }
            Fault::Duplicate { concurrent } => {
                let response = if concurrent {
                    let (first, _) = tokio::join!(self.forward(request), self.forward(request));
                    first
                } else {
                    let _ = self.forward(request).await;
                    self.forward(request).await
                };
                match response {
                    Ok(response) => respond(client, &response).await,
                    Err(_) => reset(client),
                }
            }
            Fault::ReplayLater => {
                self.lock().late.push(request.to_vec());
                match self.forward(request).await {
                    Ok(response) => respond(client, &response).await,
                    Err(_) => reset(client),
                }
            }
            Fault::KillMidUpload { down_for } => {
                if let Some(upstream) = self.upstream().await {
                    // Headers and half the body reach the server; then it dies.
                    let cut = request.len() - (request.len() - head_length(request)) / 2;
                    if let Ok(mut server) = TcpStream::connect(upstream).await {
                        let _ = server
                            .write_all(&with_connection_close(request)[..cut])
                            .await;
                        self.kill(down_for).await;
                    }
                }
                reset(client);
            }
            Fault::KillAfterCommit { down_for } => {
                // The server answers only after its commit: once the answer is here, the
                // report is stored, and the server dies before the phone hears of it.
                let _ = self.forward(request).await;
                self.kill(down_for).await;
                reset(client);
            }
        }
    }

    /// Kills the server, checks that every report the phone holds a receipt for is in the
    /// database, and leaves the server down for the next `down_for` requests.
    async fn kill(&self, down_for: u32) {
        let mut server = self.server.lock().await;
        server.kill();
        self.ledger.check_acknowledged(&server.database_path());
        self.lock().down_for = down_for;
    }

    /// The server's address, restarting it if it is down and no request is left to find it so.
    async fn upstream(&self) -> Option<SocketAddr> {
        {
            let mut state = self.lock();
            if state.down_for > 0 {
                state.down_for -= 1;
                return None;
            }
        }
        Some(self.server.lock().await.ensure_up().await)
    }

    /// Sends `request` to the server and reads its whole answer.
    async fn forward(&self, request: &[u8]) -> io::Result<Vec<u8>> {
        let upstream = self
            .upstream()
            .await
            .ok_or_else(|| io::Error::from(io::ErrorKind::ConnectionRefused))?;
        let mut server = TcpStream::connect(upstream).await?;
        server.write_all(&with_connection_close(request)).await?;
        let mut response = Vec::new();
        server.read_to_end(&mut response).await?;
        if response.is_empty() {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        Ok(response)
    }
}

/// Reads one request: the head up to the blank line, then `Content-Length` bytes of body.
async fn read_request(client: &mut TcpStream) -> Option<Vec<u8>> {
    let mut request = Vec::new();
    let mut buffer = [0_u8; 8192];
    loop {
        if request.len() >= 4 && head_length(&request) <= request.len() {
            let wanted = head_length(&request) + content_length(&request);
            if request.len() >= wanted {
                return Some(request);
            }
        }
        let read = client.read(&mut buffer).await.ok()?;
        if read == 0 {
            return None;
        }
        request.extend_from_slice(&buffer[..read]);
    }
}

/// The length of the head including its blank line (past the end while incomplete).
fn head_length(request: &[u8]) -> usize {
    request
        .windows(4)
        .position(|window| window == b"\r\n\r\n")
        .map_or(usize::MAX, |end| end + 4)
}

fn content_length(request: &[u8]) -> usize {
    let head = String::from_utf8_lossy(&request[..head_length(request)]);
    head.lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .unwrap_or(0)
}

/// The request with its `Connection` header replaced by `Connection: close`, so the server
/// ends the connection after its answer.
fn with_connection_close(request: &[u8]) -> Vec<u8> {
    let head_end = head_length(request);
    let head = String::from_utf8_lossy(&request[..head_end - 4]);
    let mut rewritten: Vec<u8> = head
        .split("\r\n")
        .filter(|line| {
            !line
                .split_once(':')
                .is_some_and(|(name, _)| name.eq_ignore_ascii_case("connection"))
        })
        .collect::<Vec<_>>()
        .join("\r\n")
        .into_bytes();
    rewritten.extend_from_slice(b"\r\nconnection: close\r\n\r\n");
    rewritten.extend_from_slice(&request[head_end..]);
    rewritten
}

/// An answer made by the proxy itself, as a load balancer or captive portal would send it.
fn canned(status: u16, reason: &str, retry_after_secs: Option<u64>) -> Vec<u8> {
    let body = format!("<html><body>{status} {reason}</body></html>");
    let retry_after = retry_after_secs
        .map(|seconds| format!("retry-after: {seconds}\r\n"))
        .unwrap_or_default();
    format!(
        "HTTP/1.1 {status} {reason}\r\ncontent-type: text/html\r\ncontent-length: {}\r\n{retry_after}connection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

async fn respond(mut client: TcpStream, response: &[u8]) {
    let _ = client.write_all(response).await;
    let _ = client.shutdown().await;
}

/// Closes the phone's connection with a TCP reset.
fn reset(client: TcpStream) {
    let _ = client.set_zero_linger();
    drop(client);
}
