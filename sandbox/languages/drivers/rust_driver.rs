//! PerfOrch's Rust driver: calls the target function on the cases from inputs.rs.
//!
//! Speaks the driver protocol in sandbox/languages/_protocol.py. The file under test stays the
//! crate root (so its private items and `crate::` paths work); this module and the generated
//! glue (perforch_call.rs, which includes inputs.rs) are declared at its end. The glue hands
//! `drive` the cases and two closures that call the target on a fresh copy of a case (owned
//! parameters get their field moved, `&`/`&mut` ones a borrow): `call`, the timed one, returns
//! what the sink keeps; `observe` renders the result and the arguments after the call.
#![allow(warnings)]

/// Helpers for inputs.rs, which sees this module as `perforch`.
pub mod perforch {
    /// A small fixed-seed generator (SplitMix64): the same seed gives the same inputs everywhere.
    #[derive(Clone, Debug)]
    pub struct Rng(u64);

    impl Rng {
        pub fn new(seed: u64) -> Rng {
            Rng(seed)
        }
        pub fn u64(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }
        /// A uniform integer in `lo..=hi`.
        pub fn int(&mut self, lo: i64, hi: i64) -> i64 {
            assert!(lo <= hi, "perforch::Rng::int: lo > hi");
            let span = (hi as i128 - lo as i128 + 1) as u128;
            (lo as i128 + (self.u64() as u128 % span) as i128) as i64
        }
        /// A uniform index in `0..n`.
        pub fn below(&mut self, n: usize) -> usize {
            assert!(n > 0, "perforch::Rng::below: n is 0");
            (self.u64() % n as u64) as usize
        }
        /// A uniform float in `[0, 1)`.
        pub fn float(&mut self) -> f64 {
            (self.u64() >> 11) as f64 / (1u64 << 53) as f64
        }
        pub fn bool(&mut self) -> bool {
            self.u64() & 1 == 1
        }
        /// `n` values made by `make`, e.g. `rng.vec(1000, |r| r.int(0, 99) as i32)`.
        pub fn vec<T>(&mut self, n: usize, mut make: impl FnMut(&mut Rng) -> T) -> Vec<T> {
            (0..n).map(|_| make(self)).collect()
        }
        /// `n` characters drawn from `alphabet`.
        pub fn string(&mut self, n: usize, alphabet: &str) -> String {
            let chars: Vec<char> = alphabet.chars().collect();
            (0..n).map(|_| chars[self.below(chars.len())]).collect()
        }
        pub fn shuffle<T>(&mut self, items: &mut [T]) {
            for i in (1..items.len()).rev() {
                items.swap(i, self.below(i + 1));
            }
        }
    }
}

/// Fixed bytes for std's `getrandom` (its HashMap/HashSet seeds): std looks the symbol up
/// weakly, so this definition wins and every run of either version hashes alike.
#[no_mangle]
pub unsafe extern "C" fn getrandom(buffer: *mut u8, length: usize, _flags: u32) -> isize {
    static STATE: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0x5EED);
    for i in 0..length {
        let step = STATE.fetch_add(0x9E37_79B9_7F4A_7C15, std::sync::atomic::Ordering::Relaxed);
        *buffer.add(i) = (step.wrapping_mul(0xBF58_476D_1CE4_E5B9) >> 56) as u8;
    }
    length as isize
}

use std::fmt::Write as _;
use std::fs::File;
use std::hint::black_box;
use std::io::Write;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Instant;

const MIN_SAMPLE_NS: u128 = 10_000_000;
const CHUNK_CALLS: usize = 4096;
// Fresh copies prepared per timed chunk are also bounded by their size (measured as RSS).
const CHUNK_BYTES: usize = 64 << 20;
/// `cases` mode: the timed calls of each case add up to at least this.
const CASE_SAMPLE_NS: u128 = 2_000_000;

