//! A stub Aerospike cluster for the measurement lab: M nodes in one process, one namespace in memory, the info commands a client's cluster tending asks, batch reads, and a precise injected I/O wait per node request.
//!
//! Every node listens on its own port of 127.0.0.1 and owns the partitions
//! `p` with `p mod M` equal to its number, so a client that reads a batch
//! sends one request to each node that owns some of its keys. The nodes
//! share one store and one set of settings. Every record request (a single
//! read or write, or one node's part of a batch) is answered after the
//! configured wait, counted from when its last byte arrived, by a dedicated
//! timer thread whose sleeps have 1 ns of timer slack (tokio's own timer
//! rounds to milliseconds). The waits actually applied can be read back with
//! `stub-stats`, each node's requests with `stub-nodes`.

pub mod proto;
pub(crate) mod timer;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the stub is doing now; changed at run time by info commands.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// Injected wait per record request.
    pub delay: Duration,
    /// CPU burned per record request before the wait (a busy loop).
    pub cpu: Duration,
    /// Share of keys it was never given that a read finds anyway (a made-up
    /// record): 0 finds only what was written, 1 finds every key.
    pub found_ratio: f64,
    /// Size of a made-up record's payload bin, bytes.
    pub record_bytes: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { delay: Duration::ZERO, cpu: Duration::ZERO, found_ratio: 0.0, record_bytes: 64 }
    }
}

/// What one node has served since the last `stub-nodes`.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Counts {
    /// Batch requests (one node's part of a client's batch).
    pub batches: u64,
    /// Single-record requests.
    pub reads: u64,
    /// Keys asked for in batches.
    pub keys: u64,
    /// Records found and sent back.
    pub found: u64,
}

/// One node: its name and port.
#[derive(Debug, Clone)]
pub struct Node {
    pub name: String,
    pub port: u16,
}

/// Shared state of one stub cluster.
#[derive(Debug)]
pub struct Stub {
    pub nodes: Vec<Node>,
    pub settings: Mutex<Settings>,
    pub store: Mutex<proto::Store>,
    /// Applied waits, ns, since the last `stub-stats`.
    pub applied: Mutex<Vec<u64>>,
    counts: Mutex<Vec<Counts>>,
    pub timer: timer::Timer,
}

/// Name of the first node (the others count up from it).
pub const NODE: &str = "BB9000000000A01";

/// The most nodes a stub cluster has.
pub const MAX_NODES: usize = 128;

/// Base64 of the 4096-partition bitmap with every bit set (512 bytes of 0xFF).
pub fn all_partitions() -> String {
    proto::ownership(0, 1)
}

/// The name of node `i` (0-based).
pub fn node_name(i: usize) -> String {
    format!("BB9{:012X}", 0xA01 + i)
}

impl Stub {
    /// A cluster whose nodes listen on `ports` (one node per port).
    pub fn new(ports: &[u16], delay: Duration, cpu: Duration) -> Arc<Stub> {
        let nodes: Vec<Node> = ports.iter().enumerate().map(|(i, &port)| Node { name: node_name(i), port }).collect();
        Arc::new(Stub {
            counts: Mutex::new(vec![Counts::default(); nodes.len()]),
            nodes,
            settings: Mutex::new(Settings { delay, cpu, ..Settings::default() }),
            store: Mutex::new(proto::Store::new()),
            applied: Mutex::new(Vec::new()),
            timer: timer::Timer::start(),
        })
    }

    /// Answer one info command (`name` or `name:args`) on node `node`; unknown ones get an empty value.
    pub fn info(&self, node: usize, cmd: &str) -> String {
        let me = &self.nodes[node];
        let port = me.port;
        let (name, args) = cmd.split_once(':').unwrap_or((cmd, ""));
        let ns = proto::NAMESPACE;
        let mine = || proto::ownership(node, self.nodes.len());
        match name {
            "node" => me.name.clone(),
            "build" => "7.0.0.0".into(),
            "edition" => "Aerospike Stub Edition".into(),
            "version" => "Aerospike Stub 7.0.0.0".into(),
            "partition-generation" | "peers-generation" | "rebalance-generation" => "1".into(),
            "partitions" => "4096".into(),
            "cluster-name" => "stub".into(),
            "namespaces" => ns.into(),
            "features" => "peers;pipelining;replicas;replicas-all;replicas-master;batch-index;float;geo;cdt-list;cdt-map;pscans;query-show;truncate-namespace;udf".into(),
            "peers-clear-std" | "peers-clear-alt" | "peers-tls-std" | "peers-tls-alt" => {
                let others: Vec<String> =
                    self.nodes.iter().filter(|n| n.port != port).map(|n| format!("[{},,[127.0.0.1:{}]]", n.name, n.port)).collect();
                format!("1,{port},[{}]", others.join(","))
            }
            "service-clear-std" | "service-clear-alt" | "service" => format!("127.0.0.1:{port}"),
            "services" | "services-alumni" | "services-alternate" => String::new(),
            // One namespace: no trailing ";" (aerospike-py's parser splits on it).
            "replicas" => format!("{ns}:0,1,{}", mine()),
            "replicas-all" => format!("{ns}:1,{}", mine()),
            "replicas-master" => format!("{ns}:{}", mine()),
            "rack-ids" => format!("{ns}:0"),
            "stub-delay" => self.set(args, |s, v| s.delay = v),
            "stub-cpu" => self.set(args, |s, v| s.cpu = v),
            "stub-found" => self.set_found(args),
            "stub-record" => self.set_record(args),
            "stub-stats" => self.stats(),
            "stub-nodes" => self.node_counts(),
            _ => String::new(),
        }
    }

