//! The Aerospike wire format the stub speaks: the 8-byte protocol header, info requests, and AS_MSG put/get/exists/delete.

use std::collections::HashMap;

/// Protocol version in every header.
pub(crate) const VERSION: u8 = 2;
pub const TYPE_INFO: u8 = 1;
pub const TYPE_MSG: u8 = 3;
/// Size of the AS_MSG header that follows the protocol header.
pub const MSG_HEADER: usize = 22;

// info1
pub const INFO1_READ: u8 = 1;
pub const INFO1_GET_ALL: u8 = 2;
pub const INFO1_NOBINDATA: u8 = 32;
// info2
pub const INFO2_WRITE: u8 = 1;
pub const INFO2_DELETE: u8 = 2;
// info3
pub const INFO3_LAST: u8 = 1;

pub const FIELD_NAMESPACE: u8 = 0;
pub const FIELD_SET: u8 = 1;
pub const FIELD_DIGEST: u8 = 4;

pub const OP_READ: u8 = 1;
pub const OP_WRITE: u8 = 2;

/// Result codes the stub returns.
pub const OK: u8 = 0;
pub const KEY_NOT_FOUND: u8 = 2;
pub const PARAMETER_ERROR: u8 = 4;
pub const NAMESPACE_NOT_FOUND: u8 = 20;

/// Largest message the stub accepts (1 MiB, far above a single-record request).
pub(crate) const MAX_BODY: u64 = 1 << 20;

/// Parse a protocol header: (type, body length).
pub fn header(h: &[u8; 8]) -> Result<(u8, u64), String> {
    if h[0] != VERSION {
        return Err(format!("protocol version {} (expected {VERSION})", h[0]));
    }
    let len = h[2..8].iter().fold(0u64, |a, &b| (a << 8) | b as u64);
    if len > MAX_BODY {
        return Err(format!("message of {len} bytes is over the stub's limit"));
    }
    Ok((h[1], len))
}

/// Frame a body with its protocol header.
pub fn frame(kind: u8, body: &[u8]) -> Vec<u8> {
    let len = body.len() as u64;
    let mut out = Vec::with_capacity(8 + body.len());
    out.push(VERSION);
    out.push(kind);
    out.extend_from_slice(&len.to_be_bytes()[2..8]);
    out.extend_from_slice(body);
    out
}

/// A bin as stored: name, particle type, value bytes (echoed back as written).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bin {
    pub name: Vec<u8>,
    pub particle: u8,
    pub value: Vec<u8>,
}

/// One decoded AS_MSG request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Request {
    pub info1: u8,
    pub info2: u8,
    pub info3: u8,
    pub namespace: Option<String>,
    pub set: Option<String>,
    pub digest: Option<[u8; 20]>,
    /// (operation, bin)
    pub ops: Vec<(u8, Bin)>,
}

fn be32(b: &[u8]) -> usize {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize
}

/// Decode an AS_MSG body (after the protocol header).
pub fn decode(body: &[u8]) -> Result<Request, String> {
    if body.len() < MSG_HEADER || body[0] as usize != MSG_HEADER {
        return Err("short or malformed message header".into());
    }
    let mut r = Request { info1: body[1], info2: body[2], info3: body[3], ..Request::default() };
    let n_fields = u16::from_be_bytes([body[18], body[19]]) as usize;
    let n_ops = u16::from_be_bytes([body[20], body[21]]) as usize;
    let mut at = MSG_HEADER;
    let take =
        |at: usize, n: usize| -> Result<&[u8], String> { body.get(at..at + n).ok_or_else(|| "message ends inside a field or operation".to_string()) };
    for _ in 0..n_fields {
        let size = be32(take(at, 4)?);
        if size == 0 {
            return Err("a field of size 0".into());
        }
        let kind = take(at + 4, 1)?[0];
        let data = take(at + 5, size - 1)?;
        match kind {
            FIELD_NAMESPACE => r.namespace = Some(String::from_utf8_lossy(data).into_owned()),
            FIELD_SET => r.set = Some(String::from_utf8_lossy(data).into_owned()),
            FIELD_DIGEST if data.len() == 20 => {
                let mut d = [0u8; 20];
                d.copy_from_slice(data);
                r.digest = Some(d);
            }
            _ => {} // user key, filters, transaction ids: not needed by the stub
        }
        at += 4 + size;
    }
    for _ in 0..n_ops {
        let size = be32(take(at, 4)?);
        let head = take(at + 4, 4)?;
        let (op, particle, name_len) = (head[0], head[1], head[3] as usize);
        if size < 4 + name_len {
            return Err("an operation shorter than its bin name".into());
        }
        let name = take(at + 8, name_len)?.to_vec();
        let value = take(at + 8 + name_len, size - 4 - name_len)?.to_vec();
        r.ops.push((op, Bin { name, particle, value }));
        at += 4 + size;
    }
    Ok(r)
}

