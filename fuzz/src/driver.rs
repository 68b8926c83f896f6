//! Runs a target on pseudo-random inputs within a budget of inputs and
//! seconds, turns panics into failures, and stops at the first failure
//! with the input that caused it. A watchdog reports an input that hangs.

use std::cell::RefCell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::rng::{fnv1a, SplitMix64};
use crate::targets::Target;

/// Longest input the driver makes; targets read their structure from it.
pub const MAX_INPUT: usize = 4096;
/// An input that runs this long counts as a hang.
pub const HANG_AFTER: Duration = Duration::from_secs(20);

/// When to stop: after `inputs` inputs or `seconds`, whichever comes first.
#[derive(Clone, Copy, Debug)]
pub struct Budget {
    pub inputs: Option<u64>,
    pub seconds: Option<f64>,
}

/// What one target's run did.
#[derive(Debug)]
pub struct Outcome {
    pub inputs: u64,
    pub elapsed: Duration,
    pub failure: Option<Failure>,
}

/// An input on which the target panicked or broke an invariant.
#[derive(Clone, Debug)]
pub struct Failure {
    /// Which input of the run (0-based).
    pub index: u64,
    pub input: Vec<u8>,
    pub reason: String,
}

/// The `index`th input of a run of `target` with `seed`: the same on every
/// machine, so a failure can be made again from its seed and index.
pub fn input(seed: u64, target: &str, index: u64) -> Vec<u8> {
    let mut rng = SplitMix64::new(seed ^ fnv1a(target) ^ index.wrapping_mul(0xd6e8_feb8_6659_fd93));
    // Lengths spread over every scale up to MAX_INPUT: mostly short inputs
    // (fast), sometimes long ones (big messages, many parts).
    let scale = 1 + rng.below(u64::from(MAX_INPUT.ilog2()) + 1);
    let len = rng.below(1 << scale) as usize;
    let mut bytes = vec![0; len.min(MAX_INPUT)];
    rng.fill(&mut bytes);
    bytes
}

/// Runs `target` on one input; a panic or a broken invariant is an error.
pub fn check(target: &Target, input: &[u8]) -> Result<(), String> {
    LAST_PANIC.with(|last| last.borrow_mut().take());
    match panic::catch_unwind(AssertUnwindSafe(|| (target.run)(input))) {
        Ok(Ok(())) => Ok(()),
        Ok(Err(violation)) => Err(format!("invariant broken: {}", violation.0)),
        Err(payload) => {
            let recorded = LAST_PANIC.with(|last| last.borrow_mut().take());
            Err(recorded.unwrap_or_else(|| {
                let message = payload
                    .downcast_ref::<&str>()
                    .map(|text| text.to_string())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "a panic without a message".to_string());
                format!("panicked: {message}")
            }))
        }
    }
}

/// Feeds `target` inputs `0, 1, 2, ...` of `seed` until the budget is spent
/// or an input fails.
pub fn run(target: &Target, seed: u64, budget: Budget) -> Outcome {
    let started = Instant::now();
    let deadline = budget
        .seconds
        .map(|seconds| started + Duration::from_secs_f64(seconds));
    let max_inputs = budget.inputs.unwrap_or(u64::MAX);
    let watchdog = Watchdog::start(target.name, seed);
    let mut index = 0;
    let mut failure = None;
    while index < max_inputs {
        // Reading the clock every input would cost more than small inputs do.
        if index.is_multiple_of(256) && deadline.is_some_and(|deadline| Instant::now() >= deadline)
        {
            break;
        }
        watchdog.at(index);
        let bytes = input(seed, target.name, index);
        if let Err(reason) = check(target, &bytes) {
            failure = Some(Failure {
                index,
                input: bytes,
                reason,
            });
            index += 1;
            break;
        }
        index += 1;
    }
    watchdog.stop();
    Outcome {
        inputs: index,
        elapsed: started.elapsed(),
        failure,
    }
}

