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