    /// `stub-delay:us=1500`: set a duration; answers the value now in force.
    fn set(&self, args: &str, f: impl FnOnce(&mut Settings, Duration)) -> String {
        let Some(us) = args.strip_prefix("us=").and_then(|v| v.parse::<f64>().ok()).filter(|v| v.is_finite() && *v >= 0.0 && *v <= 60e6) else {
            return "error: expected us=<microseconds between 0 and 60000000>".into();
        };
        let mut s = self.settings.lock().expect("settings lock");
        f(&mut s, Duration::from_nanos((us * 1e3) as u64));
        format!("ok us={us}")
    }

    /// `stub-found:ratio=0.5`: the share of unwritten keys a read finds.
    fn set_found(&self, args: &str) -> String {
        let Some(r) = args.strip_prefix("ratio=").and_then(|v| v.parse::<f64>().ok()).filter(|v| (0.0..=1.0).contains(v)) else {
            return "error: expected ratio=<a number from 0 to 1>".into();
        };
        self.settings.lock().expect("settings lock").found_ratio = r;
        format!("ok ratio={r}")
    }

    /// `stub-record:bytes=64`: the payload of a made-up record.
    fn set_record(&self, args: &str) -> String {
        let Some(b) = args.strip_prefix("bytes=").and_then(|v| v.parse::<usize>().ok()).filter(|v| *v <= 1 << 16) else {
            return "error: expected bytes=<a whole number from 0 to 65536>".into();
        };
        self.settings.lock().expect("settings lock").record_bytes = b;
        format!("ok bytes={b}")
    }

    /// Applied waits since the last call, then reset: count, mean, p50, p99, max in µs.
    pub fn stats(&self) -> String {
        let mut v = std::mem::take(&mut *self.applied.lock().expect("applied lock"));
        if v.is_empty() {
            return "count=0".into();
        }
        v.sort_unstable();
        let us = |ns: u64| ns as f64 / 1e3;
        let mean = v.iter().sum::<u64>() as f64 / v.len() as f64 / 1e3;
        let q = |p: f64| us(v[((v.len() as f64 * p) as usize).min(v.len() - 1)]);
        format!("count={},mean_us={mean:.1},p50_us={:.1},p99_us={:.1},max_us={:.1}", v.len(), q(0.5), q(0.99), us(v[v.len() - 1]))
    }

    /// Each node's requests since the last call, then reset: `NAME:batches=B,reads=R,keys=K,found=F;…`.
    pub(crate) fn node_counts(&self) -> String {
        let counts = std::mem::replace(&mut *self.counts.lock().expect("counts lock"), vec![Counts::default(); self.nodes.len()]);
        let rows: Vec<String> = self
            .nodes
            .iter()
            .zip(counts)
            .map(|(n, c)| format!("{}:batches={},reads={},keys={},found={}", n.name, c.batches, c.reads, c.keys, c.found))
            .collect();
        rows.join(";")
    }

    fn count(&self, node: usize, f: impl FnOnce(&mut Counts)) {
        if let Some(c) = self.counts.lock().expect("counts lock").get_mut(node) {
            f(c);
        }
    }

    fn info_reply(&self, node: usize, body: &[u8]) -> Vec<u8> {
        let text = String::from_utf8_lossy(body);
        let mut out = String::new();
        for cmd in text.split('\n').map(str::trim).filter(|c| !c.is_empty()) {
            let value = self.info(node, cmd);
            if std::env::var_os("AEROSTUB_LOG").is_some() {
                eprintln!("{} info {cmd:?} -> {:?}", self.nodes[node].name, value.chars().take(60).collect::<String>());
            }
            out.push_str(cmd);
            out.push('\t');
            out.push_str(&value);
            out.push('\n');
        }
        proto::frame(proto::TYPE_INFO, out.as_bytes())
    }

    /// A key's record: the stored one, else a made-up one for the found share of keys.
    fn lookup(&self, digest: &[u8; 20], s: &Settings) -> Option<proto::Record> {
        if let Some(r) = self.store.lock().expect("store lock").get(digest) {
            return Some(r.clone());
        }
        (proto::digest_fraction(digest) < s.found_ratio).then(|| proto::Record { generation: 1, bins: proto::synthetic_bins(s.record_bytes) })
    }

