//! A p99 cell's answer crosses to the page from a Web Worker as numbers: it comes back the same, and a wrong shape is refused.

use charts::conditions::{cell_order, p99_cell_job, CellAnswer};
use perfmodel::{Params, Scenario};

#[test]
fn answers_cross_as_numbers_unchanged() {
    let p = Params::default();
    let s = Scenario::default();
    // The first cells (simulated) and the last (extended past the simulated rows, at this scenario).
    let order = cell_order();
    let mut kinds = (0, 0);
    for &(io, n) in order.iter().take(3).chain(order.iter().rev().take(3)) {
        let a = p99_cell_job(&p, &s, io, n).unwrap();
        match a {
            CellAnswer::Simulated(_) => kinds.0 += 1,
            CellAnswer::Extended { .. } => kinds.1 += 1,
        }
        assert_eq!(CellAnswer::from_numbers(&a.to_numbers()), Some(a));
    }
    assert!(kinds.0 > 0 && kinds.1 > 0, "both kinds of answer were checked: {kinds:?}");
    assert_eq!(CellAnswer::from_numbers(&[1.0]), None);
    assert_eq!(CellAnswer::from_numbers(&[1.0, 2.5]), None, "callers are whole");
}
