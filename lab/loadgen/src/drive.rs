//! The two loads: open (a sender thread keeps the Poisson schedule, a one-thread runtime runs the requests) and closed (N connections, each sending its next request when the last one answers).

use std::cell::RefCell;
use std::io;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::sync::{mpsc, Semaphore};

use crate::http::read_response;
use crate::schedule::poisson;
use crate::stats::{quantile, Report};

/// The most requests one run sends: a bound on its work and memory.
pub(crate) const MAX_REQUESTS: usize = 2_000_000;
/// An open load stops sending when this many requests are outstanding (the server is overloaded).
const MAX_OUTSTANDING: usize = 20_000;
/// What is still outstanding when the schedule ends gets this long to answer.
const DRAIN: Duration = Duration::from_secs(10);

/// An open load: Poisson arrivals at `rate` per second to `path`, the first
/// `warmup_s` seconds sent but not measured.
#[derive(Debug, Clone)]
pub struct Open {
    pub port: u16,
    pub path: String,
    pub rate: f64,
    pub warmup_s: f64,
    pub seconds: f64,
    pub seed: u64,
    /// The most connections open at once; an arrival beyond them waits for one.
    pub max_conns: usize,
}

/// A closed load: `conns` connections, each sending its next request as soon as the last one answers.
#[derive(Debug, Clone)]
pub struct Closed {
    pub port: u16,
    pub path: String,
    pub conns: usize,
    pub warmup_s: f64,
    pub seconds: f64,
}

fn request_bytes(path: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: lab-loadgen\r\n\r\n").into_bytes()
}

/// Connections kept open between requests, at most `limit` at once.
struct Pool {
    port: u16,
    idle: RefCell<Vec<TcpStream>>,
    permits: Semaphore,
}

impl Pool {
    /// One exchange on an idle connection, or a new one when none is idle.
    /// A server may close a connection that sat idle (uvicorn after 5 s):
    /// a request that finds its reused connection closed before any answer
    /// is sent again once on a new one, as HTTP clients do.
    async fn exchange(&self, request: &[u8], buf: &mut Vec<u8>) -> io::Result<u16> {
        let _permit = self.permits.acquire().await.map_err(io::Error::other)?;
        let idle = self.idle.borrow_mut().pop();
        let reused = idle.is_some();
        let mut conn = match idle {
            Some(c) => c,
            None => self.connect().await?,
        };
        let mut r = Self::once(&mut conn, request, buf).await;
        if reused && r.as_ref().is_err_and(closed_before_answer) {
            conn = self.connect().await?;
            r = Self::once(&mut conn, request, buf).await;
        }
        let r = r?;
        if !r.close {
            self.idle.borrow_mut().push(conn);
        }
        Ok(r.status)
    }

    async fn connect(&self) -> io::Result<TcpStream> {
        let c = TcpStream::connect(("127.0.0.1", self.port)).await?;
        c.set_nodelay(true)?;
        Ok(c)
    }

    async fn once(conn: &mut TcpStream, request: &[u8], buf: &mut Vec<u8>) -> io::Result<crate::http::Response> {
        conn.write_all(request).await?;
        read_response(conn, buf).await
    }
}

/// Whether an exchange failed because the server had closed the connection
/// before answering (nothing of a response read).
fn closed_before_answer(e: &io::Error) -> bool {
    matches!(e.kind(), io::ErrorKind::ConnectionReset | io::ErrorKind::BrokenPipe | io::ErrorKind::ConnectionAborted)
        || (e.kind() == io::ErrorKind::UnexpectedEof && e.to_string() == crate::http::CLOSED)
}

/// Errors of a run: how many, and the first one's words.
#[derive(Default)]
struct Errors {
    count: usize,
    first: Option<String>,
}

impl Errors {
    fn note(&mut self, what: String) {
        self.count += 1;
        self.first.get_or_insert(what);
    }
}

fn runtime() -> io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread().enable_all().build()
}

