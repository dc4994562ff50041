"""Rewrite the grid-calibrated defaults in crates/perfmodel/src/params.rs, and their provenance, from a lab grid report.

Usage: lab/recalibrate.py book/reports/DATE.json EXECUTOR_REQUEST_KIB ASP_REQUEST_KIB TOKIO_THREAD_KIB

The three memory figures come from perfmodel::calibrate::memory_costs, which
`cargo test -p perfmodel --test behaviour client_costs -- --nocapture` prints
for the calibrating run; the other ten are computed here as
perfmodel::calibrate::client_costs does. Then set
perfmodel::calibrate::CALIBRATION_RUN to the report's file name, and
recalibrate from runs of one machine only: the batch and service labs and
lab/asyncio_costs.py feed other defaults, and a mix of machines compares
like with unlike. Numbers are rounded to three significant figures; the test
holds every default within 5% of what the report gives.
"""
import json, os, re, sys
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
PARAMS = os.path.join(ROOT, "crates/perfmodel/src/params.rs")
path, exec_kib, asp_kib, thread_kib = sys.argv[1], *map(float, sys.argv[2:5])
name = path.split('/')[-1]
r = json.load(open(path)); cells = r['io_wait_grid']['data']
_src = open(PARAMS).read()
default = lambda param: float(re.search(param + r': "[^"]+", \[[^\]]+\], ([0-9._]+),', _src).group(1).replace('_', ''))
LOOP = default('loop_resume_us'); BASE = default('base_rss_mib')
def sig(x): return float(f"{x:.3g}")
def cpu(c): return sum(c['cpu_us_per_request'].values())
at0 = lambda p: [c for c in cells if c['pattern'] == p and c['io_wait_ms'] == 0.0]
peak = lambda p: max(at0(p), key=lambda c: c['ops_per_sec'])
s1 = next(c for c in at0('official_sync') if c['concurrency'] == 1)
ex, asp = peak('official_executor'), peak('aerospike_py_async')
og = s1['gil_us_per_request']
vals = {
  'official_gil_us': sig(og),
  'executor_overhead_us': sig(max(ex['gil_us_per_request'] - og - LOOP, 0.1)),
  'official_nogil_us': sig(cpu(ex) - ex['gil_us_per_request']),
  'asp_gil_us': sig(max(asp['gil_us_per_request'] - LOOP, 0.1)),
  'asp_nogil_us': sig(cpu(asp) - asp['gil_us_per_request']),
}
idle = lambda pre: statistics.median(sorted(c['rss_idle_mib'] for c in cells if c['pattern'].startswith(pre)))
# Rust takes v[len/2] of the sorted list
def rust_median(pre):
    v = sorted(c['rss_idle_mib'] for c in cells if c['pattern'].startswith(pre)); return v[len(v)//2]
oi, ai = rust_median('official_'), rust_median('aerospike_py_')
vals['official_rss_mib'] = sig(oi - BASE); vals['asp_rss_mib'] = sig(ai - BASE)
vals['executor_request_kib'] = sig(exec_kib); vals['asp_request_kib'] = sig(asp_kib); vals['tokio_thread_rss_kib'] = sig(thread_kib)
most = max(c['threads_by_name'].get('tokio-rt-worker', 0) for c in cells)
tend = {c['threads_idle_by_name'].get('tend') for c in cells if c['pattern'].startswith('official_')}
tpool = {c['threads_idle_by_name'].get('tpool') for c in cells if c['pattern'].startswith('official_')}
print(vals, 'tokio most', most, 'tend', tend, 'tpool', tpool, file=sys.stderr)
g = lambda x: f"{x:,.3g}" if x < 1000 else f"{x:,.0f}"
n = lambda x: f"{x:,.0f}"
src = _src
GRID = r'book/reports/\d{4}-\d\d-\d\d_\d\d-\d\d\.json'
old_prefix = re.search(r'"lab report ' + GRID + r' \([^)]*\)', src).group(0)
shares = [c.get('foreign_cpu_share') for c in cells]
limit = r['environment'].get('quiet_limit')
quiet = f', other processes under {limit:.0%} of the CPU in every kept run' if limit and all(x is not None and x <= limit for x in shares) else ''
new_prefix = (f'"lab report book/reports/{name} (Linux x86_64; the client process pinned to one CPU, the stub to the other; '
              f'Python {r["environment"]["python_version"]}, official {r["environment"]["aerospike"]}, aerospike-py {r["environment"]["aerospike_py"]}; '
              f'3 interleaved rounds, a fresh process per run{quiet}; '
              f'GIL time sampled by py-spy at 1,000 Hz, CPU time from each thread\'s clock)')
src = re.sub(r'"lab report ' + GRID + r' \([^)]*\)', lambda m: new_prefix, src)
src = re.sub(r'lab report ' + GRID + r'\)', f'lab report book/reports/{name})', src)
def setp(param, value, tail):
    global src
    pat = re.compile(r'(    ' + param + r': "[^"]+", \[[^\]]+\], )([0-9._]+)(,\n        "lab report [^:]*\)): ([^"]*)(")')
    m = pat.search(src); assert m, param
    src = src[:m.start()] + m.group(1) + repr(value) + m.group(3) + ': ' + tail + m.group(5) + src[m.end():]
setp('official_gil_us', vals['official_gil_us'], f"a one-caller blocking get with no injected wait holds the GIL {g(og)} µs (official_sync, 0 ms, 1 caller); perfmodel::calibrate")
setp('official_nogil_us', vals['official_nogil_us'], f"at the executor's peak (official_executor, 0 ms, {ex['concurrency']} callers, {n(ex['ops_per_sec'])} get/s) the process spends {g(cpu(ex))} µs of CPU per get, {g(ex['gil_us_per_request'])} µs of it holding the GIL; the rest; perfmodel::calibrate")
setp('asp_gil_us', vals['asp_gil_us'], f"at aerospike-py's peak (aerospike_py_async, 0 ms, {asp['concurrency']} callers, {n(asp['ops_per_sec'])} get/s) the GIL is held {g(asp['gil_us_per_request'])} µs per get; minus loop_resume_us; perfmodel::calibrate")
setp('asp_nogil_us', vals['asp_nogil_us'], f"at aerospike-py's peak the process spends {g(cpu(asp))} µs of CPU per get, {g(asp['gil_us_per_request'])} µs of it holding the GIL; the rest; perfmodel::calibrate")
setp('executor_overhead_us', vals['executor_overhead_us'], f"at the executor's peak the GIL is held {g(ex['gil_us_per_request'])} µs per get; minus official_gil_us and loop_resume_us; perfmodel::calibrate")
setp('official_rss_mib', vals['official_rss_mib'], f"a fresh process with the official client connected is resident at a median {oi:.2f} MiB before any load; minus base_rss_mib; perfmodel::calibrate")
setp('asp_rss_mib', vals['asp_rss_mib'], f"a fresh process with aerospike-py connected is resident at a median {ai:.2f} MiB before any load; minus base_rss_mib; perfmodel::calibrate")
setp('executor_request_kib', vals['executor_request_kib'], f"the executor's resident set grows by a median {g(exec_kib)} KiB per caller from 1,024 to 4,096 callers at the same thread count (default pool and 64 threads, every wait); perfmodel::calibrate::memory_costs")
setp('asp_request_kib', vals['asp_request_kib'], f"aerospike-py's resident set grows by a median {g(asp_kib)} KiB per caller from 1,024 to 4,096 callers at the same thread count (every wait); perfmodel::calibrate::memory_costs")
setp('tokio_thread_rss_kib', vals['tokio_thread_rss_kib'], "aerospike-py's growth in resident memory over its cells of 16 to 256 callers, less the requests' share, per thread started under load (median); perfmodel::calibrate::memory_costs")
src = re.sub(r"reach 1 loop thread \+ \d+ tokio-rt-worker threads", f"reach 1 loop thread + {most} tokio-rt-worker threads", src)
open(PARAMS, 'w').write(src)
