//! A simulated figure's data on the page: its analytic part at once, its simulations' answers folded in as they arrive.

use charts::stages::Staged;
use leptos::prelude::*;
use perfmodel::Params;

use crate::progress::on_change_while_shown;
use crate::workers::Pooled;

/// The data of the [`Staged`] figure at `input()`: the analytic part
/// computed now (it draws in the first frame), then recomputed whenever the
/// input changes, each time followed by the figure's simulations (in the
/// Web Workers, or in tasks on the page), whose answers fold in job order.
/// `prepare` adds what the figure carries besides the model (the lab's
/// cells). A figure in a hidden tab (`shown` false) fills once, then
/// catches up when shown; a newer input drops the older run's work.
pub(crate) fn staged<S>(
    shown: Option<Signal<bool>>,
    input: impl Fn() -> S::Input + 'static,
    prepare: impl Fn(S) -> S + 'static,
) -> RwSignal<Result<S, String>>
where
    S: Staged + Send + Sync,
{
    let start = move |i: &S::Input| crate::recheck::once_more(S::NAME, || S::start(&Params::default(), i).map(&prepare).map_err(|e| e.to_string()));
    let first = untrack(&input);
    let data = RwSignal::new(start(&first));
    let pooled = Pooled::new();
    pooled.fill(data, first);
    on_change_while_shown(shown, Some(first), input, move |i| {
        data.set(start(&i));
        pooled.fill(data, i);
    });
    data
}