/// Encode an AS_MSG reply (protocol header included).
pub fn reply(result: u8, generation: u32, bins: &[Bin]) -> Vec<u8> {
    let mut body = vec![0u8; MSG_HEADER];
    body[0] = MSG_HEADER as u8;
    body[3] = INFO3_LAST;
    body[5] = result;
    body[6..10].copy_from_slice(&generation.to_be_bytes());
    body[20..22].copy_from_slice(&(bins.len() as u16).to_be_bytes());
    for b in bins {
        let size = (4 + b.name.len() + b.value.len()) as u32;
        body.extend_from_slice(&size.to_be_bytes());
        body.extend_from_slice(&[OP_READ, b.particle, 0, b.name.len() as u8]);
        body.extend_from_slice(&b.name);
        body.extend_from_slice(&b.value);
    }
    frame(TYPE_MSG, &body)
}

/// A stored record.
#[derive(Debug, Clone, Default)]
pub struct Record {
    pub generation: u32,
    pub bins: Vec<Bin>,
}

/// The single namespace the stub serves.
pub(crate) const NAMESPACE: &str = "test";

/// Records by digest.
pub(crate) type Store = HashMap<[u8; 20], Record>;

/// Apply one request to the store and encode the reply.
pub(crate) fn execute(store: &mut Store, r: &Request) -> Vec<u8> {
    match r.namespace.as_deref() {
        Some(NAMESPACE) => {}
        Some(_) => return reply(NAMESPACE_NOT_FOUND, 0, &[]),
        None => return reply(PARAMETER_ERROR, 0, &[]),
    }
    let Some(digest) = r.digest else {
        return reply(PARAMETER_ERROR, 0, &[]);
    };
    if r.info2 & INFO2_DELETE != 0 {
        return match store.remove(&digest) {
            Some(_) => reply(OK, 0, &[]),
            None => reply(KEY_NOT_FOUND, 0, &[]),
        };
    }
    if r.info2 & INFO2_WRITE != 0 {
        let rec = store.entry(digest).or_default();
        rec.generation += 1;
        for (op, bin) in &r.ops {
            if *op != OP_WRITE {
                continue;
            }
            rec.bins.retain(|b| b.name != bin.name);
            // A nil value deletes the bin.
            if bin.particle != 0 {
                rec.bins.push(bin.clone());
            }
        }
        let generation = rec.generation;
        return reply(OK, generation, &[]);
    }
    if r.info1 & INFO1_READ != 0 {
        let Some(rec) = store.get(&digest) else {
            return reply(KEY_NOT_FOUND, 0, &[]);
        };
        if r.info1 & INFO1_NOBINDATA != 0 {
            return reply(OK, rec.generation, &[]);
        }
        if r.info1 & INFO1_GET_ALL != 0 || r.ops.is_empty() {
            return reply(OK, rec.generation, &rec.bins);
        }
        let wanted: Vec<Bin> =
            r.ops.iter().filter(|(op, _)| *op == OP_READ).filter_map(|(_, b)| rec.bins.iter().find(|x| x.name == b.name).cloned()).collect();
        return reply(OK, rec.generation, &wanted);
    }
    reply(PARAMETER_ERROR, 0, &[])
}

