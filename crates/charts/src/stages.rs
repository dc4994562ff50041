//! Figures computed in stages: the analytic part at once, then simulation jobs whose answers fold in, in job order, here or from a Web Worker.
//!
//! A simulated figure states only what is its own ([`Staged`]): how its
//! analytic part is computed from its input, its jobs, one job's run and
//! how an answer folds in. [`complete`] runs every job in order (tests, the
//! build's figures, the benchmark); the widgets run the same jobs in Web
//! Workers, sending the input as JSON and each job and answer as numbers
//! ([`Numbers`]), and fold the answers in job order, so a figure fills
//! exactly as it does here.

use perfmodel::{ModelError, Params, Pattern};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// A figure computed in stages.
pub trait Staged: Sized + 'static {
    /// Its name on the way to a Web Worker.
    const NAME: &'static str;
    /// What the figure is computed from (crosses to a worker as JSON).
    type Input: Copy + PartialEq + Serialize + DeserializeOwned + Send + Sync + 'static;
    /// One simulation.
    type Job: Copy + Numbers + 'static;
    /// What one simulation found.
    type Answer: Numbers + 'static;
    /// The analytic part: everything but the jobs' answers.
    fn start(p: &Params, input: &Self::Input) -> Result<Self, ModelError>;
    /// Every simulation the figure needs, in the order their answers fold in.
    fn jobs(&self) -> Vec<Self::Job>;
    /// Run one job. It reads only the analytic part, never another job's answer.
    fn run(&self, p: &Params, job: Self::Job) -> Result<Self::Answer, ModelError>;
    /// Fold one answer in (answers arrive in job order).
    fn fold(&mut self, answer: Self::Answer);
    /// Whether every job's answer is in.
    fn is_complete(&self) -> bool;
}

/// The whole figure at once: the analytic part, then every job in order.
pub fn complete<S: Staged>(p: &Params, input: &S::Input) -> Result<S, ModelError> {
    let mut d = S::start(p, input)?;
    for job in d.jobs() {
        let a = d.run(p, job)?;
        d.fold(a);
    }
    Ok(d)
}

/// A value that crosses to and from a Web Worker as a list of numbers.
pub trait Numbers: Sized {
    /// Append the value's numbers.
    fn put(&self, out: &mut Vec<f64>);
    /// Read the value back; `None` for numbers it could not have written.
    fn take(r: &mut Reader<'_>) -> Option<Self>;
}

/// The numbers of a value, read front to back.
#[derive(Debug)]
pub struct Reader<'a>(&'a [f64]);

impl Reader<'_> {
    fn next(&mut self) -> Option<f64> {
        let (&x, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(x)
    }

    /// The next number, not taken.
    pub(crate) fn peek(&self) -> Option<f64> {
        self.0.first().copied()
    }

    /// Pass over the next number.
    pub fn skip(&mut self) {
        self.next();
    }

    /// A whole number from 0 to `max` (a count, an index, an enum's tag).
    pub fn whole(&mut self, max: f64) -> Option<f64> {
        self.next().filter(|x| *x >= 0.0 && x.fract() == 0.0 && *x <= max)
    }
}

/// A value as numbers.
pub fn to_numbers<T: Numbers>(t: &T) -> Vec<f64> {
    let mut out = Vec::new();
    t.put(&mut out);
    out
}

/// Numbers read back into a value: `None` unless they are exactly one value's.
pub fn from_numbers<T: Numbers>(v: &[f64]) -> Option<T> {
    let mut r = Reader(v);
    let t = T::take(&mut r)?;
    r.0.is_empty().then_some(t)
}

impl Numbers for f64 {
    fn put(&self, out: &mut Vec<f64>) {
        out.push(*self);
    }
    fn take(r: &mut Reader<'_>) -> Option<f64> {
        r.next()
    }
}

impl Numbers for u32 {
    fn put(&self, out: &mut Vec<f64>) {
        out.push(*self as f64);
    }
    fn take(r: &mut Reader<'_>) -> Option<u32> {
        r.whole(u32::MAX as f64).map(|x| x as u32)
    }
}

impl Numbers for u64 {
    fn put(&self, out: &mut Vec<f64>) {
        out.push(*self as f64);
    }
    fn take(r: &mut Reader<'_>) -> Option<u64> {
        // Counts of events: exact as f64 up to 2⁵³.
        r.whole(9_007_199_254_740_992.0).map(|x| x as u64)
    }
}

impl Numbers for usize {
    fn put(&self, out: &mut Vec<f64>) {
        out.push(*self as f64);
    }
    fn take(r: &mut Reader<'_>) -> Option<usize> {
        r.whole(u32::MAX as f64).map(|x| x as usize)
    }
}

