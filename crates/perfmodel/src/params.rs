//! Model parameters: each one declared once, with unit, range, default and provenance.
//!
//! The defaults are measurements. `lab/asyncio_costs.py` measured the asyncio
//! and thread costs on this project's build machine and its output is kept in
//! `lab/results/asyncio_costs.json`; the clients' own costs (GIL-held and
//! GIL-free time per get, their threads and memory) come from the newest
//! report of the measurement lab (`cargo xtask lab`), through
//! `perfmodel::calibrate`. Tests hold the defaults to both files.
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

            /// The same costs on a machine whose CPU takes `speed` µs for the
            /// lab's one: every cost in µs (each is CPU time or a thread's
            /// wake-up) times `speed`; memory, counts and CPython's constants stay.
            pub fn cpu_scaled(&self, speed: f64) -> Params {
                let mut q = *self;
                $( if $unit == "µs" { q.$name *= speed; } )*
                q
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
    official_gil_us: "µs", [0.1, 10_000.0], 2.69,
        "lab report book/reports/2026-12-01_20-09.json (Linux x86_64; the client process pinned to one CPU, the stub to the other; Python 3.11.7, official 19.3.0, aerospike-py 0.14.4; 3 interleaved rounds, a fresh process per run; GIL time sampled by py-spy at 1,000 Hz, CPU time from each thread's clock): a one-caller blocking get with no injected wait holds the GIL 2.69 µs (official_sync, 0 ms, 1 caller); perfmodel::calibrate";
    /// CPU of one official-client `get` spent with the GIL released
    /// (encoding, send and receive system calls, parsing the reply).
    official_nogil_us: "µs", [0.0, 10_000.0], 24.0,
        "lab report book/reports/2026-12-01_20-09.json (Linux x86_64; the client process pinned to one CPU, the stub to the other; Python 3.11.7, official 19.3.0, aerospike-py 0.14.4; 3 interleaved rounds, a fresh process per run; GIL time sampled by py-spy at 1,000 Hz, CPU time from each thread's clock): at the executor's peak (official_executor, 0 ms, 256 callers, 29,703 get/s) the process spends 33.5 µs of CPU per get, 9.54 µs of it holding the GIL; the rest; perfmodel::calibrate";
    /// GIL-held CPU of one aerospike-py async `get`: argument conversion and
    /// future creation on the loop thread, result conversion and
    /// `call_soon_threadsafe` on a Tokio thread.
    asp_gil_us: "µs", [0.1, 10_000.0], 14.6,
        "lab report book/reports/2026-12-01_20-09.json (Linux x86_64; the client process pinned to one CPU, the stub to the other; Python 3.11.7, official 19.3.0, aerospike-py 0.14.4; 3 interleaved rounds, a fresh process per run; GIL time sampled by py-spy at 1,000 Hz, CPU time from each thread's clock): at aerospike-py's peak (aerospike_py_async, 0 ms, 16 callers, 19,269 get/s) the GIL is held 16.8 µs per get; minus loop_resume_us; perfmodel::calibrate";
    /// CPU of one aerospike-py `get` on a Tokio worker without the GIL
    /// (encoding, socket I/O, decoding in Rust).
    asp_nogil_us: "µs", [0.0, 10_000.0], 34.5,
        "lab report book/reports/2026-12-01_20-09.json (Linux x86_64; the client process pinned to one CPU, the stub to the other; Python 3.11.7, official 19.3.0, aerospike-py 0.14.4; 3 interleaved rounds, a fresh process per run; GIL time sampled by py-spy at 1,000 Hz, CPU time from each thread's clock): at aerospike-py's peak the process spends 51.3 µs of CPU per get, 16.8 µs of it holding the GIL; the rest; perfmodel::calibrate";
    /// GIL-held cost for the event loop to resume a coroutine whose future
    /// completed (callback dispatch plus one task step).
    loop_resume_us: "µs", [0.1, 1_000.0], 2.18,
        "measured here: await on a future completed by loop.call_soon, 100 coroutines (lab/results/asyncio_costs.json, loop_resume_us)";
    /// GIL-held cost of `loop.run_in_executor` beyond the client call itself:
    /// submitting the work item, the worker's bookkeeping and
    /// `call_soon_threadsafe` back to the loop.
    executor_overhead_us: "µs", [0.1, 10_000.0], 4.67,
        "lab report book/reports/2026-12-01_20-09.json (Linux x86_64; the client process pinned to one CPU, the stub to the other; Python 3.11.7, official 19.3.0, aerospike-py 0.14.4; 3 interleaved rounds, a fresh process per run; GIL time sampled by py-spy at 1,000 Hz, CPU time from each thread's clock): at the executor's peak the GIL is held 9.54 µs per get; minus official_gil_us and loop_resume_us; perfmodel::calibrate";
    /// GIL-held cost of handing a plain def endpoint to one of anyio's
    /// threads (`anyio.to_thread.run_sync`, as Starlette does) beyond what
    /// `run_in_executor` costs: its capacity limiter, its own work queue and
    /// worker bookkeeping, paid once per request.
    threadpool_extra_us: "µs", [0.0, 10_000.0], 26.7,
        "measured here: a no-op through anyio.to_thread.run_sync and through run_in_executor, 64 at a time, back to back in one process; the first took 26.7 µs more per op (median of 5 rounds, 23.9 to 31.5; anyio 4.16.0; lab/results/asyncio_costs.json, threadpool_extra_c64_us)";
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
    /// Threads the official C client starts when it connects: the cluster
    /// tend thread and the pool it keeps for background work.
    official_client_threads: "threads", [0.0, 1_024.0], 17.0,
        "lab report book/reports/2026-12-01_20-09.json (Linux x86_64; the client process pinned to one CPU, the stub to the other; Python 3.11.7, official 19.3.0, aerospike-py 0.14.4; 3 interleaved rounds, a fresh process per run; GIL time sampled by py-spy at 1,000 Hz, CPU time from each thread's clock): every official-client process has 1 thread named tend and 16 named tpool before and after load (the client's thread_pool_size defaults to 16, Aerospike Python client documentation)";
    /// Threads of the official client's own pool (`thread_pool_size`): with
    /// a batch policy's `concurrent` set, they send a batch's node requests
    /// at once, each thread held for its node's wait.
    official_thread_pool: "threads", [1.0, 1_024.0], 16.0,
        "Aerospike Python client documentation: thread_pool_size defaults to 16; every official-client process of the lab has 16 threads named tpool (lab report book/reports/2026-12-01_20-09.json)";
    /// Resident memory a connected official client adds to the process:
    /// its module, the C client and its threads' touched stacks.
    official_rss_mib: "MiB", [0.0, 65_536.0], 6.93,
        "lab report book/reports/2026-12-01_20-09.json (Linux x86_64; the client process pinned to one CPU, the stub to the other; Python 3.11.7, official 19.3.0, aerospike-py 0.14.4; 3 interleaved rounds, a fresh process per run; GIL time sampled by py-spy at 1,000 Hz, CPU time from each thread's clock): a fresh process with the official client connected is resident at a median 30.43 MiB before any load; minus base_rss_mib; perfmodel::calibrate";
    /// Resident memory a connected aerospike-py client adds to the process:
    /// its module and its Tokio runtime.
    asp_rss_mib: "MiB", [0.0, 65_536.0], 9.67,
        "lab report book/reports/2026-12-01_20-09.json (Linux x86_64; the client process pinned to one CPU, the stub to the other; Python 3.11.7, official 19.3.0, aerospike-py 0.14.4; 3 interleaved rounds, a fresh process per run; GIL time sampled by py-spy at 1,000 Hz, CPU time from each thread's clock): a fresh process with aerospike-py connected is resident at a median 33.14 MiB before any load; minus base_rss_mib; perfmodel::calibrate";
    /// Most threads in Tokio's blocking pool. pyo3-async-runtimes hands each
    /// finished aerospike-py future to that pool to take the GIL and deliver
    /// the result, so the pool grows towards one thread per request in flight.
    tokio_max_blocking: "threads", [1.0, 100_000.0], 512.0,
        "tokio runtime Builder::max_blocking_threads: default 512 (tokio documentation); the lab's aerospike-py processes reach 1 loop thread + 516 tokio-rt-worker threads and no more (lab report book/reports/2026-12-01_20-09.json)";
    /// Resident memory of one request in flight through `run_in_executor`:
    /// its task, the work item, the concurrent future and its condition.
    executor_request_kib: "KiB", [0.0, 65_536.0], 4.28,
        "lab report book/reports/2026-12-01_20-09.json (Linux x86_64; the client process pinned to one CPU, the stub to the other; Python 3.11.7, official 19.3.0, aerospike-py 0.14.4; 3 interleaved rounds, a fresh process per run; GIL time sampled by py-spy at 1,000 Hz, CPU time from each thread's clock): the executor's resident set grows by a median 4.28 KiB per caller from 1,024 to 4,096 callers at the same thread count (default pool and 64 threads, every wait); perfmodel::calibrate::memory_costs";
    /// Resident memory of one aerospike-py request in flight.
    asp_request_kib: "KiB", [0.0, 65_536.0], 9.37,
        "lab report book/reports/2026-12-01_20-09.json (Linux x86_64; the client process pinned to one CPU, the stub to the other; Python 3.11.7, official 19.3.0, aerospike-py 0.14.4; 3 interleaved rounds, a fresh process per run; GIL time sampled by py-spy at 1,000 Hz, CPU time from each thread's clock): aerospike-py's resident set grows by a median 9.37 KiB per caller from 1,024 to 4,096 callers at the same thread count (every wait); perfmodel::calibrate::memory_costs";
    /// Resident memory each thread of Tokio's blocking pool adds: its stack
    /// pages, thread state and the allocator's per-thread arena.
    tokio_thread_rss_kib: "KiB", [0.0, 65_536.0], 144.0,
        "lab report book/reports/2026-12-01_20-09.json (Linux x86_64; the client process pinned to one CPU, the stub to the other; Python 3.11.7, official 19.3.0, aerospike-py 0.14.4; 3 interleaved rounds, a fresh process per run; GIL time sampled by py-spy at 1,000 Hz, CPU time from each thread's clock): aerospike-py's growth in resident memory over its cells of 16 to 256 callers, less the requests' share, per thread started under load (median); perfmodel::calibrate::memory_costs";
    /// Resident memory of one request in flight in an asyncio program
    /// (its Task, coroutine frame and Future).
    request_kib: "KiB", [0.0, 65_536.0], 0.69,
        "measured here: tracemalloc over 10,000 pending tasks awaiting futures (lab/results/asyncio_costs.json, pending_task_bytes / 1024)";
    /// GIL-held CPU of one official-client `batch_read` before it waits,
    /// per batch: the call, the policy and the key list into C.
    official_batch_gil_us: "µs", [0.0, 100_000.0], 34.17,
        "lab report book/reports/2026-12-06_08-20-batch.json (aerostub cluster of 1, 4 and 8 nodes on 127.0.0.1, each node owning the keys whose partition modulo the node count is its own; Python 3.11.7, official 19.3.0, aerospike-py 0.14.4; GIL time sampled by py-spy at 1,000 Hz, CPU time from each thread's clock): GIL time against keys and records found, the 31 cells of one official_sync caller, default batch policy (1 to 1,000 keys, all found or none), fit per batch by non-negative least squares (perfmodel::calibrate::batch_costs); the intercept; R² 0.966";
    /// The same per key: each key's tuple into C, and a `BatchRecord` built
    /// in Python for every key's result, found or not.
    official_batch_key_gil_us: "µs", [0.0, 10_000.0], 2.241,
        "lab report book/reports/2026-12-06_08-20-batch.json (aerostub cluster of 1, 4 and 8 nodes on 127.0.0.1, each node owning the keys whose partition modulo the node count is its own; Python 3.11.7, official 19.3.0, aerospike-py 0.14.4; GIL time sampled by py-spy at 1,000 Hz, CPU time from each thread's clock): GIL time against keys and records found, the 31 cells of one official_sync caller, default batch policy (1 to 1,000 keys, all found or none), fit per batch by non-negative least squares (perfmodel::calibrate::batch_costs); the slope per key; R² 0.966";
    /// The same per record found: its metadata and bins dicts.
    official_batch_record_gil_us: "µs", [0.0, 10_000.0], 3.276,
        "lab report book/reports/2026-12-06_08-20-batch.json (aerostub cluster of 1, 4 and 8 nodes on 127.0.0.1, each node owning the keys whose partition modulo the node count is its own; Python 3.11.7, official 19.3.0, aerospike-py 0.14.4; GIL time sampled by py-spy at 1,000 Hz, CPU time from each thread's clock): GIL time against keys and records found, the 31 cells of one official_sync caller, default batch policy (1 to 1,000 keys, all found or none), fit per batch by non-negative least squares (perfmodel::calibrate::batch_costs); the slope per record found; R² 0.966";
    /// GIL-free CPU of one official-client `batch_read`, per batch.
    official_batch_cpu_us: "µs", [0.0, 100_000.0], 21.13,
        "lab report book/reports/2026-12-06_08-20-batch.json (aerostub cluster of 1, 4 and 8 nodes on 127.0.0.1, each node owning the keys whose partition modulo the node count is its own; Python 3.11.7, official 19.3.0, aerospike-py 0.14.4; GIL time sampled by py-spy at 1,000 Hz, CPU time from each thread's clock): CPU time without the GIL against keys, nodes visited and records found, the 31 cells of one official_sync caller, default batch policy (1 to 1,000 keys, all found or none), fit per batch by non-negative least squares (perfmodel::calibrate::batch_costs); the intercept; R² 0.866";
    /// The same per key (its digest, its place in a node's request).
    official_batch_key_cpu_us: "µs", [0.0, 10_000.0], 0.3321,
        "lab report book/reports/2026-12-06_08-20-batch.json (aerostub cluster of 1, 4 and 8 nodes on 127.0.0.1, each node owning the keys whose partition modulo the node count is its own; Python 3.11.7, official 19.3.0, aerospike-py 0.14.4; GIL time sampled by py-spy at 1,000 Hz, CPU time from each thread's clock): CPU time without the GIL against keys, nodes visited and records found, the 31 cells of one official_sync caller, default batch policy (1 to 1,000 keys, all found or none), fit per batch by non-negative least squares (perfmodel::calibrate::batch_costs); the slope per key; R² 0.866";
    /// The same per node visited (one request sent and read per node).
    official_batch_node_cpu_us: "µs", [0.0, 10_000.0], 85.36,
        "lab report book/reports/2026-12-06_08-20-batch.json (aerostub cluster of 1, 4 and 8 nodes on 127.0.0.1, each node owning the keys whose partition modulo the node count is its own; Python 3.11.7, official 19.3.0, aerospike-py 0.14.4; GIL time sampled by py-spy at 1,000 Hz, CPU time from each thread's clock): CPU time without the GIL against keys, nodes visited and records found, the 31 cells of one official_sync caller, default batch policy (1 to 1,000 keys, all found or none), fit per batch by non-negative least squares (perfmodel::calibrate::batch_costs); the slope per node visited; R² 0.866";
    /// The same per record found (parsing its bins).
    official_batch_record_cpu_us: "µs", [0.0, 10_000.0], 0.8522,
        "lab report book/reports/2026-12-06_08-20-batch.json (aerostub cluster of 1, 4 and 8 nodes on 127.0.0.1, each node owning the keys whose partition modulo the node count is its own; Python 3.11.7, official 19.3.0, aerospike-py 0.14.4; GIL time sampled by py-spy at 1,000 Hz, CPU time from each thread's clock): CPU time without the GIL against keys, nodes visited and records found, the 31 cells of one official_sync caller, default batch policy (1 to 1,000 keys, all found or none), fit per batch by non-negative least squares (perfmodel::calibrate::batch_costs); the slope per record found; R² 0.866";
    /// GIL-held CPU of one aerospike-py async `batch_read` on the event
    /// loop before it waits, per batch, beyond what a `get` holds.
    asp_batch_gil_us: "µs", [0.0, 100_000.0], 0.0,
        "lab report book/reports/2026-12-06_08-20-batch.json (aerostub cluster of 1, 4 and 8 nodes on 127.0.0.1, each node owning the keys whose partition modulo the node count is its own; Python 3.11.7, official 19.3.0, aerospike-py 0.14.4; GIL time sampled by py-spy at 1,000 Hz, CPU time from each thread's clock): GIL time against keys and records found, the 31 cells of 16 aerospike_py_async callers (1 to 1,000 keys, all found or none), fit per batch by non-negative least squares (perfmodel::calibrate::batch_costs); the intercept (2.21 µs) is less than what the model already counts for the call (half of asp_gil_us plus loop_resume_us), so nothing is left per batch; R² 0.985";
    /// The same per key (each key converted to Rust).
    asp_batch_key_gil_us: "µs", [0.0, 10_000.0], 1.004,
        "lab report book/reports/2026-12-06_08-20-batch.json (aerostub cluster of 1, 4 and 8 nodes on 127.0.0.1, each node owning the keys whose partition modulo the node count is its own; Python 3.11.7, official 19.3.0, aerospike-py 0.14.4; GIL time sampled by py-spy at 1,000 Hz, CPU time from each thread's clock): GIL time against keys and records found, the 31 cells of 16 aerospike_py_async callers (1 to 1,000 keys, all found or none), fit per batch by non-negative least squares (perfmodel::calibrate::batch_costs); the slope per key; R² 0.985";
    /// GIL-held CPU per record found when the handler reads the result (its
    /// bins become a Python dict on the event loop).
    asp_batch_record_gil_us: "µs", [0.0, 10_000.0], 3.691,
        "lab report book/reports/2026-12-06_08-20-batch.json (aerostub cluster of 1, 4 and 8 nodes on 127.0.0.1, each node owning the keys whose partition modulo the node count is its own; Python 3.11.7, official 19.3.0, aerospike-py 0.14.4; GIL time sampled by py-spy at 1,000 Hz, CPU time from each thread's clock): GIL time against keys and records found, the 31 cells of 16 aerospike_py_async callers (1 to 1,000 keys, all found or none), fit per batch by non-negative least squares (perfmodel::calibrate::batch_costs); the slope per record found; R² 0.985";
    /// CPU of one aerospike-py `batch_read` on Tokio without the GIL, per batch.
    asp_batch_cpu_us: "µs", [0.0, 100_000.0], 96.23,
        "lab report book/reports/2026-12-06_08-20-batch.json (aerostub cluster of 1, 4 and 8 nodes on 127.0.0.1, each node owning the keys whose partition modulo the node count is its own; Python 3.11.7, official 19.3.0, aerospike-py 0.14.4; GIL time sampled by py-spy at 1,000 Hz, CPU time from each thread's clock): CPU time without the GIL against keys, nodes visited and records found, the 31 cells of 16 aerospike_py_async callers (1 to 1,000 keys, all found or none), fit per batch by non-negative least squares (perfmodel::calibrate::batch_costs); the intercept; R² 0.942";
    /// The same per key.
    asp_batch_key_cpu_us: "µs", [0.0, 10_000.0], 0.7843,
        "lab report book/reports/2026-12-06_08-20-batch.json (aerostub cluster of 1, 4 and 8 nodes on 127.0.0.1, each node owning the keys whose partition modulo the node count is its own; Python 3.11.7, official 19.3.0, aerospike-py 0.14.4; GIL time sampled by py-spy at 1,000 Hz, CPU time from each thread's clock): CPU time without the GIL against keys, nodes visited and records found, the 31 cells of 16 aerospike_py_async callers (1 to 1,000 keys, all found or none), fit per batch by non-negative least squares (perfmodel::calibrate::batch_costs); the slope per key; R² 0.942";
    /// The same per node visited (a Tokio task and a request per node).
    asp_batch_node_cpu_us: "µs", [0.0, 10_000.0], 42.38,
        "lab report book/reports/2026-12-06_08-20-batch.json (aerostub cluster of 1, 4 and 8 nodes on 127.0.0.1, each node owning the keys whose partition modulo the node count is its own; Python 3.11.7, official 19.3.0, aerospike-py 0.14.4; GIL time sampled by py-spy at 1,000 Hz, CPU time from each thread's clock): CPU time without the GIL against keys, nodes visited and records found, the 31 cells of 16 aerospike_py_async callers (1 to 1,000 keys, all found or none), fit per batch by non-negative least squares (perfmodel::calibrate::batch_costs); the slope per node visited; R² 0.942";
    /// The same per record found (decoding its bins in Rust).
    asp_batch_record_cpu_us: "µs", [0.0, 10_000.0], 0.0,
        "lab report book/reports/2026-12-06_08-20-batch.json (aerostub cluster of 1, 4 and 8 nodes on 127.0.0.1, each node owning the keys whose partition modulo the node count is its own; Python 3.11.7, official 19.3.0, aerospike-py 0.14.4; GIL time sampled by py-spy at 1,000 Hz, CPU time from each thread's clock): CPU time without the GIL against keys, nodes visited and records found, the 31 cells of 16 aerospike_py_async callers (1 to 1,000 keys, all found or none), fit per batch by non-negative least squares (perfmodel::calibrate::batch_costs); the fit puts no cost per record found at its bound of zero (decoding is within the per-key slope); R² 0.942";
    /// CPU a web service spends on each request outside its handler, on
    /// the event loop: the ASGI server reading the request and writing the
    /// response, the framework routing it, validating its query and
    /// serialising a small JSON answer. Counted as held on the loop (its
    /// system calls release the GIL: an upper bound on the GIL's share).
    http_server_us: "µs", [0.0, 100_000.0], 366.2,
        "service lab report book/reports/service/2026-12-06_21-37.json (FastAPI 0.165.0 under uvicorn 0.55.0 with httptools and asyncio's loop, one worker process pinned to one CPU, the stub and the load generator on the other; lab/service_app.py, lab/service.py): the endpoint that calls nothing (/none) at the highest Poisson rate it kept up with up to 95% of its capacity (2,937 requests/s, 85%) spent 366.2 µs of the server's CPU per request; reports::service::ServiceReport::server_cost";
    /// Resident memory a web server and framework add to a worker process
    /// (uvicorn, FastAPI, Starlette, pydantic and their imports).
    http_server_rss_mib: "MiB", [0.0, 65_536.0], 46.04,
        "service lab report book/reports/service/2026-12-06_21-37.json (as http_server_us): the worker serving /none, which imports no client, was resident at 69.54 MiB at that rate; minus base_rss_mib";
}