    /// A single-record request: the store's answer, or a made-up record for a read of an unwritten key in the found share.
    fn single(&self, node: usize, req: &proto::Request, s: &Settings) -> Vec<u8> {
        self.count(node, |c| c.reads += 1);
        let unwritten_read = req.info1 & proto::INFO1_READ != 0
            && req.info2 & (proto::INFO2_WRITE | proto::INFO2_DELETE) == 0
            && req.namespace.as_deref() == Some(proto::NAMESPACE)
            && req.digest.is_some_and(|d| !self.store.lock().expect("store lock").contains_key(&d));
        if unwritten_read {
            let digest = req.digest.expect("checked above");
            if let Some(rec) = self.lookup(&digest, s) {
                self.count(node, |c| c.found += 1);
                let bins = if req.info1 & proto::INFO1_NOBINDATA != 0 { Vec::new() } else { rec.bins };
                return proto::reply(proto::OK, rec.generation, &bins);
            }
        }
        proto::execute(&mut self.store.lock().expect("store lock"), req)
    }

    /// One node's part of a batch: a record per key (found with its bins, or
    /// not found), in one message, then the LAST record in one of its own.
    fn batch(&self, node: usize, field: &[u8], s: &Settings) -> Vec<u8> {
        let keys = match proto::decode_batch(field) {
            Ok(k) => k,
            Err(e) => {
                eprintln!("aerostub: {e}");
                return proto::batch_last(proto::PARAMETER_ERROR);
            }
        };
        let mut body = Vec::with_capacity(keys.len() * (proto::MSG_HEADER + 16 + s.record_bytes));
        let mut found = 0u64;
        for k in &keys {
            if k.namespace.as_deref().is_some_and(|ns| ns != proto::NAMESPACE) {
                proto::batch_record(&mut body, proto::NAMESPACE_NOT_FOUND, 0, k.index, &[]);
                continue;
            }
            match self.lookup(&k.digest, s) {
                Some(rec) => {
                    found += 1;
                    let bins = if k.info1 & proto::INFO1_NOBINDATA != 0 { &[][..] } else { &rec.bins[..] };
                    proto::batch_record(&mut body, proto::OK, rec.generation, k.index, bins);
                }
                None => proto::batch_record(&mut body, proto::KEY_NOT_FOUND, 0, k.index, &[]),
            }
        }
        self.count(node, |c| {
            c.batches += 1;
            c.keys += keys.len() as u64;
            c.found += found;
        });
        let mut out = if body.is_empty() { Vec::new() } else { proto::frame(proto::TYPE_MSG, &body) };
        out.extend_from_slice(&proto::batch_last(proto::OK));
        out
    }
}

/// Serve one connection to node `node` until the client closes it.
pub async fn connection(stub: Arc<Stub>, node: usize, mut sock: TcpStream) -> std::io::Result<()> {
    sock.set_nodelay(true)?;
    let mut head = [0u8; 8];
    let mut body = Vec::new();
    loop {
        if sock.read_exact(&mut head).await.is_err() {
            return Ok(()); // closed
        }
        let (kind, len) = match proto::header(&head) {
            Ok(h) => h,
            Err(_) => return Ok(()), // not our protocol: drop the connection
        };
        body.resize(len as usize, 0);
        sock.read_exact(&mut body).await?;
        let arrived = Instant::now();
        let out = match kind {
            proto::TYPE_INFO => stub.info_reply(node, &body),
            proto::TYPE_MSG => {
                let s = *stub.settings.lock().expect("settings lock");
                if !s.cpu.is_zero() {
                    while arrived.elapsed() < s.cpu {
                        std::hint::spin_loop();
                    }
                }
                let reply = match proto::batch_field(&body) {
                    Ok(Some(field)) => stub.batch(node, field, &s),
                    Ok(None) => match proto::decode(&body) {
                        Ok(req) => stub.single(node, &req, &s),
                        Err(_) => proto::reply(proto::PARAMETER_ERROR, 0, &[]),
                    },
                    Err(_) => proto::batch_last(proto::PARAMETER_ERROR),
                };
                if !s.delay.is_zero() {
                    stub.timer.wait_until(arrived + s.delay).await;
                }
                let applied = arrived.elapsed();
                let mut a = stub.applied.lock().expect("applied lock");
                if a.len() < 2_000_000 {
                    a.push(applied.as_nanos() as u64);
                }
                reply
            }
            _ => return Ok(()),
        };
        sock.write_all(&out).await?;
    }
}

/// Bind 127.0.0.1:`port` (0: any free port) and return the listener and its port.
pub async fn bind(port: u16) -> std::io::Result<(TcpListener, u16)> {
    let l = TcpListener::bind(("127.0.0.1", port)).await?;
    let port = l.local_addr()?.port();
    Ok((l, port))
}

/// Accept connections to node `node` forever.
pub async fn serve(stub: Arc<Stub>, node: usize, listener: TcpListener) -> std::io::Result<()> {
    loop {
        let (sock, _) = listener.accept().await?;
        tokio::spawn(connection(stub.clone(), node, sock));
    }
}
