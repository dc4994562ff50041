//! The generator against a small server in the test: responses parsed, every request of an open load answered and timed from its schedule, a closed load's connections kept busy.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A server answering each request after `delay`, one at a time per
/// connection; with `once`, it answers one request per connection and then
/// closes it without saying so (as a keep-alive timeout does to an idle one).
fn serve_with(delay: Duration, once: bool) -> u16 {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async move {
            let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(l.local_addr().unwrap().port()).unwrap();
            loop {
                let (mut s, _) = l.accept().await.unwrap();
                s.set_nodelay(true).unwrap();
                tokio::spawn(async move {
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 1024];
                    loop {
                        while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                            match s.read(&mut chunk).await {
                                Ok(0) | Err(_) => return,
                                Ok(n) => buf.extend_from_slice(&chunk[..n]),
                            }
                        }
                        buf.clear();
                        tokio::time::sleep(delay).await;
                        let body = "{\"n\":1}";
                        // One write: a head and a body sent apart would wait on Nagle's algorithm and the client's delayed ACK.
                        let answer = format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nContent-Length: {}\r\n\r\n{body}", body.len());
                        if s.write_all(answer.as_bytes()).await.is_err() || once {
                            return;
                        }
                    }
                });
            }
        });
    });
    rx.recv().unwrap()
}

fn serve(delay: Duration) -> u16 {
    serve_with(delay, false)
}

#[test]
fn a_poisson_schedule_has_its_rate_and_its_bound() {
    let t = loadgen::poisson(1_000.0, 10.0, 7, usize::MAX);
    assert!((9_700..=10_300).contains(&t.len()), "{} arrivals for 10,000 expected", t.len());
    assert!(t.windows(2).all(|w| w[0] < w[1]) && t.iter().all(|&x| (0.0..10.0).contains(&x)));
    assert_eq!(t, loadgen::poisson(1_000.0, 10.0, 7, usize::MAX), "a seed repeats its schedule");
    assert_eq!(loadgen::poisson(1_000.0, 10.0, 7, 50).len(), 50);
    assert!(loadgen::poisson(0.0, 10.0, 7, 50).is_empty());
}

#[tokio::test]
async fn responses_are_read_by_their_length_and_their_words() {
    let mut r: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc";
    let mut buf = Vec::new();
    assert_eq!(loadgen::read_response(&mut r, &mut buf).await.unwrap(), loadgen::Response { status: 200, close: true });
    let mut r: &[u8] = b"HTTP/1.1 503 Busy\r\ncontent-length: 0\r\n\r\n";
    assert_eq!(loadgen::read_response(&mut r, &mut buf).await.unwrap().status, 503);
    let mut r: &[u8] = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
    let e = loadgen::read_response(&mut r, &mut buf).await.unwrap_err();
    assert!(e.to_string().contains("chunked"), "{e}");
    let mut r: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc";
    let e = loadgen::read_response(&mut r, &mut buf).await.unwrap_err();
    assert!(e.to_string().contains("mid-body"), "{e}");
}

#[test]
fn an_open_load_answers_every_request_and_times_it_from_its_schedule() {
    let port = serve(Duration::from_millis(5));
    let cfg = loadgen::Open { port, path: "/x".into(), rate: 200.0, warmup_s: 0.2, seconds: 1.0, seed: 3, max_conns: 100 };
    let r = loadgen::run_open(&cfg).unwrap();
    assert_eq!((r.errors, r.unfinished), (0, 0), "{:?}", r.first_error);
    assert!(r.sent_all && r.measured > 100 && r.latency_ms.len() == r.measured);
    assert!(r.latency_ms.iter().all(|&l| l >= 5.0), "every latency includes the server's 5 ms");
    let json = r.to_json();
    assert!(json.starts_with("{\"mode\":\"open\"") && json.contains("\"unfinished\":0") && json.contains("\"p99_ms\":"), "{json}");
}

#[test]
fn an_open_load_over_its_connections_charges_the_wait_for_one() {
    // One connection, 20 ms per answer, 100 arrivals/s: requests queue for
    // the connection, and their latency from the schedule grows past 20 ms.
    let port = serve(Duration::from_millis(20));
    let cfg = loadgen::Open { port, path: "/x".into(), rate: 100.0, warmup_s: 0.0, seconds: 0.5, seed: 5, max_conns: 1 };
    let r = loadgen::run_open(&cfg).unwrap();
    assert_eq!(r.errors, 0);
    let most = r.latency_ms.iter().copied().fold(0.0, f64::max);
    assert!(most > 100.0, "the longest wait {most} ms: queued arrivals are charged for the queue");
}

#[test]
fn a_closed_load_keeps_each_connection_busy() {
    let port = serve(Duration::from_millis(10));
    let cfg = loadgen::Closed { port, path: "/x".into(), conns: 4, warmup_s: 0.1, seconds: 1.0 };
    let r = loadgen::run_closed(&cfg).unwrap();
    assert_eq!(r.errors, 0);
    // Four connections at 10 ms or a little more each: at most 400 answers a second.
    assert!(r.achieved_per_s > 200.0 && r.achieved_per_s <= 400.0, "{} answers/s", r.achieved_per_s);
}

#[test]
fn a_connection_the_server_closed_while_idle_is_replaced_not_counted_as_an_error() {
    let port = serve_with(Duration::ZERO, true);
    let cfg = loadgen::Open { port, path: "/x".into(), rate: 100.0, warmup_s: 0.0, seconds: 0.5, seed: 9, max_conns: 1 };
    let r = loadgen::run_open(&cfg).unwrap();
    assert_eq!((r.errors, r.unfinished), (0, 0), "{:?}", r.first_error);
    assert!(r.measured > 20);
}
