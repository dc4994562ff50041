//! Charts: data computed from the model first, then drawn on any plotters backend.
//!
//! Each chart is a pair: a pure `*_data` function (model in, numbers out,
//! tested natively) and a `draw_*` function generic over
//! [`plotters::prelude::DrawingBackend`], so the same code draws on a
//! canvas in the browser and into an SVG string in the golden tests.

pub mod answer;
pub mod batch;
pub mod burst;
pub mod cards;
pub mod conditions;
pub mod dashboard;
pub mod flow;
pub mod format;
pub mod gil;
pub mod html;
pub mod latency;
pub mod look;
pub mod memory;
pub mod open_load;
pub mod pools;
pub mod runs;
pub mod service;
pub mod stages;
pub mod steps;
pub mod style;
pub mod table;
pub mod theme;
pub mod throughput;
pub mod verdicts;
pub mod worst;

pub use theme::Theme;
