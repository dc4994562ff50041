//! How long the pool-size figure's and "Your service"'s simulations run, and which pool sizes they try: one definition for both pages.

use perfmodel::predict::ShortRun;

/// The executor pool sizes tried: doublings from 1 to the largest the model takes.
pub const POOLS: [u32; 11] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];
/// The largest pool any figure or table tries: "none up to" it.
pub const LARGEST_POOL: u32 = POOLS[POOLS.len() - 1];
/// Each pattern's simulation: one warm-up cycle, then max(5,000, N) measured requests, at most 50,000.
pub(crate) const PATTERN: ShortRun = ShortRun { min: 5_000, cap: 50_000, warmup_min: 1_000, warmup_cap: 50_000 };
/// Each pool size's: a warm-up and a measurement of at most 20,000 requests each (about
/// 200 samples above the 99th percentile), so the eleven pool sizes cost about what three
/// patterns do.
pub const LADDER: ShortRun = ShortRun { cap: 20_000, warmup_cap: 20_000, ..PATTERN };
/// "Your service" runs up to four patterns and eleven pool sizes after one
/// edit, so each run is shorter: a pattern's at most 12,000 requests measured
/// after 6,000 of warm-up (120 samples above its 99th percentile), a pool
/// size's at most 10,000 after 10,000. At its worst corner (100,000 in
/// flight, 16 background threads) the requests in flight dominate the work,
/// and these caps keep it within the bound (`cargo xtask bench`, natively:
/// 1.47 s with the patterns' and the ladder's runs, 0.78 s with these).
pub(crate) const SERVICE_PATTERN: ShortRun = ShortRun { cap: 12_000, warmup_cap: 6_000, ..PATTERN };
pub(crate) const SERVICE_LADDER: ShortRun = ShortRun { cap: 10_000, warmup_cap: 10_000, ..PATTERN };