// Canonical text and `Probe` (perforch_driver_render.rs; a path relative to this file).
#[path = "perforch_driver_render.rs"]
mod render;
pub use render::{ByDebug, ByRender, Probe, Render};

struct Out(File);

impl Out {
    fn emit(&mut self, record: &str) {
        let _ = self.0.write_all(record.as_bytes());
        let _ = self.0.write_all(b"\n");
    }
}

fn json(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    let message = if let Some(s) = payload.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "Box<dyn Any>".to_string()
    };
    format!("panic: {}", message)
}

extern "C" {
    fn dup(fd: i32) -> i32;
    fn dup2(from: i32, to: i32) -> i32;
    fn getrusage(who: i32, usage: *mut Rusage) -> i32;
}

#[repr(C)]
struct Rusage {
    utime: [i64; 2],
    stime: [i64; 2],
    rest: [i64; 14],
}

/// The protocol's stdout; fd 1 becomes stderr, so prints in the target don't corrupt it.
fn protocol_stdout() -> Out {
    use std::os::unix::io::FromRawFd;
    unsafe {
        let fd = dup(1);
        dup2(2, 1);
        Out(File::from_raw_fd(fd))
    }
}

fn closing(iterations: u64) -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let peak = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .unwrap_or(0);
    let mut usage = Rusage {
        utime: [0; 2],
        stime: [0; 2],
        rest: [0; 14],
    };
    unsafe { getrusage(0, &mut usage) };
    let cpu_ns = (usage.utime[0] + usage.stime[0]) as u64 * 1_000_000_000
        + (usage.utime[1] + usage.stime[1]) as u64 * 1_000;
    format!(
        "{{\"peak_rss_kb\": {}, \"cpu_ns\": {}, \"iterations\": {}}}",
        peak, cpu_ns, iterations
    )
}

fn resident_bytes() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse::<usize>().ok());
    pages.unwrap_or(0) * 4096
}

fn fail(message: &str) -> i32 {
    eprintln!("perforch: {}", message);
    3
}

/// The driver's entry point, called by the glue with this function's cases and closures:
/// `call` (timed; returns what the sink keeps) and `observe` (the result's and the arguments'
/// texts after one call on a fresh copy; the second argument is the untouched original).
pub fn drive<C: Clone, R>(
    cases: impl FnOnce() -> Vec<C>,
    mut call: impl FnMut(C) -> R,
    mut observe: impl FnMut(C, &C) -> (String, String),
) -> i32 {
    reset_peak_rss();
    let mut out = protocol_stdout();
    let args: Vec<String> = std::env::args().collect();
    let cases = match catch_unwind(AssertUnwindSafe(cases)) {
        Ok(cases) => cases,
        Err(payload) => {
            return fail(&format!(
                "perforch_inputs() failed: {}",
                panic_text(&*payload)
            ))
        }
    };
    if cases.is_empty() {
        return fail("perforch_inputs() in inputs.rs returned no cases");
    }
    std::panic::set_hook(Box::new(|_| {})); // a panic is reported as the case's output
    match args.get(1).map(String::as_str) {
        Some("outputs") => {
            for (index, case) in cases.iter().enumerate() {
                let record = match catch_unwind(AssertUnwindSafe(|| observe(case.clone(), case))) {
                    Ok((result, after)) => format!(
                        "{{\"case\": {}, \"result\": {}, \"args\": {}}}",
                        index,
                        json(&result),
                        json(&after)
                    ),
                    Err(payload) => format!(
                        "{{\"case\": {}, \"error\": {}}}",
                        index,
                        json(&panic_text(&*payload))
                    ),
                };
                out.emit(&record);
            }
            out.emit(&closing(1));
            0
        }
        Some("bench") => {
            let number = |i: usize| args.get(i).and_then(|a| a.parse::<u64>().ok());
            match (number(2), number(3), number(4)) {
                (Some(iterations), Some(samples), Some(warmup_ms)) => {
                    bench(&mut out, &cases, &mut call, iterations, samples, warmup_ms);
                    0
                }
                _ => {
                    eprintln!("perforch: usage: bench ITERATIONS SAMPLES WARMUP_MS");
                    2
                }
            }
        }
        Some("cases") => {
            time_each(&mut out, &cases, &mut call);
            0
        }
        other => {
            eprintln!(
                "perforch: unknown driver mode {:?}; use outputs, bench or cases",
                other
            );
            2
        }
    }
}