impl Numbers for bool {
    fn put(&self, out: &mut Vec<f64>) {
        out.push(f64::from(u8::from(*self)));
    }
    fn take(r: &mut Reader<'_>) -> Option<bool> {
        r.whole(1.0).map(|x| x == 1.0)
    }
}

impl<T: Numbers> Numbers for Option<T> {
    fn put(&self, out: &mut Vec<f64>) {
        self.is_some().put(out);
        if let Some(t) = self {
            t.put(out);
        }
    }
    fn take(r: &mut Reader<'_>) -> Option<Option<T>> {
        if bool::take(r)? {
            T::take(r).map(Some)
        } else {
            Some(None)
        }
    }
}

impl<A: Numbers, B: Numbers> Numbers for (A, B) {
    fn put(&self, out: &mut Vec<f64>) {
        self.0.put(out);
        self.1.put(out);
    }
    fn take(r: &mut Reader<'_>) -> Option<(A, B)> {
        Some((A::take(r)?, B::take(r)?))
    }
}

impl<A: Numbers, B: Numbers, C: Numbers> Numbers for (A, B, C) {
    fn put(&self, out: &mut Vec<f64>) {
        self.0.put(out);
        self.1.put(out);
        self.2.put(out);
    }
    fn take(r: &mut Reader<'_>) -> Option<(A, B, C)> {
        Some((A::take(r)?, B::take(r)?, C::take(r)?))
    }
}

impl<A: Numbers, B: Numbers, C: Numbers, D: Numbers> Numbers for (A, B, C, D) {
    fn put(&self, out: &mut Vec<f64>) {
        self.0.put(out);
        self.1.put(out);
        self.2.put(out);
        self.3.put(out);
    }
    fn take(r: &mut Reader<'_>) -> Option<(A, B, C, D)> {
        Some((A::take(r)?, B::take(r)?, C::take(r)?, D::take(r)?))
    }
}

/// A list crosses as its length, then its items.
impl<T: Numbers> Numbers for Vec<T> {
    fn put(&self, out: &mut Vec<f64>) {
        self.len().put(out);
        for t in self {
            t.put(out);
        }
    }
    fn take(r: &mut Reader<'_>) -> Option<Vec<T>> {
        let n = usize::take(r)?;
        // Every item takes at least one number: a longer list cannot be in what is left.
        if n > r.0.len() {
            return None;
        }
        (0..n).map(|_| T::take(r)).collect()
    }
}

/// A pattern by its place in [`Pattern::ALL`].
impl Numbers for Pattern {
    fn put(&self, out: &mut Vec<f64>) {
        Pattern::ALL.iter().position(|q| q == self).unwrap_or(0).put(out);
    }
    fn take(r: &mut Reader<'_>) -> Option<Pattern> {
        Pattern::ALL.get(r.whole((Pattern::ALL.len() - 1) as f64)? as usize).copied()
    }
}

/// A struct of [`Numbers`] fields crosses as its fields in order.
macro_rules! numbers_struct {
    ($t:path { $($f:ident),* $(,)? }) => {
        impl $crate::stages::Numbers for $t {
            fn put(&self, out: &mut Vec<f64>) {
                $( $crate::stages::Numbers::put(&self.$f, out); )*
            }
            fn take(r: &mut $crate::stages::Reader<'_>) -> Option<Self> {
                Some(Self { $( $f: $crate::stages::Numbers::take(r)?, )* })
            }
        }
    };
}
pub(crate) use numbers_struct;

numbers_struct!(perfmodel::sim::Percentiles { mean, p50, p95, p99, p999, max });

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_cross_unchanged_and_wrong_shapes_are_refused() {
        let v = (Pattern::Tokio, Some(2.5f64), (7u32, false));
        assert_eq!(from_numbers::<(Pattern, Option<f64>, (u32, bool))>(&to_numbers(&v)), Some(v));
        assert_eq!(from_numbers::<Option<u32>>(&[0.0]), Some(None));
        assert_eq!(from_numbers::<u32>(&[1.5]), None, "whole numbers only");
        assert_eq!(from_numbers::<u32>(&[-1.0]), None);
        assert_eq!(from_numbers::<bool>(&[2.0]), None);
        assert_eq!(from_numbers::<Pattern>(&[9.0]), None, "no such pattern");
        assert_eq!(from_numbers::<u32>(&[1.0, 2.0]), None, "numbers left over");
        assert_eq!(from_numbers::<(u32, u32)>(&[1.0]), None, "numbers missing");
        let list = vec![(1.5f64, 2u32, 3u32, 4u32), (0.0, 0, 0, 0)];
        assert_eq!(from_numbers::<Vec<(f64, u32, u32, u32)>>(&to_numbers(&list)), Some(list));
        assert_eq!(from_numbers::<Vec<f64>>(&[3.0, 1.0]), None, "a list longer than its numbers");
        assert_eq!(from_numbers::<Vec<f64>>(&[0.0]), Some(vec![]));
    }
}
