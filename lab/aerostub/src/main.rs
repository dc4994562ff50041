//! `aerostub [--port P] [--nodes M] [--delay-us D] [--cpu-us C]`: serve a stub Aerospike cluster of M nodes on 127.0.0.1 and print their addresses.

use std::io::Write;
use std::time::Duration;

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let get = |name: &str, default: f64, max: f64| -> Result<f64, String> {
        match args.iter().position(|a| a == name) {
            None => Ok(default),
            Some(i) => args
                .get(i + 1)
                .and_then(|v| v.parse::<f64>().ok())
                .filter(|v| v.is_finite() && *v >= 0.0 && *v <= max)
                .ok_or_else(|| format!("{name} takes a number between 0 and {max}")),
        }
    };
    let parsed = (|| {
        Ok::<_, String>((
            get("--port", 0.0, 65_535.0)?,
            get("--nodes", 1.0, aerostub::MAX_NODES as f64)?,
            get("--delay-us", 0.0, 60e6)?,
            get("--cpu-us", 0.0, 60e6)?,
        ))
    })();
    let (port, nodes, delay, cpu) = match parsed {
        Ok((_, n, ..)) if n < 1.0 || n.fract() != 0.0 => {
            eprintln!("aerostub: --nodes takes a whole number from 1 to {}", aerostub::MAX_NODES);
            return std::process::ExitCode::from(2);
        }
        Ok(v) if v.0 != 0.0 && v.0 + v.1 - 1.0 > 65_535.0 => {
            eprintln!("aerostub: --port {} leaves no room for {} nodes (each takes the next port)", v.0, v.1);
            return std::process::ExitCode::from(2);
        }
        Ok(v) => v,
        Err(e) => {
            eprintln!("aerostub: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    // Two workers: info requests from the clients' cluster tending are
    // answered promptly even when thousands of record requests are pending.
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("a tokio runtime");
    let result: std::io::Result<()> = rt.block_on(async move {
        let mut listeners = Vec::new();
        for i in 0..nodes as u16 {
            // With --port P, node i listens on P + i; with 0, on any free port.
            listeners.push(aerostub::bind(if port == 0.0 { 0 } else { port as u16 + i }).await?);
        }
        let ports: Vec<u16> = listeners.iter().map(|(_, p)| *p).collect();
        let stub = aerostub::Stub::new(&ports, Duration::from_nanos((delay * 1e3) as u64), Duration::from_nanos((cpu * 1e3) as u64));
        let addrs: Vec<String> = ports.iter().map(|p| format!("127.0.0.1:{p}")).collect();
        println!("listening {}", addrs.join(" "));
        std::io::stdout().flush()?;
        let mut tasks = Vec::new();
        for (node, (listener, _)) in listeners.into_iter().enumerate() {
            tasks.push(tokio::spawn(aerostub::serve(stub.clone(), node, listener)));
        }
        for t in tasks {
            t.await.map_err(std::io::Error::other)??;
        }
        Ok(())
    });
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("aerostub: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
