//! The stub against the protocol: info answers, put/get/exists/delete with their result codes, and the injected wait.

use std::time::{Duration, Instant};

use aerostub::proto::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn start(delay_us: u64) -> u16 {
    let (listener, port) = aerostub::bind(0).await.unwrap();
    let stub = aerostub::Stub::new(port, Duration::from_micros(delay_us), Duration::ZERO);
    tokio::spawn(aerostub::serve(stub, listener));
    port
}

async fn roundtrip(sock: &mut TcpStream, kind: u8, body: &[u8]) -> (u8, Vec<u8>) {
    sock.write_all(&frame(kind, body)).await.unwrap();
    let mut head = [0u8; 8];
    sock.read_exact(&mut head).await.unwrap();
    let (k, len) = header(&head).unwrap();
    let mut out = vec![0u8; len as usize];
    sock.read_exact(&mut out).await.unwrap();
    (k, out)
}

async fn info(sock: &mut TcpStream, cmds: &[&str]) -> Vec<(String, String)> {
    let body: String = cmds.iter().map(|c| format!("{c}\n")).collect();
    let (k, out) = roundtrip(sock, TYPE_INFO, body.as_bytes()).await;
    assert_eq!(k, TYPE_INFO);
    String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| {
            let (a, b) = l.split_once('\t').unwrap();
            (a.to_string(), b.to_string())
        })
        .collect()
}

/// A request as a client would send it: namespace, set and digest fields, then ops.
fn msg(info1: u8, info2: u8, ns: &str, digest: [u8; 20], ops: &[(u8, &str, u8, &[u8])]) -> Vec<u8> {
    let mut b = vec![0u8; MSG_HEADER];
    b[0] = MSG_HEADER as u8;
    b[1] = info1;
    b[2] = info2;
    b[18..20].copy_from_slice(&3u16.to_be_bytes());
    b[20..22].copy_from_slice(&(ops.len() as u16).to_be_bytes());
    for (kind, data) in [(FIELD_NAMESPACE, ns.as_bytes()), (FIELD_SET, b"demo".as_slice()), (FIELD_DIGEST, digest.as_slice())] {
        b.extend_from_slice(&((data.len() + 1) as u32).to_be_bytes());
        b.push(kind);
        b.extend_from_slice(data);
    }
    for (op, name, particle, value) in ops {
        b.extend_from_slice(&((4 + name.len() + value.len()) as u32).to_be_bytes());
        b.extend_from_slice(&[*op, *particle, 0, name.len() as u8]);
        b.extend_from_slice(name.as_bytes());
        b.extend_from_slice(value);
    }
    b
}

/// Result code and bins of a reply body.
fn result(body: &[u8]) -> (u8, Vec<(String, Vec<u8>)>) {
    let r = decode(body).unwrap();
    (body[5], r.ops.into_iter().map(|(_, b)| (String::from_utf8(b.name).unwrap(), b.value)).collect())
}

#[tokio::test(flavor = "current_thread")]
async fn info_answers_exactly_the_commands_asked() {
    let port = start(0).await;
    let mut s = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let got = info(&mut s, &["node", "partition-generation", "peers-clear-std", "service-clear-std", "replicas", "no-such-command"]).await;
    let names: Vec<&str> = got.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(names, ["node", "partition-generation", "peers-clear-std", "service-clear-std", "replicas", "no-such-command"]);
    assert_eq!(got[0].1, aerostub::NODE);
    assert_eq!(got[2].1, format!("1,{port},[]"));
    assert_eq!(got[3].1, format!("127.0.0.1:{port}"));
    // namespace:regime,replica count,bitmap of all 4096 partitions
    let (ns, rest) = got[4].1.split_once(':').unwrap();
    let parts: Vec<&str> = rest.split(',').collect();
    assert_eq!((ns, parts[0], parts[1]), ("test", "0", "1"));
    assert_eq!(parts[2].len(), 684, "512 bytes of base64");
    assert_eq!(got[5].1, "");
}

