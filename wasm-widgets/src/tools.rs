//! Under every chart: a "Show data" table and CSV and PNG downloads of what the chart shows.

use charts::table::Table;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Rows shown in the page; the CSV always has them all.
const SHOWN_ROWS: usize = 400;

fn download(href: &str, file: &str) -> Result<(), String> {
    let doc = crate::dom::document();
    let a: web_sys::HtmlAnchorElement = doc.create_element("a").map_err(|_| "no anchor")?.dyn_into().map_err(|_| "not an anchor")?;
    a.set_href(href);
    a.set_download(file);
    a.click();
    Ok(())
}

fn download_csv(table: &Table, name: &str) -> Result<(), String> {
    let parts = js_sys::Array::of1(&table.to_csv().into());
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type("text/csv");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts).map_err(|_| "blob")?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| "object URL")?;
    let r = download(&url, &format!("{name}.csv"));
    let _ = web_sys::Url::revoke_object_url(&url);
    r
}

/// A cell as shown on the page: a number rounded to what it means, text as is.
fn shown(cell: String) -> String {
    match cell.parse::<f64>() {
        Ok(v) if v.is_finite() => charts::format::number(v),
        _ => cell,
    }
}

#[component]
pub(crate) fn ChartTools(table: Signal<Option<Table>>, canvas: NodeRef<leptos::html::Canvas>, name: &'static str) -> impl IntoView {
    let on_csv = move |_| {
        if let Some(t) = table.get_untracked() {
            let _ = download_csv(&t, name);
        }
    };
    let on_png = move |_| {
        if let Some(c) = canvas.get_untracked() {
            if let Ok(url) = c.to_data_url() {
                let _ = download(&url, &format!("{name}.png"));
            }
        }
    };
    // The table is built only while "Show data" is open, once per change:
    // a closed one costs a slider move nothing.
    let open = RwSignal::new(false);
    let shown_table = Memo::new(move |_| if open.get() { table.get() } else { None });
    let head = move || shown_table.get().map(|t| t.headers.into_iter().map(|h| view! { <th scope="col">{h}</th> }).collect::<Vec<_>>());
    let body = move || {
        shown_table.get().map(|t| {
            t.rows
                .into_iter()
                .take(SHOWN_ROWS)
                // Numbers as the rest of the page writes them; the CSV keeps every digit.
                .map(|r| view! { <tr>{r.into_iter().map(|c| view! { <td>{shown(c)}</td> }).collect::<Vec<_>>()}</tr> })
                .collect::<Vec<_>>()
        })
    };
    let note = move || {
        shown_table
            .get()
            .and_then(|t| (t.rows.len() > SHOWN_ROWS).then(|| format!("The first {SHOWN_ROWS} of {} rows; the CSV has them all.", t.rows.len())))
    };
    // Each region's name is unique on the page: the print page holds every
    // chapter, so two figures of one kind (the map on the overview and on
    // Conditions) would otherwise be two landmarks of one name.
    let before = crate::dom::document().query_selector_all(&format!(".widget-data-scroll[data-name=\"{name}\"]")).map(|l| l.length()).unwrap_or(0);
    let label = if before == 0 { format!("{name} data") } else { format!("{name} data ({})", before + 1) };
    view! {
        <div class="widget-tools">
            <button type="button" data-testid="download-csv" on:click=on_csv>"Download data (CSV)"</button>
            <button type="button" data-testid="download-png" on:click=on_png>"Download chart (PNG)"</button>
        </div>
        <details class="widget-data" on:toggle=move |ev| open.set(event_target::<web_sys::HtmlDetailsElement>(&ev).open())>
            <summary>"Show data"</summary>
            <p class="widget-hint">{note}</p>
            <div class="widget-data-scroll" tabindex="0" role="region" aria-label=label data-name=name>
                <table data-testid="data-table">
                    <thead><tr>{head}</tr></thead>
                    <tbody>{body}</tbody>
                </table>
            </div>
        </details>
    }
}
