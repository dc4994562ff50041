//! Chart colours. The browser reads them from CSS custom properties of the active mdBook theme.

use perfmodel::Pattern;
use plotters::style::RGBColor;

/// Colours of one chart rendering.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Theme {
    pub background: RGBColor,
    pub foreground: RGBColor,
    pub grid: RGBColor,
    pub sync: RGBColor,
    pub executor: RGBColor,
    pub tokio: RGBColor,
}

impl Theme {
    /// The light theme's values (assets/widgets.css `.light`), used by the
    /// golden tests and as a fallback when CSS cannot be read.
    pub const LIGHT: Theme = Theme {
        background: RGBColor(0xff, 0xff, 0xff),
        foreground: RGBColor(0x1f, 0x23, 0x28),
        grid: RGBColor(0xd0, 0xd7, 0xde),
        sync: RGBColor(0x8c, 0x4a, 0x00),
        executor: RGBColor(0xb3, 0x1d, 0x28),
        tokio: RGBColor(0x0b, 0x5c, 0xad),
    };

    pub fn pattern(&self, p: Pattern) -> RGBColor {
        match p {
            Pattern::Sync | Pattern::SyncThreads => self.sync,
            // Both run the official client on a pool of threads.
            Pattern::Executor | Pattern::Threadpool => self.executor,
            Pattern::Tokio => self.tokio,
        }
    }

    /// Parse `#rrggbb` or `rgb(r, g, b)` (what getComputedStyle returns).
    pub fn parse_color(s: &str) -> Option<RGBColor> {
        let s = s.trim();
        if let Some(hex) = s.strip_prefix('#') {
            if hex.len() == 6 {
                let v = u32::from_str_radix(hex, 16).ok()?;
                return Some(RGBColor((v >> 16) as u8, (v >> 8) as u8, v as u8));
            }
            return None;
        }
        let inner = s.strip_prefix("rgb(").or_else(|| s.strip_prefix("rgba("))?.strip_suffix(')')?;
        let mut it = inner.split(',').map(|p| p.trim().parse::<f64>().ok());
        let (r, g, b) = (it.next()??, it.next()??, it.next()??);
        Some(RGBColor(r.clamp(0.0, 255.0) as u8, g.clamp(0.0, 255.0) as u8, b.clamp(0.0, 255.0) as u8))
    }
}