/// Run an open load and report it.
pub fn run_open(cfg: &Open) -> io::Result<Report> {
    let sched = poisson(cfg.rate, cfg.warmup_s + cfg.seconds, cfg.seed, MAX_REQUESTS);
    let n = sched.len();
    let outstanding = Arc::new(AtomicUsize::new(0));
    let (tx, mut rx) = mpsc::unbounded_channel::<usize>();
    let t0 = Instant::now();
    // The sender thread: sleeps until each arrival's time (std's sleep,
    // within tens of µs), hands its index to the runtime, and notes how late
    // it was.
    let sender = {
        let sched = sched.clone();
        let outstanding = outstanding.clone();
        std::thread::Builder::new().name("loadgen-sender".into()).spawn(move || {
            let mut late = Vec::with_capacity(sched.len());
            let mut sent_all = true;
            for (i, &t) in sched.iter().enumerate() {
                let due = t0 + Duration::from_secs_f64(t);
                let now = Instant::now();
                if due > now {
                    std::thread::sleep(due - now);
                }
                if outstanding.fetch_add(1, Ordering::Relaxed) >= MAX_OUTSTANDING {
                    sent_all = false;
                    break;
                }
                late.push(Instant::now().saturating_duration_since(due).as_secs_f64() * 1e6);
                if tx.send(i).is_err() {
                    sent_all = false;
                    break;
                }
            }
            (late, sent_all)
        })?
    };
    let done: Rc<RefCell<Vec<Option<f64>>>> = Rc::new(RefCell::new(vec![None; n]));
    let errors = Rc::new(RefCell::new(Errors::default()));
    let pool = Rc::new(Pool { port: cfg.port, idle: RefCell::new(Vec::new()), permits: Semaphore::new(cfg.max_conns.max(1)) });
    let request: Rc<[u8]> = request_bytes(&cfg.path).into();
    let rt = runtime()?;
    let local = tokio::task::LocalSet::new();
    local.block_on(&rt, async {
        while let Some(i) = rx.recv().await {
            let (done, errors, pool, request, outstanding) = (done.clone(), errors.clone(), pool.clone(), request.clone(), outstanding.clone());
            tokio::task::spawn_local(async move {
                let mut buf = Vec::with_capacity(1024);
                match pool.exchange(&request, &mut buf).await {
                    Ok(200) => done.borrow_mut()[i] = Some(t0.elapsed().as_secs_f64()),
                    Ok(status) => errors.borrow_mut().note(format!("HTTP status {status}")),
                    Err(e) => errors.borrow_mut().note(e.to_string()),
                }
                outstanding.fetch_sub(1, Ordering::Relaxed);
            });
        }
        // The schedule is sent: give what is outstanding its time to answer.
        let deadline = tokio::time::Instant::now() + DRAIN;
        while outstanding.load(Ordering::Relaxed) > 0 && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    });
    let (mut late, sent_all) = sender.join().map_err(|_| io::Error::other("the sender thread panicked"))?;
    late.sort_by(f64::total_cmp);
    let done = done.borrow();
    let (from, to) = (cfg.warmup_s, cfg.warmup_s + cfg.seconds);
    let measured: Vec<usize> = (0..n).filter(|&i| sched[i] >= from).collect();
    let latency_ms: Vec<f64> = measured.iter().filter_map(|&i| done[i].map(|d| (d - sched[i]) * 1e3)).collect();
    let in_window = done.iter().flatten().filter(|&&d| d >= from && d < to).count();
    let errors = errors.borrow();
    Ok(Report {
        mode: "open",
        offered_per_s: Some(cfg.rate),
        connections: cfg.max_conns,
        seconds: cfg.seconds,
        measured: measured.len(),
        unfinished: measured.len() - latency_ms.len(),
        total_completed: done.iter().flatten().count(),
        errors: errors.count,
        achieved_per_s: in_window as f64 / cfg.seconds,
        sent_all,
        latency_ms,
        late_p99_us: quantile(&late, 0.99),
        first_error: errors.first.clone(),
    })
}

/// Run a closed load and report it.
pub fn run_closed(cfg: &Closed) -> io::Result<Report> {
    let rt = runtime()?;
    let local = tokio::task::LocalSet::new();
    let t0 = Instant::now();
    let (from, to) = (cfg.warmup_s, cfg.warmup_s + cfg.seconds);
    let errors = Rc::new(RefCell::new(Errors::default()));
    let latency = Rc::new(RefCell::new(Vec::new()));
    let completed = Rc::new(RefCell::new(0usize));
    let total = Rc::new(RefCell::new(0usize));
    let request: Rc<[u8]> = request_bytes(&cfg.path).into();
    local.block_on(&rt, async {
        let mut tasks = Vec::new();
        for _ in 0..cfg.conns.max(1) {
            let (errors, latency, completed, total, request, port) =
                (errors.clone(), latency.clone(), completed.clone(), total.clone(), request.clone(), cfg.port);
            tasks.push(tokio::task::spawn_local(async move {
                let pool = Pool { port, idle: RefCell::new(Vec::new()), permits: Semaphore::new(1) };
                let mut buf = Vec::with_capacity(1024);
                let mut count = 0usize;
                loop {
                    let start = t0.elapsed().as_secs_f64();
                    if start >= to || count >= MAX_REQUESTS {
                        break;
                    }
                    count += 1;
                    match pool.exchange(&request, &mut buf).await {
                        Ok(200) => {
                            let end = t0.elapsed().as_secs_f64();
                            *total.borrow_mut() += 1;
                            if start >= from {
                                latency.borrow_mut().push((end - start) * 1e3);
                            }
                            if end >= from && end < to {
                                *completed.borrow_mut() += 1;
                            }
                        }
                        Ok(status) => errors.borrow_mut().note(format!("HTTP status {status}")),
                        Err(e) => {
                            errors.borrow_mut().note(e.to_string());
                            tokio::time::sleep(Duration::from_millis(10)).await;
                        }
                    }
                }
            }));
        }
        for t in tasks {
            let _ = t.await;
        }
    });
    let latency_ms = std::mem::take(&mut *latency.borrow_mut());
    let errors = errors.borrow();
    let completed = *completed.borrow();
    let total = *total.borrow();
    Ok(Report {
        mode: "closed",
        offered_per_s: None,
        connections: cfg.conns.max(1),
        seconds: cfg.seconds,
        measured: latency_ms.len(),
        unfinished: 0,
        total_completed: total,
        errors: errors.count,
        achieved_per_s: completed as f64 / cfg.seconds,
        sent_all: true,
        latency_ms,
        late_p99_us: None,
        first_error: errors.first.clone(),
    })
}
