//! Model parameters: each one declared once, with unit, range, default and provenance.
//!
//! The defaults are measurements. `lab/asyncio_costs.py` measured the asyncio
//! and thread costs on this project's build machine and its output is kept in
//! `lab/results/asyncio_costs.json`; a test checks that the defaults below
//! still equal what that file says. Client-side costs that need a real client
//! and server are derived from a published aerospike-py benchmark report, as
//! each provenance line says, until the measurement lab recalibrates them.
//!
//! To use your own numbers, measure at concurrency 1 (one request at a time,
//! no other load) and set the per-request costs so that their sum plus your
//! I/O wait equals your measured latency; the GIL-held part is the one that
//! bounds throughput, so if you can also measure throughput at high
//! concurrency on localhost, set the GIL-held costs so that 1 / (their sum)
//! equals it. Pass them as a JSON object to `perfmodel --params FILE.json`;
//! fields you leave out keep their defaults.

use serde::{Deserialize, Serialize};

use crate::error::{check_range, ModelError};

/// What a reader needs to trust one parameter.
#[derive(Debug, Clone, Serialize)]
pub struct ParamInfo {
    pub name: &'static str,
    pub unit: &'static str,
    pub min: f64,
    pub max: f64,
    pub default: f64,
    pub description: &'static str,
    pub provenance: &'static str,
}

