//! One HTTP/1.1 exchange on a keep-alive connection: the request's bytes out, a response with a Content-Length in.

use std::io;

use tokio::io::{AsyncRead, AsyncReadExt};

/// What the generator keeps of a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    /// The server asked to close the connection (`Connection: close`).
    pub close: bool,
}

/// The error's words when the server closed the connection before any byte of a response.
pub(crate) const CLOSED: &str = "the server closed the connection";

/// The most header bytes a response may have: the lab's server sends a few hundred.
const MAX_HEAD: usize = 16 * 1024;

/// Read one response from `r`: the head, then exactly its Content-Length
/// of body. `buf` is scratch space kept between calls (it may hold bytes of
/// no later response: the generator sends one request at a time per connection).
pub async fn read_response<R: AsyncRead + Unpin>(r: &mut R, buf: &mut Vec<u8>) -> io::Result<Response> {
    buf.clear();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(p) = find(buf, b"\r\n\r\n") {
            break p + 4;
        }
        if buf.len() > MAX_HEAD {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "a response head over 16 KiB"));
        }
        let n = r.read(&mut chunk).await?;
        if n == 0 {
            let what = if buf.is_empty() { CLOSED } else { "the server closed the connection mid-head" };
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, what));
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = std::str::from_utf8(&buf[..head_end]).map_err(|_| bad("a response head that is not text"))?;
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.strip_prefix("HTTP/1.1 ").or_else(|| l.strip_prefix("HTTP/1.0 ")))
        .and_then(|l| l.get(..3))
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or_else(|| bad("a response without an HTTP/1.x status line"))?;
    let (mut length, mut close) = (None, false);
    for line in lines {
        if let Some((name, value)) = line.split_once(':') {
            let value = value.trim();
            if name.eq_ignore_ascii_case("content-length") {
                length = Some(value.parse::<usize>().map_err(|_| bad("a Content-Length that is not a number"))?);
            } else if name.eq_ignore_ascii_case("connection") && value.eq_ignore_ascii_case("close") {
                close = true;
            } else if name.eq_ignore_ascii_case("transfer-encoding") {
                return Err(bad("a chunked response: the lab's endpoints send a Content-Length"));
            }
        }
    }
    let length = length.ok_or_else(|| bad("a response without a Content-Length"))?;
    let mut have = buf.len() - head_end;
    while have < length {
        let n = r.read(&mut chunk).await?;
        if n == 0 {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "the server closed the connection mid-body"));
        }
        have += n;
    }
    Ok(Response { status, close })
}

fn bad(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.to_string())
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}