#[tokio::test(flavor = "current_thread")]
async fn put_get_exists_delete_and_their_result_codes() {
    let port = start(0).await;
    let mut s = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let d = [7u8; 20];
    let put = msg(0, INFO2_WRITE, "test", d, &[(OP_WRITE, "a", 1, &5i64.to_be_bytes()), (OP_WRITE, "s", 3, b"hi")]);
    assert_eq!(result(&roundtrip(&mut s, TYPE_MSG, &put).await.1).0, OK);
    let (code, bins) = result(&roundtrip(&mut s, TYPE_MSG, &msg(INFO1_READ | INFO1_GET_ALL, 0, "test", d, &[])).await.1);
    assert_eq!(code, OK);
    assert_eq!(bins, vec![("a".into(), 5i64.to_be_bytes().to_vec()), ("s".into(), b"hi".to_vec())]);
    // Named bins only.
    let (_, bins) = result(&roundtrip(&mut s, TYPE_MSG, &msg(INFO1_READ, 0, "test", d, &[(OP_READ, "s", 0, b"")])).await.1);
    assert_eq!(bins, vec![("s".into(), b"hi".to_vec())]);
    // Exists: no bins.
    let (code, bins) = result(&roundtrip(&mut s, TYPE_MSG, &msg(INFO1_READ | INFO1_NOBINDATA, 0, "test", d, &[])).await.1);
    assert_eq!((code, bins.len()), (OK, 0));
    let del = msg(0, INFO2_WRITE | INFO2_DELETE, "test", d, &[]);
    assert_eq!(result(&roundtrip(&mut s, TYPE_MSG, &del).await.1).0, OK);
    assert_eq!(result(&roundtrip(&mut s, TYPE_MSG, &del).await.1).0, KEY_NOT_FOUND);
    assert_eq!(result(&roundtrip(&mut s, TYPE_MSG, &msg(INFO1_READ | INFO1_GET_ALL, 0, "test", d, &[])).await.1).0, KEY_NOT_FOUND);
    assert_eq!(result(&roundtrip(&mut s, TYPE_MSG, &msg(INFO1_READ, 0, "other", d, &[])).await.1).0, NAMESPACE_NOT_FOUND);
    // No digest: a parameter error, and the connection stays usable.
    let mut bad = msg(INFO1_READ, 0, "test", d, &[]);
    bad[18..20].copy_from_slice(&1u16.to_be_bytes());
    bad.truncate(MSG_HEADER + 4 + 1 + 4);
    assert_eq!(result(&roundtrip(&mut s, TYPE_MSG, &bad).await.1).0, PARAMETER_ERROR);
    assert_eq!(info(&mut s, &["node"]).await[0].1, aerostub::NODE);
}

#[tokio::test(flavor = "current_thread")]
async fn the_injected_wait_is_applied_never_early_and_can_be_read_back() {
    let port = start(0).await;
    let mut s = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    assert_eq!(info(&mut s, &["stub-delay:us=2000"]).await[0].1, "ok us=2000");
    assert!(info(&mut s, &["stub-delay:us=-5"]).await[0].1.starts_with("error"));
    let get = msg(INFO1_READ | INFO1_GET_ALL, 0, "test", [1u8; 20], &[]);
    let mut rtts = Vec::new();
    for _ in 0..50 {
        let t = Instant::now();
        roundtrip(&mut s, TYPE_MSG, &get).await;
        rtts.push(t.elapsed());
    }
    assert!(rtts.iter().all(|d| *d >= Duration::from_micros(2000)), "a reply came early: {rtts:?}");
    let stats = info(&mut s, &["stub-stats"]).await[0].1.clone();
    let field = |k: &str| -> f64 { stats.split(',').find_map(|p| p.strip_prefix(&format!("{k}="))).unwrap().parse().unwrap() };
    assert_eq!(field("count"), 50.0, "{stats}");
    assert!(field("p50_us") >= 2000.0 && field("max_us") >= field("p50_us"), "{stats}");
    // Read back, the counters start again.
    assert_eq!(info(&mut s, &["stub-stats"]).await[0].1, "count=0");
}