macro_rules! params {
    ($( $(#[doc = $doc:literal])* $name:ident : $unit:literal, [$min:expr, $max:expr], $default:expr, $prov:literal; )*) => {
        /// Every tunable cost of the model. Deserialising fills missing fields with defaults.
        #[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
        #[serde(default, deny_unknown_fields)]
        pub struct Params {
            $( $(#[doc = $doc])* pub $name: f64, )*
        }

        impl Default for Params {
            fn default() -> Self {
                Params { $( $name: $default, )* }
            }
        }

        impl Params {
            /// The table of every parameter, in declaration order.
            pub fn describe() -> Vec<ParamInfo> {
                vec![$( ParamInfo {
                    name: stringify!($name),
                    unit: $unit,
                    min: $min,
                    max: $max,
                    default: $default,
                    description: concat!($($doc),*).trim_ascii(),
                    provenance: $prov,
                }, )*]
            }

            /// Every value finite and inside its range, or the first that is not.
            pub fn validate(&self) -> Result<(), ModelError> {
                $( check_range(stringify!($name), self.$name, $min, $max, $unit)?; )*
                Ok(())
            }
        }
    };
}

params! {
    /// GIL-held CPU of one official-client `get` on the calling thread:
    /// Python argument parsing into C, and building the result dict.
    official_gil_us: "µs", [0.1, 10_000.0], 28.9,
        "lab report book/reports/2026-11-26_01-13.json (Linux x86_64, 2 cores, Python 3.11.7, official 19.3.0, aerospike-py 0.14.4, stub server on 127.0.0.1): the official client through run_in_executor peaks at 16,796 get/s (official_executor_64, 0 ms, 256 callers), i.e. 59.5 µs of GIL per request; minus run_in_executor's own cost measured here (executor_noop_c64_us, 30.653791316108226 µs); perfmodel::calibrate";
    /// CPU of one official-client `get` spent with the GIL released
    /// (encoding, send and receive system calls, parsing the reply).
    official_nogil_us: "µs", [0.0, 10_000.0], 27.6,
        "measured here: CPU time of one 64-byte request/response over loopback TCP (lab/results/asyncio_costs.json, tcp_rtt_cpu_us)";
    /// GIL-held CPU of one aerospike-py async `get`: argument conversion and
    /// future creation on the loop thread, result conversion and
    /// `call_soon_threadsafe` on a Tokio thread.
    asp_gil_us: "µs", [0.1, 10_000.0], 75.9,
        "lab report book/reports/2026-11-26_01-13.json (Linux x86_64, 2 cores, Python 3.11.7, official 19.3.0, aerospike-py 0.14.4, stub server on 127.0.0.1): aerospike-py async peaks at 12,803 get/s (0 ms, 64 callers), i.e. 78.1 µs of GIL per request; minus loop_resume_us; perfmodel::calibrate";
    /// CPU of one aerospike-py `get` on a Tokio worker without the GIL
    /// (encoding, socket I/O, decoding in Rust).
    asp_nogil_us: "µs", [0.0, 10_000.0], 54.8,
        "lab report book/reports/2026-11-26_01-13.json (Linux x86_64, 2 cores, Python 3.11.7, official 19.3.0, aerospike-py 0.14.4, stub server on 127.0.0.1): one-caller aerospike-py async get takes 221.2 µs; minus asp_gil_us, two thread wake-ups, one loop resume and the stub's round trip (21.5 µs, from the one-caller official sync get); perfmodel::calibrate";
    /// GIL-held cost for the event loop to resume a coroutine whose future
    /// completed (callback dispatch plus one task step).
    loop_resume_us: "µs", [0.1, 1_000.0], 2.18,
        "measured here: await on a future completed by loop.call_soon, 100 coroutines (lab/results/asyncio_costs.json, loop_resume_us)";
    /// GIL-held cost of `loop.run_in_executor` beyond the client call itself:
    /// submitting the work item, the worker's bookkeeping and
    /// `call_soon_threadsafe` back to the loop.
    executor_overhead_us: "µs", [0.1, 10_000.0], 28.5,
        "measured here: run_in_executor(None, noop) at concurrency 64 costs 30.7 µs per call, minus loop_resume_us (lab/results/asyncio_costs.json)";
    /// GIL-held cost of each arriving request of an open load before the
    /// client is called: handing it to the loop from the thread it arrived
    /// on (`call_soon_threadsafe`, the self-pipe) and starting its own task.
    /// A closed loop's callers are long-lived coroutines and do not pay it.
    open_driver_us: "µs", [0.0, 10_000.0], 14.05,
        "measured here: the lab's open-load driver (lab/openload.py: a sender thread handing arrivals to the loop) sending a no-op far faster than it can be served keeps a pace of 16.2 µs per request (lab/results/asyncio_costs.json, open_driver_us), minus loop_resume_us";
    /// Time for a blocked thread to start running after another thread wakes
    /// it (futex wake-up, scheduler latency); no CPU is used while waiting.
    thread_wake_us: "µs", [0.0, 10_000.0], 33.4,
        "measured here: half the round trip of a call_soon_threadsafe ping-pong between the loop and a second thread (lab/results/asyncio_costs.json, threadsafe_roundtrip_us / 2)";
    /// CPython's switch interval: how long a thread waiting for the GIL
    /// waits before it asks the holder to drop it.
    gil_switch_interval_ms: "ms", [0.1, 100.0], 5.0,
        "CPython constant: sys.getswitchinterval() defaults to 0.005 s (Python/ceval_gil.c DEFAULT_INTERVAL); confirmed here";
    /// How much longer the free-threaded build (3.14t) takes to run the same
    /// Python code on one thread: it scales every GIL-held step there.
    free_threaded_overhead: "fraction", [0.0, 1.0], 0.10,
        "CPython documentation, What's New in Python 3.14: the single-threaded penalty of the free-threaded build is now roughly 5-10% depending on platform and compiler (PEP 779 set the bar at 15%); the upper end is taken";
    /// Share of the I/O wait that is random (exponentially distributed)
    /// rather than fixed; 0 is a constant wait, 1 a purely exponential one.
    io_jitter: "fraction", [0.0, 1.0], 0.18,
        "measured here: loopback TCP round trips have p99/mean = 1.65, and a wait of (1-j)·W + Exp(j·W) has p99/mean = 1 + 3.6·j (lab/results/asyncio_costs.json)";
    /// Resident memory of the Python process before any request:
    /// interpreter, asyncio and the client module.
    base_rss_mib: "MiB", [1.0, 65_536.0], 23.5,
        "measured here: VmRSS of python3 with asyncio imported (lab/results/asyncio_costs.json, base_rss_kib)";
    /// Resident memory one more idle OS thread adds (touched stack pages
    /// and thread state), not its reserved stack.
    thread_rss_kib: "KiB", [0.0, 65_536.0], 11.5,
        "measured here: VmRSS growth per idle Python thread over 64 threads (lab/results/asyncio_costs.json, thread_rss_kib)";
    /// Address space reserved for the stack of each Python-created thread.
    thread_stack_mib: "MiB", [0.0, 1_024.0], 8.0,
        "glibc sizes new thread stacks from RLIMIT_STACK; measured here: 8192 KiB (lab/results/asyncio_costs.json, stack_rlimit_kib)";
    /// Address space reserved for the stack of each Tokio worker thread.
    tokio_stack_mib: "MiB", [0.0, 1_024.0], 2.0,
        "tokio runtime Builder::thread_stack_size: default 2 MiB (tokio documentation)";
    /// Resident memory of one request in flight in an asyncio program
    /// (its Task, coroutine frame and Future).
    request_kib: "KiB", [0.0, 65_536.0], 0.69,
        "measured here: tracemalloc over 10,000 pending tasks awaiting futures (lab/results/asyncio_costs.json, pending_task_bytes / 1024)";
}
