//! Widget code that needs a real DOM, run in headless Chromium by wasm-bindgen-test.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

wasm_bindgen_test_configure!(run_in_browser);

fn placeholder(name: &str, props: &str) -> HtmlElement {
    let doc = wasm_widgets::dom::document();
    let el: HtmlElement = doc.create_element("div").unwrap().dyn_into().unwrap();
    el.set_attribute("data-widget", name).unwrap();
    el.set_attribute("data-props", props).unwrap();
    el.set_attribute("data-state", "loading").unwrap();
    el.set_inner_html("<p class=\"widget-loading\">Loading</p>");
    doc.body().unwrap().append_child(&el).unwrap();
    el
}

#[wasm_bindgen_test]
fn fail_marks_the_widget_and_says_why() {
    let el = placeholder("throughput-scaling", "{}");
    wasm_widgets::dom::fail(&el, "broken on purpose");
    assert_eq!(el.get_attribute("data-state").as_deref(), Some("error"));
    let msg = el.query_selector(".widget-error").unwrap().unwrap();
    assert_eq!(msg.text_content().as_deref(), Some("broken on purpose"));
    assert_eq!(msg.get_attribute("role").as_deref(), Some("alert"));
    assert!(el.query_selector(".widget-loading").unwrap().is_none());
}

#[wasm_bindgen_test]
async fn start_mounts_good_placeholders_and_isolates_a_bad_one() {
    let good = placeholder("throughput-scaling", r#"{"io_wait_ms":2.0,"concurrency":64}"#);
    let bad = placeholder("throughput-scaling", r#"{"concurrency":"lots"}"#);
    wasm_widgets::start();
    // Effects run on the microtask queue: wait for the first frame, bounded.
    for _ in 0..200 {
        if good.get_attribute("data-state").as_deref() != Some("loading") {
            break;
        }
        let p = js_sys::Promise::new(&mut |r, _| {
            web_sys::window().unwrap().set_timeout_with_callback_and_timeout_and_arguments_0(&r, 10).unwrap();
        });
        wasm_bindgen_futures::JsFuture::from(p).await.unwrap();
    }
    assert_eq!(good.get_attribute("data-state").as_deref(), Some("ready"));
    assert!(good.query_selector("canvas").unwrap().is_some());
    assert_eq!(bad.get_attribute("data-state").as_deref(), Some("error"));
    let why = bad.query_selector(".widget-error").unwrap().unwrap().text_content().unwrap();
    assert!(why.contains("concurrency"), "{why}");
}
