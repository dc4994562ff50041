//! The stub against the protocol: info answers, put/get/exists/delete with their result codes, the injected wait, and a cluster's nodes, partitions and batch reads.

use std::time::{Duration, Instant};

use aerostub::proto::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn start(delay_us: u64) -> u16 {
    start_cluster(1, delay_us).await[0]
}

/// A stub cluster of `m` nodes: their ports.
async fn start_cluster(m: usize, delay_us: u64) -> Vec<u16> {
    let mut listeners = Vec::new();
    for _ in 0..m {
        listeners.push(aerostub::bind(0).await.unwrap());
    }
    let ports: Vec<u16> = listeners.iter().map(|(_, p)| *p).collect();
    let stub = aerostub::Stub::new(&ports, Duration::from_micros(delay_us), Duration::ZERO);
    for (node, (listener, _)) in listeners.into_iter().enumerate() {
        tokio::spawn(aerostub::serve(stub.clone(), node, listener));
    }
    ports
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

/// A batch request as the clients send one: `info1` BATCH, one batch field
/// (count, flags, then per key its index, digest and a row: full for the
/// first, repeated for the rest when `repeat`).
fn batch_msg(keys: &[(u32, [u8; 20])], read_attr: u8, repeat: bool) -> Vec<u8> {
    let mut field = Vec::new();
    field.extend_from_slice(&(keys.len() as u32).to_be_bytes());
    field.push(0x0D);
    for (i, (index, digest)) in keys.iter().enumerate() {
        field.extend_from_slice(&index.to_be_bytes());
        field.extend_from_slice(digest);
        if repeat && i > 0 {
            field.push(0x01);
            continue;
        }
        field.extend_from_slice(&[0x0A, read_attr, 0, 0]);
        field.extend_from_slice(&0u32.to_be_bytes());
        field.extend_from_slice(&2u16.to_be_bytes());
        field.extend_from_slice(&0u16.to_be_bytes());
        for (kind, data) in [(FIELD_NAMESPACE, b"test".as_slice()), (FIELD_SET, b"demo".as_slice())] {
            field.extend_from_slice(&((data.len() + 1) as u32).to_be_bytes());
            field.push(kind);
            field.extend_from_slice(data);
        }
    }
    let mut b = vec![0u8; MSG_HEADER];
    b[0] = MSG_HEADER as u8;
    b[1] = INFO1_BATCH;
    b[18..20].copy_from_slice(&1u16.to_be_bytes());
    b.extend_from_slice(&((field.len() + 1) as u32).to_be_bytes());
    b.push(FIELD_BATCH_INDEX);
    b.extend_from_slice(&field);
    b
}

/// Every record of a batch reply, until the LAST one: (index, result code, bins).
async fn batch_reply(sock: &mut TcpStream) -> (Vec<(u32, u8, usize)>, u8) {
    let mut out = Vec::new();
    loop {
        let mut head = [0u8; 8];
        sock.read_exact(&mut head).await.unwrap();
        let (k, len) = header(&head).unwrap();
        assert_eq!(k, TYPE_MSG);
        let mut body = vec![0u8; len as usize];
        sock.read_exact(&mut body).await.unwrap();
        let mut at = 0;
        while at < body.len() {
            let h = &body[at..at + MSG_HEADER];
            if h[3] & INFO3_LAST != 0 {
                return (out, h[5]);
            }
            let index = u32::from_be_bytes([h[14], h[15], h[16], h[17]]);
            let (fields, ops) = (u16::from_be_bytes([h[18], h[19]]), u16::from_be_bytes([h[20], h[21]]) as usize);
            assert_eq!(fields, 0, "a batch record carries no fields (aerospike-py's core rejects unknown ones)");
            at += MSG_HEADER;
            for _ in 0..ops {
                at += 4 + u32::from_be_bytes([body[at], body[at + 1], body[at + 2], body[at + 3]]) as usize;
            }
            out.push((index, h[5], ops));
        }
    }
}

/// A digest that lands in partition `p` (its first two bytes, little-endian) with found-fraction `f` (bytes 4-7).
fn digest_in(p: u16, f: f64) -> [u8; 20] {
    let mut d = [0u8; 20];
    d[..2].copy_from_slice(&p.to_le_bytes());
    d[4..8].copy_from_slice(&((f * 4_294_967_295.0) as u32).to_be_bytes());
    d
}

fn decode_bitmap(b64: &str) -> Vec<u8> {
    let a = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let vals: Vec<u32> = b64.bytes().filter(|&c| c != b'=').map(|c| a.iter().position(|&x| x == c).unwrap() as u32).collect();
    let mut out = Vec::new();
    for c in vals.chunks(4) {
        let n = c.iter().enumerate().fold(0u32, |n, (i, v)| n | v << (18 - 6 * i));
        out.extend_from_slice(&n.to_be_bytes()[1..1 + c.len() - 1]);
    }
    out
}

#[tokio::test(flavor = "current_thread")]
async fn a_cluster_names_its_peers_and_deals_out_every_partition_once() {
    let ports = start_cluster(4, 0).await;
    let mut owner = vec![None; 4096];
    let mut names = Vec::new();
    for (i, &port) in ports.iter().enumerate() {
        let mut s = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        let got = info(&mut s, &["node", "peers-clear-std", "service-clear-std", "replicas"]).await;
        names.push(got[0].1.clone());
        // The peers: every other node, by name and address, none of them itself.
        let peers = &got[1].1;
        assert!(peers.starts_with(&format!("1,{port},[[")), "{peers}");
        for (j, &other) in ports.iter().enumerate() {
            assert_eq!(peers.contains(&format!("127.0.0.1:{other}]")), i != j, "{peers}");
        }
        assert_eq!(got[2].1, format!("127.0.0.1:{port}"));
        let bitmap = got[3].1.rsplit(',').next().unwrap();
        assert_eq!(bitmap.len(), 684, "512 bytes of base64");
        let bits = decode_bitmap(bitmap);
        assert_eq!(bits.len(), 512);
        for (p, slot) in owner.iter_mut().enumerate() {
            if bits[p >> 3] & (0x80 >> (p & 7)) != 0 {
                assert!(slot.is_none(), "partition {p} owned twice");
                *slot = Some(i);
            }
        }
    }
    assert!(owner.iter().all(Option::is_some), "every partition has an owner");
    assert_eq!(owner.iter().filter(|o| **o == Some(1)).count(), 1024, "an even share");
    names.sort();
    names.dedup();
    assert_eq!(names.len(), 4, "distinct node names");
    assert_eq!(decode_bitmap(&aerostub::all_partitions()), vec![0xFF; 512]);
}

#[tokio::test(flavor = "current_thread")]
async fn a_batch_answers_every_key_by_its_index_then_last_and_counts_per_node() {
    let ports = start_cluster(2, 0).await;
    let mut s = TcpStream::connect(("127.0.0.1", ports[1])).await.unwrap();
    assert_eq!(info(&mut s, &["stub-found:ratio=0.5"]).await[0].1, "ok ratio=0.5");
    assert!(info(&mut s, &["stub-found:ratio=2"]).await[0].1.starts_with("error"));
    assert_eq!(info(&mut s, &["stub-record:bytes=100"]).await[0].1, "ok bytes=100");
    // Six keys, found-fractions either side of the ratio; the indexes are the client's own, echoed back.
    let keys: Vec<(u32, [u8; 20])> = (0..6u32).map(|i| (10 + 3 * i, digest_in(i as u16, if i % 2 == 0 { 0.1 } else { 0.9 }))).collect();
    for repeat in [false, true] {
        s.write_all(&frame(TYPE_MSG, &batch_msg(&keys, INFO1_READ | INFO1_GET_ALL, repeat))).await.unwrap();
        let (records, last) = batch_reply(&mut s).await;
        assert_eq!(last, OK);
        let want: Vec<(u32, u8, usize)> = keys
            .iter()
            .enumerate()
            .map(|(i, (index, _))| (*index, if i % 2 == 0 { OK } else { KEY_NOT_FOUND }, if i % 2 == 0 { 3 } else { 0 }))
            .collect();
        assert_eq!(records, want, "repeat rows: {repeat}");
    }
    // Exists: found, no bins.
    s.write_all(&frame(TYPE_MSG, &batch_msg(&keys[..1], INFO1_READ | INFO1_NOBINDATA, false))).await.unwrap();
    assert_eq!(batch_reply(&mut s).await.0, vec![(10, OK, 0)]);
    // A single read of an unwritten key in the found share finds the made-up record too.
    let (code, bins) = result(&roundtrip(&mut s, TYPE_MSG, &msg(INFO1_READ | INFO1_GET_ALL, 0, "test", digest_in(0, 0.1), &[])).await.1);
    assert_eq!((code, bins.len(), bins[2].1.len()), (OK, 3, 100));
    let counts = info(&mut s, &["stub-nodes"]).await[0].1.clone();
    assert_eq!(
        counts,
        format!("{}:batches=0,reads=0,keys=0,found=0;{}:batches=3,reads=1,keys=13,found=8", aerostub::node_name(0), aerostub::node_name(1))
    );
    assert!(info(&mut s, &["stub-nodes"]).await[0].1.ends_with("batches=0,reads=0,keys=0,found=0"), "read back, the counts start again");
}

#[tokio::test(flavor = "current_thread")]
async fn a_batch_over_the_limit_is_refused_with_the_limit_named() {
    let e = decode_batch(&{
        let mut f = (MAX_BATCH_KEYS + 1).to_be_bytes().to_vec();
        f.push(0);
        f
    })
    .unwrap_err();
    assert!(e.contains(&MAX_BATCH_KEYS.to_string()), "{e}");
    let port = start(0).await;
    let mut s = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let mut big = batch_msg(&[(0, [0; 20])], INFO1_READ, false);
    let at = MSG_HEADER + 5;
    big[at..at + 4].copy_from_slice(&(MAX_BATCH_KEYS + 1).to_be_bytes());
    s.write_all(&frame(TYPE_MSG, &big)).await.unwrap();
    assert_eq!(batch_reply(&mut s).await, (vec![], PARAMETER_ERROR));
}

#[test]
fn base64_matches_the_standard_encoding() {
    assert_eq!(base64(b""), "");
    assert_eq!(base64(b"f"), "Zg==");
    assert_eq!(base64(b"fo"), "Zm8=");
    assert_eq!(base64(b"foo"), "Zm9v");
    assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    assert_eq!(partition(&digest_in(4097, 0.0)), 1, "partitions wrap at 4,096");
}
