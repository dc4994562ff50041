//! `aerostub [--port P] [--delay-us D] [--cpu-us C]`: serve a stub Aerospike node on 127.0.0.1 and print its address.

use std::io::Write;
use std::time::Duration;

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let get = |name: &str| -> Result<f64, String> {
        match args.iter().position(|a| a == name) {
            None => Ok(0.0),
            Some(i) => args
                .get(i + 1)
                .and_then(|v| v.parse::<f64>().ok())
                .filter(|v| v.is_finite() && *v >= 0.0 && *v <= 60e6)
                .ok_or_else(|| format!("{name} takes a number between 0 and 60000000")),
        }
    };
    let parsed = (|| Ok::<_, String>((get("--port")?, get("--delay-us")?, get("--cpu-us")?)))();
    let (port, delay, cpu) = match parsed {
        Ok(v) if v.0 <= 65_535.0 => v,
        Ok(_) => {
            eprintln!("aerostub: --port must be at most 65535");
            return std::process::ExitCode::from(2);
        }
        Err(e) => {
            eprintln!("aerostub: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    // Two workers: info requests from the clients' cluster tending are
    // answered promptly even when thousands of record requests are pending.
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("a tokio runtime");
    let result: std::io::Result<()> = rt.block_on(async move {
        let (listener, port) = aerostub::bind(port as u16).await?;
        let stub = aerostub::Stub::new(port, Duration::from_nanos((delay * 1e3) as u64), Duration::from_nanos((cpu * 1e3) as u64));
        println!("listening 127.0.0.1:{port}");
        std::io::stdout().flush()?;
        aerostub::serve(stub, listener).await
    });
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("aerostub: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