/// info1 bit of a batch-index request (AS_MSG_INFO1_BATCH_INDEX).
pub const INFO1_BATCH: u8 = 8;
/// The batch field: a count, a flags byte, then one row per key.
pub const FIELD_BATCH_INDEX: u8 = 41;
/// The same with a set name per row (the server takes both).
pub(crate) const FIELD_BATCH_INDEX_WITH_SET: u8 = 42;
/// The most keys the stub takes in one batch request.
pub const MAX_BATCH_KEYS: u32 = 5_000;

// A batch row's flags (the server's BATCH_MSG_*).
const ROW_REPEAT: u8 = 0x01;
const ROW_INFO: u8 = 0x02;
const ROW_GENERATION: u8 = 0x04;
const ROW_TTL: u8 = 0x08;
const ROW_INFO4: u8 = 0x10;

/// One key of a batch request: where its answer goes (the index the client
/// sent, echoed back), its digest, and what it asks (read attributes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchKey {
    pub index: u32,
    pub digest: [u8; 20],
    pub info1: u8,
    pub namespace: Option<String>,
}

/// The batch field of a request's fields, if it is a batch request.
pub(crate) fn batch_field(body: &[u8]) -> Result<Option<&[u8]>, String> {
    if body.len() < MSG_HEADER || body[1] & INFO1_BATCH == 0 {
        return Ok(None);
    }
    let n_fields = u16::from_be_bytes([body[18], body[19]]) as usize;
    let mut at = MSG_HEADER;
    for _ in 0..n_fields {
        let size = body.get(at..at + 4).map(be32).ok_or("message ends inside a field")?;
        if size == 0 {
            return Err("a field of size 0".into());
        }
        let kind = *body.get(at + 4).ok_or("message ends inside a field")?;
        let data = body.get(at + 5..at + 4 + size).ok_or("message ends inside a field")?;
        if kind == FIELD_BATCH_INDEX || kind == FIELD_BATCH_INDEX_WITH_SET {
            return Ok(Some(data));
        }
        at += 4 + size;
    }
    Err("a batch request without a batch field".into())
}

/// Decode a batch field: every key with its index and read attributes. A
/// repeated row takes the previous row's; a count over [`MAX_BATCH_KEYS`] is refused.
pub fn decode_batch(field: &[u8]) -> Result<Vec<BatchKey>, String> {
    let take =
        |at: usize, n: usize| -> Result<&[u8], String> { field.get(at..at + n).ok_or_else(|| "the batch field ends inside a row".to_string()) };
    let count = be32(take(0, 4)?) as u32;
    if count > MAX_BATCH_KEYS {
        return Err(format!("a batch of {count} keys is over the stub's limit of {MAX_BATCH_KEYS}"));
    }
    let mut at = 5; // count, then the flags byte (allow inline, respond all keys: the stub answers every key anyway)
    let mut out: Vec<BatchKey> = Vec::with_capacity(count as usize);
    for _ in 0..count {
        let index = be32(take(at, 4)?) as u32;
        let mut digest = [0u8; 20];
        digest.copy_from_slice(take(at + 4, 20)?);
        let flags = take(at + 24, 1)?[0];
        at += 25;
        if flags & ROW_REPEAT != 0 {
            let prev = out.last().ok_or("a batch's first row repeats nothing")?;
            out.push(BatchKey { index, digest, ..prev.clone() });
            continue;
        }
        let mut info1 = INFO1_READ | INFO1_GET_ALL;
        if flags & ROW_INFO != 0 {
            info1 = take(at, 1)?[0];
            at += 3; // read, write and info attributes
        }
        if flags & ROW_GENERATION != 0 {
            at += 4;
        }
        if flags & ROW_TTL != 0 {
            at += 4;
        }
        if flags & ROW_INFO4 != 0 {
            at += 1;
        }
        let n_fields = u16::from_be_bytes([take(at, 1)?[0], take(at + 1, 1)?[0]]) as usize;
        let n_ops = u16::from_be_bytes([take(at + 2, 1)?[0], take(at + 3, 1)?[0]]) as usize;
        at += 4;
        let mut namespace = None;
        for _ in 0..n_fields {
            let size = be32(take(at, 4)?);
            if size == 0 {
                return Err("a batch row's field of size 0".into());
            }
            if take(at + 4, 1)?[0] == FIELD_NAMESPACE {
                namespace = Some(String::from_utf8_lossy(take(at + 5, size - 1)?).into_owned());
            }
            at += 4 + size;
        }
        for _ in 0..n_ops {
            at += 4 + be32(take(at, 4)?);
        }
        out.push(BatchKey { index, digest, info1, namespace });
    }
    Ok(out)
}