fn bench<C: Clone, R>(
    out: &mut Out,
    cases: &[C],
    call: &mut impl FnMut(C) -> R,
    mut iterations: u64,
    samples: u64,
    warmup_ms: u64,
) {
    let per_chunk = passes_per_chunk(cases);
    if iterations == 0 {
        iterations = 1;
        // A busy machine stretches wall time, which would end calibration too early: count
        // the smaller of wall and CPU time, and the fastest of three has to clear the minimum
        // with a margin.
        let measure = |call: &mut _, iterations| {
            let (wall, cpu) = timed_passes(cases, call, iterations, per_chunk);
            wall.min(cpu)
        };
        loop {
            let mut elapsed = measure(call, iterations);
            if elapsed >= MIN_SAMPLE_NS {
                for _ in 0..2 {
                    elapsed = elapsed.min(measure(call, iterations));
                }
                if elapsed >= MIN_SAMPLE_NS * 5 / 4 {
                    // Scaled to that margin, down as well as up: doubling past a try just under
                    // the minimum overshoots by up to 2x, and every sample would pay for it.
                    let scaled = iterations as f64 * (MIN_SAMPLE_NS * 5 / 4) as f64 / elapsed as f64;
                    iterations = (scaled.ceil() as u64).max(1);
                    break;
                }
            }
            let grow = (MIN_SAMPLE_NS as f64 * 1.4 / elapsed.max(1) as f64).min(100.0);
            let grown = (iterations as f64 * grow).ceil() as u64;
            iterations = if elapsed < MIN_SAMPLE_NS {
                grown.max(iterations * 2)
            } else {
                grown.max(iterations + 1)
            };
        }
        out.emit(&format!("{{\"calibrated\": {}}}", iterations));
    }
    // At least one round, then rounds until warmup_ms has passed. A round under the minimum (the
    // count was calibrated under load, or in another process) raises the count to 1.2x the
    // minimum and warm-up goes on; the samples use the count it ends with. A raised count must
    // clear 1.1x in the faster of two rounds: it was scaled from a round that may not represent
    // the rest, and one preempted round could pass for long enough.
    let warmup = Instant::now();
    let (mut least, mut rounds) = (MIN_SAMPLE_NS, 1);
    loop {
        // The smaller of wall and CPU time, as in calibration: a preempted round is no proof.
        let elapsed = (0..rounds)
            .map(|_| {
                let (wall, cpu) = timed_passes(cases, call, iterations, per_chunk);
                wall.min(cpu)
            })
            .min()
            .unwrap_or(0);
        if elapsed < least {
            least = MIN_SAMPLE_NS * 11 / 10;
            rounds = 2;
            let wanted = (MIN_SAMPLE_NS as f64 * 1.2 / elapsed.max(1) as f64).min(100.0);
            iterations = ((iterations as f64 * wanted).ceil() as u64).max(iterations + 1);
        } else if warmup.elapsed().as_millis() >= warmup_ms as u128 {
            break;
        }
    }
    for _ in 0..samples {
        let (ns, _) = timed_passes(cases, call, iterations, per_chunk);
        out.emit(&format!("{{\"ns\": {}}}", ns));
    }
    out.emit(&closing(iterations));
}