thread_local! {
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Replaces the default panic message (printed for every caught panic) with
/// a record that [`check`] reports with the failing input.
pub fn quiet_panics() {
    panic::set_hook(Box::new(|info| {
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|text| text.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".to_string());
        let location = info
            .location()
            .map(|at| format!(" at {}:{}", at.file(), at.line()))
            .unwrap_or_default();
        let record = format!("panicked{location}: {message}");
        LAST_PANIC.with(|last| *last.borrow_mut() = Some(record));
    }));
}

/// A thread that watches the index of the input being run; if it does not
/// move for [`HANG_AFTER`], it prints that input and ends the process.
struct Watchdog {
    index: Arc<AtomicU64>,
    done: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Watchdog {
    fn start(target: &'static str, seed: u64) -> Watchdog {
        let index = Arc::new(AtomicU64::new(0));
        let done = Arc::new(AtomicBool::new(false));
        let thread = {
            let (index, done) = (index.clone(), done.clone());
            std::thread::spawn(move || {
                let mut last = u64::MAX;
                let mut since = Instant::now();
                while !done.load(Ordering::Relaxed) {
                    std::thread::park_timeout(Duration::from_millis(200));
                    let now = index.load(Ordering::Relaxed);
                    if now != last {
                        (last, since) = (now, Instant::now());
                    } else if since.elapsed() >= HANG_AFTER && !done.load(Ordering::Relaxed) {
                        let bytes = input(seed, target, now);
                        eprintln!(
                            "{target}: input {now} of seed {seed} runs for over {} s (hang); input (hex):\n{}",
                            HANG_AFTER.as_secs(),
                            crate::hex::encode(&bytes)
                        );
                        std::process::exit(1);
                    }
                }
            })
        };
        Watchdog {
            index,
            done,
            thread: Some(thread),
        }
    }

    fn at(&self, index: u64) {
        self.index.store(index, Ordering::Relaxed);
    }

    fn stop(mut self) {
        self.done.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            thread.thread().unpark();
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::targets::Violation;

    fn panics_on_0xff(input: &[u8]) -> Result<(), Violation> {
        if input.first() == Some(&0xff) {
            panic!("found it");
        }
        Ok(())
    }

    fn refuses_long_inputs(input: &[u8]) -> Result<(), Violation> {
        if input.len() > 100 {
            return Err(Violation("too long".to_string()));
        }
        Ok(())
    }

    #[test]
    fn inputs_are_reproducible_and_vary() {
        assert_eq!(input(1, "frame", 5), input(1, "frame", 5));
        assert_ne!(input(1, "frame", 5), input(1, "frame", 6));
        assert_ne!(input(1, "frame", 5), input(1, "range", 5));
        let longest = (0..2000).map(|i| input(9, "x", i).len()).max();
        assert!(longest.is_some_and(|len| len > MAX_INPUT / 2 && len <= MAX_INPUT));
    }

    #[test]
    fn a_panic_stops_the_run_with_its_input() {
        let target = Target {
            name: "test-panic",
            about: "",
            run: panics_on_0xff,
        };
        let outcome = run(
            &target,
            1,
            Budget {
                inputs: Some(1_000_000),
                seconds: None,
            },
        );
        let failure = outcome.failure.expect("some input starts with 0xff");
        assert_eq!(failure.input[0], 0xff);
        assert_eq!(outcome.inputs, failure.index + 1);
        assert!(failure.reason.contains("found it"), "{}", failure.reason);
        assert_eq!(failure.input, input(1, "test-panic", failure.index));
        assert!(check(&target, &failure.input).is_err());
    }

    #[test]
    fn a_broken_invariant_is_a_failure_and_the_budget_is_kept() {
        let target = Target {
            name: "test-invariant",
            about: "",
            run: refuses_long_inputs,
        };
        let failed = run(
            &target,
            1,
            Budget {
                inputs: Some(10_000),
                seconds: None,
            },
        );
        assert!(failed.failure.unwrap().reason.contains("too long"));
        let target = Target {
            name: "test-budget",
            about: "",
            run: |_| Ok(()),
        };
        let outcome = run(
            &target,
            1,
            Budget {
                inputs: Some(500),
                seconds: Some(60.0),
            },
        );
        assert_eq!(outcome.inputs, 500);
        assert!(outcome.failure.is_none());
    }
}
