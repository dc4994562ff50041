//! A stub Aerospike node for the measurement lab: one namespace in memory, the info commands a client's cluster tending asks, and a precise injected I/O wait per request.
//!
//! It listens on 127.0.0.1 only. Every record request is answered after the
//! configured wait, counted from when its last byte arrived, by a dedicated
//! timer thread whose sleeps have 1 ns of timer slack (tokio's own timer
//! rounds to milliseconds). The delays actually applied are kept and can be
//! read back with the `stub-stats` info command.

pub mod proto;
pub mod timer;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the stub is doing now; changed at run time by info commands.
#[derive(Debug, Default)]
pub struct Settings {
    /// Injected wait per record request.
    pub delay: Duration,
    /// CPU burned per record request before the wait (a busy loop).
    pub cpu: Duration,
}

/// Shared state of one stub.
#[derive(Debug)]
pub struct Stub {
    pub port: u16,
    pub settings: Mutex<Settings>,
    pub store: Mutex<proto::Store>,
    /// Applied waits, ns, since the last `stub-stats`.
    pub applied: Mutex<Vec<u64>>,
    pub timer: timer::Timer,
}

/// Node name the stub reports.
pub const NODE: &str = "BB9000000000A01";

/// Base64 of the 4096-partition bitmap with every bit set (512 bytes of 0xFF).
pub fn all_partitions() -> String {
    format!("{}//8=", "////".repeat(170))
}

impl Stub {
    pub fn new(port: u16, delay: Duration, cpu: Duration) -> Arc<Stub> {
        Arc::new(Stub {
            port,
            settings: Mutex::new(Settings { delay, cpu }),
            store: Mutex::new(proto::Store::new()),
            applied: Mutex::new(Vec::new()),
            timer: timer::Timer::start(),
        })
    }

    /// Answer one info command (`name` or `name:args`); unknown ones get an empty value.
    pub fn info(&self, cmd: &str) -> String {
        let port = self.port;
        let (name, args) = cmd.split_once(':').unwrap_or((cmd, ""));
        match name {
            "node" => NODE.into(),
            "build" => "7.0.0.0".into(),
            "edition" => "Aerospike Stub Edition".into(),
            "version" => "Aerospike Stub 7.0.0.0".into(),
            "partition-generation" | "peers-generation" | "rebalance-generation" => "1".into(),
            "partitions" => "4096".into(),
            "cluster-name" => "stub".into(),
            "namespaces" => proto::NAMESPACE.into(),
            "features" => "peers;pipelining;replicas;replicas-all;replicas-master;batch-index;float;geo;cdt-list;cdt-map;pscans;query-show;truncate-namespace;udf".into(),
            "peers-clear-std" | "peers-clear-alt" | "peers-tls-std" | "peers-tls-alt" => format!("1,{port},[]"),
            "service-clear-std" | "service-clear-alt" | "service" => format!("127.0.0.1:{port}"),
            "services" | "services-alumni" | "services-alternate" => String::new(),
            // One namespace: no trailing ";" (aerospike-py's parser splits on it).
            "replicas" => format!("{}:0,1,{}", proto::NAMESPACE, all_partitions()),
            "replicas-all" => format!("{}:1,{}", proto::NAMESPACE, all_partitions()),
            "replicas-master" => format!("{}:{}", proto::NAMESPACE, all_partitions()),
            "rack-ids" => format!("{}:0", proto::NAMESPACE),
            "stub-delay" => self.set(args, |s, v| s.delay = v),
            "stub-cpu" => self.set(args, |s, v| s.cpu = v),
            "stub-stats" => self.stats(),
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

    fn info_reply(&self, body: &[u8]) -> Vec<u8> {
        let text = String::from_utf8_lossy(body);
        let mut out = String::new();
        for cmd in text.split('\n').map(str::trim).filter(|c| !c.is_empty()) {
            let value = self.info(cmd);
            if std::env::var_os("AEROSTUB_LOG").is_some() {
                eprintln!("info {cmd:?} -> {:?}", value.chars().take(60).collect::<String>());
            }
            out.push_str(cmd);
            out.push('\t');
            out.push_str(&value);
            out.push('\n');
        }
        proto::frame(proto::TYPE_INFO, out.as_bytes())
    }
}

/// Serve one connection until the client closes it.
pub async fn connection(stub: Arc<Stub>, mut sock: TcpStream) -> std::io::Result<()> {
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
            proto::TYPE_INFO => stub.info_reply(&body),
            proto::TYPE_MSG => {
                let (delay, cpu) = {
                    let s = stub.settings.lock().expect("settings lock");
                    (s.delay, s.cpu)
                };
                if !cpu.is_zero() {
                    while arrived.elapsed() < cpu {
                        std::hint::spin_loop();
                    }
                }
                let reply = match proto::decode(&body) {
                    Ok(req) => proto::execute(&mut stub.store.lock().expect("store lock"), &req),
                    Err(_) => proto::reply(proto::PARAMETER_ERROR, 0, &[]),
                };
                if !delay.is_zero() {
                    stub.timer.wait_until(arrived + delay).await;
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

/// Accept connections forever.
pub async fn serve(stub: Arc<Stub>, listener: TcpListener) -> std::io::Result<()> {
    loop {
        let (sock, _) = listener.accept().await?;
        tokio::spawn(connection(stub.clone(), sock));
    }
}
