//! The Aerospike wire format the stub speaks: the 8-byte protocol header, info requests, and AS_MSG put/get/exists/delete.

use std::collections::HashMap;

/// Protocol version in every header.
pub const VERSION: u8 = 2;
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
pub const MAX_BODY: u64 = 1 << 20;

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
pub const NAMESPACE: &str = "test";

/// Records by digest.
pub type Store = HashMap<[u8; 20], Record>;

/// Apply one request to the store and encode the reply.
pub fn execute(store: &mut Store, r: &Request) -> Vec<u8> {
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
