//! Part of PerfOrch's Rust driver (perforch_driver.rs declares it as its `render` module):
//! the canonical text of results and arguments, and `Probe`, which the generated glue calls.

use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap, HashSet, LinkedList, VecDeque};
use std::fmt::{Debug, Write as _};

/// Canonical text: equal values give equal text; unordered containers are sorted.
pub trait Render {
    fn render(&self, out: &mut String);
}

macro_rules! by_display {
    ($($t:ty),*) => {$(impl Render for $t {
        fn render(&self, out: &mut String) { let _ = write!(out, "{}", self); }
    })*};
}
by_display!(i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize, bool);
macro_rules! by_debug {
    ($($t:ty),*) => {$(impl Render for $t {
        // Debug prints floats round-trippably (shortest text that reads back the same).
        fn render(&self, out: &mut String) { let _ = write!(out, "{:?}", self); }
    })*};
}
by_debug!(f32, f64, char, str, String, ());

macro_rules! transparent {
    ($($t:ty),*) => {$(impl<T: Render + ?Sized> Render for $t {
        fn render(&self, out: &mut String) { (**self).render(out) }
    })*};
}
transparent!(&T, &mut T, Box<T>, std::rc::Rc<T>, std::sync::Arc<T>);

impl<T: Render + ToOwned + ?Sized> Render for std::borrow::Cow<'_, T> {
    fn render(&self, out: &mut String) {
        (**self).render(out)
    }
}
impl<T: Render> Render for Option<T> {
    fn render(&self, out: &mut String) {
        match self {
            Some(v) => wrap(out, "Some(", v, ")"),
            None => out.push_str("None"),
        }
    }
}
impl<T: Render, E: Render> Render for Result<T, E> {
    fn render(&self, out: &mut String) {
        match self {
            Ok(v) => wrap(out, "Ok(", v, ")"),
            Err(e) => wrap(out, "Err(", e, ")"),
        }
    }
}
impl<T: Render + ?Sized> Render for std::cell::RefCell<T> {
    fn render(&self, out: &mut String) {
        self.borrow().render(out)
    }
}
impl<T: Render + Copy> Render for std::cell::Cell<T> {
    fn render(&self, out: &mut String) {
        self.get().render(out)
    }
}

fn wrap(out: &mut String, open: &str, value: &dyn Render, close: &str) {
    out.push_str(open);
    value.render(out);
    out.push_str(close);
}

fn sequence<'a, T: Render + 'a>(out: &mut String, items: impl Iterator<Item = &'a T>) {
    out.push('[');
    for (i, item) in items.enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        item.render(out);
    }
    out.push(']');
}

fn sorted(out: &mut String, open: char, mut texts: Vec<String>, close: char) {
    texts.sort_unstable();
    out.push(open);
    out.push_str(&texts.join(", "));
    out.push(close);
}

fn text(value: &(impl Render + ?Sized)) -> String {
    let mut out = String::new();
    value.render(&mut out);
    out
}

impl<T: Render> Render for [T] {
    fn render(&self, out: &mut String) {
        sequence(out, self.iter())
    }
}
impl<T: Render, const N: usize> Render for [T; N] {
    fn render(&self, out: &mut String) {
        sequence(out, self.iter())
    }
}
impl<T: Render> Render for Vec<T> {
    fn render(&self, out: &mut String) {
        sequence(out, self.iter())
    }
}
impl<T: Render> Render for VecDeque<T> {
    fn render(&self, out: &mut String) {
        sequence(out, self.iter())
    }
}
impl<T: Render> Render for LinkedList<T> {
    fn render(&self, out: &mut String) {
        sequence(out, self.iter())
    }
}
impl<T: Render> Render for BTreeSet<T> {
    fn render(&self, out: &mut String) {
        sorted(out, '{', self.iter().map(text).collect(), '}')
    }
}
impl<T: Render, S> Render for HashSet<T, S> {
    fn render(&self, out: &mut String) {
        sorted(out, '{', self.iter().map(text).collect(), '}')
    }
}
// A heap's internal order depends on how it was built; its value is the multiset.
impl<T: Render + Ord> Render for BinaryHeap<T> {
    fn render(&self, out: &mut String) {
        sorted(out, '[', self.iter().map(text).collect(), ']')
    }
}
impl<K: Render, V: Render> Render for BTreeMap<K, V> {
    fn render(&self, out: &mut String) {
        let entries = self
            .iter()
            .map(|(k, v)| format!("{}: {}", text(k), text(v)));
        sorted(out, '{', entries.collect(), '}')
    }
}
impl<K: Render, V: Render, S> Render for HashMap<K, V, S> {
    fn render(&self, out: &mut String) {
        let entries = self
            .iter()
            .map(|(k, v)| format!("{}: {}", text(k), text(v)));
        sorted(out, '{', entries.collect(), '}')
    }
}

macro_rules! tuples {
    ($(($($name:ident . $index:tt),+))*) => {$(
        impl<$($name: Render),+> Render for ($($name,)+) {
            fn render(&self, out: &mut String) {
                out.push('(');
                $( if $index > 0 { out.push_str(", "); } self.$index.render(out); )+
                if [$($index),+].len() == 1 { out.push(','); }
                out.push(')');
            }
        }
    )*};
}
tuples! {
    (A.0) (A.0, B.1) (A.0, B.1, C.2) (A.0, B.1, C.2, D.3) (A.0, B.1, C.2, D.3, E.4)
    (A.0, B.1, C.2, D.3, E.4, F.5) (A.0, B.1, C.2, D.3, E.4, F.5, G.6)
    (A.0, B.1, C.2, D.3, E.4, F.5, G.6, H.7)
}

/// `Probe(&value).text()`: `Render` when the type has it, else its `Debug` (user types).
/// Method lookup prefers the impl needing fewer auto-references ("autoref specialisation").
pub struct Probe<'a, T: ?Sized>(pub &'a T);
pub trait ByRender {
    fn text(&self) -> String;
}
impl<T: Render + ?Sized> ByRender for Probe<'_, T> {
    fn text(&self) -> String {
        text(self.0)
    }
}
pub trait ByDebug {
    fn text(&self) -> String;
}
impl<T: Debug + ?Sized> ByDebug for &Probe<'_, T> {
    fn text(&self) -> String {
        format!("{:?}", self.0)
    }
}
