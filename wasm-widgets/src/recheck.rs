//! A failed computation run once more: the model is deterministic, so an error the same inputs do not give again is the browser's fault, not the reader's scenario.
//!
//! Why. WebKitGTK 2.50.6 (Safari's engine) failed 3 of 29 launches here
//! (each loading the first eight widget pages) with an error the model
//! cannot give at those inputs: the GIL hold time simulation "stopped at its
//! bound" of about 234,000 events (at the default scenario its three runs
//! take 48,442 natively, in Chromium and in Firefox) or "refused" the
//! default scenario with an empty name and a range of 0 to 0. With
//! JavaScriptCore's on-stack replacement of WebAssembly loops turned off
//! (`JSC_useWasmOSR=0`) it never did in 30 launches: a long simulation loop
//! entered half-way in optimised code came out wrong. A second run enters
//! its functions from the top: in 30 launches with this in place the fault
//! came once and the second run answered. An error that comes back is the
//! model's, and stands. A wrong answer that is not an error cannot be told
//! from a right one here.

/// `compute()`, and if it fails, `compute()` again; the second answer stands.
/// The console says when the first failed and the second did not.
pub(crate) fn once_more<T>(what: &str, compute: impl Fn() -> Result<T, String>) -> Result<T, String> {
    let (answer, mended) = twice_if_failed(&compute);
    if let Some(first) = mended {
        say_mended(what, &first);
    }
    answer
}

/// The console's line about a mended failure.
fn say_mended(what: &str, first: &str) {
    web_sys::console::warn_1(&format!("{what}: computed again after an error the same inputs do not give (the browser's fault): {first}").into());
}

/// The answer, and the first error when a second run did not give it:
/// the rule alone, so that tests run it without a console.
fn twice_if_failed<T>(compute: &dyn Fn() -> Result<T, String>) -> (Result<T, String>, Option<String>) {
    match compute() {
        Ok(v) => (Ok(v), None),
        Err(first) => match compute() {
            Ok(v) => (Ok(v), Some(first)),
            Err(again) => (Err(again), None),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::twice_if_failed;
    use std::cell::Cell;

    #[test]
    fn an_answer_is_computed_once() {
        let runs = Cell::new(0);
        let (a, mended) = twice_if_failed(&|| {
            runs.set(runs.get() + 1);
            Ok::<_, String>(7)
        });
        assert_eq!((a, mended, runs.get()), (Ok(7), None, 1));
    }

    #[test]
    fn an_error_that_does_not_come_back_gives_way_to_the_second_answer() {
        let runs = Cell::new(0);
        let (a, mended) = twice_if_failed(&|| {
            runs.set(runs.get() + 1);
            if runs.get() == 1 {
                Err("stopped at its bound".to_string())
            } else {
                Ok(7)
            }
        });
        assert_eq!((a, mended.as_deref(), runs.get()), (Ok(7), Some("stopped at its bound"), 2));
    }

    #[test]
    fn an_error_that_comes_back_stands() {
        let runs = Cell::new(0);
        let (a, mended) = twice_if_failed(&|| {
            runs.set(runs.get() + 1);
            Err::<u32, _>(format!("refused, run {}", runs.get()))
        });
        assert_eq!((a, mended, runs.get()), (Err("refused, run 2".to_string()), None, 2));
    }
}
