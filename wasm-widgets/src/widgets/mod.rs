//! Mount a parsed widget into its placeholder.

pub mod canvas;
pub mod throughput;

use charts::Theme;
use leptos::prelude::*;
use web_sys::HtmlElement;
use widget_props::Widget;

use crate::dom;
use crate::scenario::Shared;

/// Mount `w` into its placeholder `el`. The widget marks the placeholder
/// `data-state="ready"` itself once its first frame is drawn.
pub fn mount(el: HtmlElement, w: Widget, shared: Shared, theme: RwSignal<Theme>) {
    dom::clear_loading(&el);
    let host = el.clone();
    match w {
        Widget::ThroughputScaling(props) => {
            if !shared.from_link {
                shared.scenario.update(|s| {
                    if let Some(io) = props.io_wait_ms {
                        s.io_wait_ms = io;
                    }
                    if let Some(n) = props.concurrency {
                        s.concurrency = n;
                    }
                });
            }
            leptos::mount::mount_to(el, move || view! { <throughput::ThroughputScaling host shared theme/> })
                .forget();
        }
    }
}
