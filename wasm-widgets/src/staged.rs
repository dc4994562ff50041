//! A simulated figure's data on the page: its analytic part at once and its simulations' answers folded in as they arrive, or, for a figure with nothing to show before its simulations, the last complete one until the next is in.

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

/// The data of the [`Staged`] figure at `input()`, for a figure that has
/// nothing to show before its simulations are in (the GIL timeline, the
/// burst): computed whole at mount, for the first frame, then, on each
/// change of the input, simulated in the Web Workers (or in tasks on the
/// page where none run) while the figure keeps showing the last complete
/// one. A newer input drops the older run's work. Returns the data and
/// whether it is up to date with the input (`data-complete`).
pub(crate) fn whole<S>(shown: Option<Signal<bool>>, input: impl Fn() -> S::Input + 'static) -> (ReadSignal<Result<S, String>>, ReadSignal<bool>)
where
    S: Staged + Clone + Send + Sync,
{
    let first = untrack(&input);
    let data =
        RwSignal::new(crate::recheck::once_more(S::NAME, || charts::stages::complete::<S>(&Params::default(), &first).map_err(|e| e.to_string())));
    let done = RwSignal::new(true);
    // The run under way: its analytic part, then its answers folded in.
    let pending = RwSignal::new(Err::<S, String>(String::new()));
    let pooled = Pooled::new();
    on_change_while_shown(shown, Some(first), input, move |i| {
        done.set(false);
        pending.set(crate::recheck::once_more(S::NAME, || S::start(&Params::default(), &i).map_err(|e| e.to_string())));
        pooled.fill(pending, i);
    });
    // A run that is complete, or failed, is the figure's.
    Effect::new(move |_| {
        let ready = pending.with(|r| match r {
            Ok(d) => d.is_complete(),
            Err(e) => !e.is_empty(),
        });
        if ready && !done.get_untracked() {
            data.set(pending.get_untracked());
            done.set(true);
        }
    });
    (data.read_only(), done.read_only())
}