/// Each case timed on its own (which inputs cost the most): one untimed call, then batches of
/// calls on fresh copies until `CASE_SAMPLE_NS` of calls, each batch sized from the time per
/// call so far. A panicking call is timed like any other.
fn time_each<C: Clone, R>(out: &mut Out, cases: &[C], call: &mut impl FnMut(C) -> R) {
    for index in 0..cases.len() {
        let case = &cases[index..=index];
        let per_chunk = passes_per_chunk(case);
        timed_passes(case, call, 1, per_chunk); // warm: caches, lazy initialisation
        let (mut calls, mut batch, mut elapsed) = (0u64, 1u64, 0u128);
        while elapsed < CASE_SAMPLE_NS {
            elapsed += timed_passes(case, call, batch, per_chunk).0;
            calls += batch;
            let per_call = elapsed.max(1) as f64 / calls as f64;
            let wanted = ((CASE_SAMPLE_NS.saturating_sub(elapsed)) as f64 / per_call).ceil();
            batch = (wanted as u64).clamp(1, batch * 2);
        }
        out.emit(&format!(
            "{{\"case\": {}, \"ns_per_call\": {:.3}}}",
            index,
            elapsed as f64 / calls as f64
        ));
    }
}

/// Passes over all cases whose fresh copies fit in one chunk (at least one).
fn passes_per_chunk<C: Clone>(cases: &[C]) -> u64 {
    let before = resident_bytes();
    let copies: Vec<C> = black_box(cases.to_vec());
    let bytes = resident_bytes().saturating_sub(before).max(1);
    drop(copies);
    (CHUNK_CALLS / cases.len()).min(CHUNK_BYTES / bytes).max(1) as u64
}

/// Wall and CPU nanoseconds for `passes` passes over all cases. Copies are made before the
/// clocks start; results (with the borrowed arguments) stay in `sink`, dropped after they stop.
fn timed_passes<C: Clone, R>(
    cases: &[C],
    call: &mut impl FnMut(C) -> R,
    passes: u64,
    per_chunk: u64,
) -> (u128, u128) {
    let mut total = 0u128;
    let mut cpu = 0u128;
    let mut done = 0u64;
    let mut sink: Vec<R> = Vec::new();
    while done < passes {
        let chunk = per_chunk.min(passes - done);
        let mut batch: Vec<C> = Vec::with_capacity(chunk as usize * cases.len());
        for _ in 0..chunk {
            batch.extend(cases.iter().cloned());
        }
        sink.clear();
        sink.reserve(batch.len());
        let mut pending = black_box(batch).into_iter();
        let cpu_start = thread_cpu_ns();
        let start = Instant::now();
        // One landing pad for the whole chunk: a panicking call is skipped, the rest run.
        while catch_unwind(AssertUnwindSafe(|| {
            for case in &mut pending {
                sink.push(call(case));
            }
        }))
        .is_err()
        {}
        total += start.elapsed().as_nanos();
        cpu += thread_cpu_ns() - cpu_start;
        black_box(&sink);
        done += chunk;
    }
    drop(black_box(sink));
    (total, cpu)
}

#[repr(C)]
struct Timespec {
    seconds: i64,
    nanoseconds: i64,
}

extern "C" {
    fn clock_gettime(clock: i32, time: *mut Timespec) -> i32;
}

/// This thread's CPU time (CLOCK_THREAD_CPUTIME_ID): unlike wall time it does not grow while
/// other processes have the CPU.
fn thread_cpu_ns() -> u128 {
    let mut time = Timespec {
        seconds: 0,
        nanoseconds: 0,
    };
    unsafe { clock_gettime(3, &mut time) };
    time.seconds as u128 * 1_000_000_000 + time.nanoseconds as u128
}

fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// The process entry point (the crate is built with `#![no_main]`, so a `main` in the file
/// under test stays an ordinary function).
#[no_mangle]
pub extern "C" fn main(_argc: i32, _argv: *const *const u8) -> i32 {
    super::__perforch_call::__perforch_run()
}