/// One record of a batch reply (no protocol header): result, generation, the
/// key's index in `transaction_ttl`, no fields, the bins as read ops.
pub(crate) fn batch_record(out: &mut Vec<u8>, result: u8, generation: u32, index: u32, bins: &[Bin]) {
    let start = out.len();
    out.resize(start + MSG_HEADER, 0);
    let h = &mut out[start..];
    h[0] = MSG_HEADER as u8;
    h[5] = result;
    h[6..10].copy_from_slice(&generation.to_be_bytes());
    h[14..18].copy_from_slice(&index.to_be_bytes());
    h[20..22].copy_from_slice(&(bins.len() as u16).to_be_bytes());
    for b in bins {
        let size = (4 + b.name.len() + b.value.len()) as u32;
        out.extend_from_slice(&size.to_be_bytes());
        out.extend_from_slice(&[OP_READ, b.particle, 0, b.name.len() as u8]);
        out.extend_from_slice(&b.name);
        out.extend_from_slice(&b.value);
    }
}

/// The record that ends a batch reply (`info3` LAST), framed on its own as the server sends it.
pub(crate) fn batch_last(result: u8) -> Vec<u8> {
    let mut body = vec![0u8; MSG_HEADER];
    body[0] = MSG_HEADER as u8;
    body[3] = INFO3_LAST;
    body[5] = result;
    frame(TYPE_MSG, &body)
}

/// The partition of a digest: its first two bytes, little-endian, of 4,096.
pub fn partition(digest: &[u8; 20]) -> u16 {
    u16::from_le_bytes([digest[0], digest[1]]) & 4095
}

/// A number in [0, 1) from a digest's bytes 4–7: whether the stub finds a key it was never given.
pub(crate) fn digest_fraction(digest: &[u8; 20]) -> f64 {
    u32::from_be_bytes([digest[4], digest[5], digest[6], digest[7]]) as f64 / 4_294_967_296.0
}

/// The record the stub makes up for a key it finds without having stored it:
/// the lab's `get` record's shape (a short string, an integer, a payload of `bytes` bytes).
pub(crate) fn synthetic_bins(bytes: usize) -> Vec<Bin> {
    vec![
        Bin { name: b"name".to_vec(), particle: 3, value: b"lab".to_vec() },
        Bin { name: b"count".to_vec(), particle: 1, value: 1i64.to_be_bytes().to_vec() },
        Bin { name: b"payload".to_vec(), particle: 3, value: vec![b'x'; bytes] },
    ]
}

/// Standard base64 with padding (the partition bitmaps of `replicas`).
pub fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for c in bytes.chunks(3) {
        let n = (c[0] as u32) << 16 | (*c.get(1).unwrap_or(&0) as u32) << 8 | *c.get(2).unwrap_or(&0) as u32;
        for i in 0..4 {
            if i <= c.len() {
                out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The 4,096-partition bitmap of node `node` of `nodes`: partition `p` belongs to node `p mod nodes`.
pub(crate) fn ownership(node: usize, nodes: usize) -> String {
    let mut bits = [0u8; 512];
    for p in (0..4096).filter(|p| p % nodes.max(1) == node) {
        bits[p >> 3] |= 0x80 >> (p & 7);
    }
    base64(&bits)
}
