//! A labelled log-scale slider: a real `<input type=range>` with its unit, keyboard steps and aria-valuetext.

use leptos::prelude::*;

/// Positions of the range input; the value is `min · (max/min)^(pos/STEPS)`.
pub const STEPS: u32 = 400;

pub fn to_pos(v: f64, min: f64, max: f64) -> u32 {
    let t = (v.clamp(min, max) / min).ln() / (max / min).ln();
    (t * STEPS as f64).round() as u32
}

pub fn from_pos(pos: u32, min: f64, max: f64) -> f64 {
    min * (max / min).powf(pos.min(STEPS) as f64 / STEPS as f64)
}

/// A slider bound to `value` on a log scale between `min` and `max`.
/// `round` snaps the value (to whole callers, say); `fmt` writes it with its unit.
#[component]
pub fn LogSlider(
    id: String,
    label: &'static str,
    min: f64,
    max: f64,
    value: Signal<f64>,
    on_change: Callback<f64>,
    fmt: fn(f64) -> String,
    round: fn(f64) -> f64,
    testid: &'static str,
) -> impl IntoView {
    let pos = move || to_pos(value.get(), min, max).to_string();
    let text = move || fmt(value.get());
    let input_id = id.clone();
    view! {
        <div class="widget-slider">
            <label for=id.clone()>{label}": "<output for=id.clone() data-testid=format!("{testid}-value")>{text}</output></label>
            <input
                type="range"
                id=input_id
                data-testid=testid
                min="0"
                max=STEPS.to_string()
                step="1"
                prop:value=pos
                aria-valuetext=text
                on:input=move |ev| {
                    if let Ok(p) = event_target_value(&ev).parse::<u32>() {
                        on_change.run(round(from_pos(p, min, max)));
                    }
                }
            />
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn positions_round_trip_on_a_log_scale() {
        assert_eq!(to_pos(1.0, 1.0, 100_000.0), 0);
        assert_eq!(to_pos(100_000.0, 1.0, 100_000.0), STEPS);
        assert_eq!(to_pos(1e9, 1.0, 100_000.0), STEPS);
        let v = from_pos(to_pos(50.0, 1.0, 100_000.0), 1.0, 100_000.0);
        assert!((v - 50.0).abs() / 50.0 < 0.03, "{v}");
    }
}
