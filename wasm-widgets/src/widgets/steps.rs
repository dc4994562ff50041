//! "How requests are processed": each pattern's steps side by side at the page's I/O wait (HTML computed by `charts::steps`), with an I/O-wait slider.

use leptos::prelude::*;
use web_sys::HtmlElement;

use crate::scenario::Shared;
use crate::slider::{LogSlider, IO_MAX_MS, IO_MIN_MS};

#[component]
pub(crate) fn RequestSteps(host: HtmlElement, shared: Shared) -> impl IntoView {
    use charts::format::number;
    let io = Memo::new(move |_| shared.scenario.get().io_wait_ms);
    let data = Memo::new(move |_| {
        let s = perfmodel::Scenario { io_wait_ms: io.get(), ..shared.scenario.get_untracked() };
        charts::steps::steps_data(&perfmodel::Params::default(), &s).map(|d| (d.answer(), d.html())).map_err(|e| e.to_string())
    });
    Effect::new(move |_| match data.get() {
        Ok(_) => crate::dom::set_state(&host, "ready"),
        Err(e) => crate::dom::fail(&host, &format!("The model refused this scenario: {e}")),
    });
    let set_io = Callback::new(move |v: f64| shared.scenario.update(|s| s.io_wait_ms = v));
    let uid = crate::slider::uid();
    view! {
        <div class="widget-body">
            // The figure's answer at the reader's scenario, above it: the page answers first.
            <p class="widget-answer" data-answer data-testid="answer">{move || data.with(|r| r.as_ref().map(|d| d.0.clone()).unwrap_or_default())}</p>
            <div class="widget-controls">
                <LogSlider id=format!("{uid}-io") label="I/O wait per request" min=IO_MIN_MS max=IO_MAX_MS
                    value=Signal::derive(move || io.get()) on_change=set_io fmt=|v| format!("{} ms", number(v)) round=|v| v testid="io-slider" unit="ms"/>
            </div>
            <div data-testid="steps" inner_html=move || data.with(|r| r.as_ref().map(|d| d.1.clone()).unwrap_or_default())></div>
        </div>
    }
}
