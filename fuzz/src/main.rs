//! `schat-fuzz`: runs the fuzz targets for a number of inputs or seconds,
//! prints inputs per second, and on a panic or broken invariant saves the
//! input (hex) and exits 1. `--replay FILE` runs one saved input again.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use clap::Parser;
use schat_fuzz::targets::{by_name, TARGETS};
use schat_fuzz::{driver, hex, Budget, Target};

#[derive(Debug, Parser)]
#[command(
    name = "schat-fuzz",
    about = "Structure-aware fuzzing of schat's decoders",
    after_help = "Without --inputs or --seconds, each target runs for 10 seconds."
)]
struct Args {
    /// A target name (see --list), or `all` to run each in turn.
    #[arg(long, default_value = "all")]
    target: String,
    /// Stop each target after this many inputs.
    #[arg(long)]
    inputs: Option<u64>,
    /// Stop each target after this many seconds.
    #[arg(long)]
    seconds: Option<f64>,
    /// Seed of the inputs (default: from the clock; printed, so a run can be repeated).
    #[arg(long)]
    seed: Option<u64>,
    /// Where failing inputs are saved.
    #[arg(long, default_value = "target/fuzz-failures")]
    failures: PathBuf,
    /// Run the one input saved (hex) in this file against --target.
    #[arg(long)]
    replay: Option<PathBuf>,
    /// List the targets and what they check.
    #[arg(long)]
    list: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    if args.list {
        for target in &TARGETS {
            println!("{:<10} {}", target.name, target.about);
        }
        return ExitCode::SUCCESS;
    }
    let targets: Vec<&Target> = if args.target == "all" {
        TARGETS.iter().collect()
    } else if let Some(target) = by_name(&args.target) {
        vec![target]
    } else {
        eprintln!("unknown target {:?}; --list shows them", args.target);
        return ExitCode::from(2);
    };
    driver::quiet_panics();
    if let Some(path) = &args.replay {
        return replay(&targets, path);
    }
    let seed = args.seed.unwrap_or_else(seed_from_clock);
    let budget = match (args.inputs, args.seconds) {
        (None, None) => Budget {
            inputs: None,
            seconds: Some(10.0),
        },
        (inputs, seconds) => Budget { inputs, seconds },
    };
    println!("seed {seed}");
    let (mut total_inputs, mut total_secs) = (0u64, 0f64);
    for target in targets {
        let outcome = driver::run(target, seed, budget);
        let secs = outcome.elapsed.as_secs_f64();
        (total_inputs, total_secs) = (total_inputs + outcome.inputs, total_secs + secs);
        println!(
            "{:<10} {:>12} inputs in {:>7.1} s, {:>10} inputs/s",
            target.name,
            grouped(outcome.inputs),
            secs,
            grouped((outcome.inputs as f64 / secs.max(1e-9)) as u64)
        );
        if let Some(failure) = outcome.failure {
            let path = args
                .failures
                .join(format!("{}-seed{seed}-{}.hex", target.name, failure.index));
            let saved = save(&path, &failure.input);
            eprintln!(
                "{}: input {} of seed {seed} failed: {}\ninput ({} bytes, hex): {}",
                target.name,
                failure.index,
                failure.reason,
                failure.input.len(),
                hex::encode(&failure.input)
            );
            match saved {
                Ok(()) => eprintln!(
                    "saved to {}; replay with: schat-fuzz --target {} --replay {}",
                    path.display(),
                    target.name,
                    path.display()
                ),
                Err(err) => eprintln!("could not save it to {}: {err}", path.display()),
            }
            return ExitCode::FAILURE;
        }
    }
    println!(
        "{:<10} {:>12} inputs in {:>7.1} s, no failures",
        "total",
        grouped(total_inputs),
        total_secs
    );
    ExitCode::SUCCESS
}

fn replay(targets: &[&Target], path: &Path) -> ExitCode {
    let input = match std::fs::read_to_string(path).map(|text| hex::decode(&text)) {
        Ok(Some(input)) => input,
        Ok(None) => {
            eprintln!("{} does not hold hex digits", path.display());
            return ExitCode::from(2);
        }
        Err(err) => {
            eprintln!("cannot read {}: {err}", path.display());
            return ExitCode::from(2);
        }
    };
    let mut failed = false;
    for target in targets {
        match driver::check(target, &input) {
            Ok(()) => println!("{}: passes", target.name),
            Err(reason) => {
                println!("{}: {reason}", target.name);
                failed = true;
            }
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn save(path: &Path, input: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, hex::encode(input) + "\n")
}

fn seed_from_clock() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|since| since.as_nanos() as u64)
        .unwrap_or(0)
}

/// `12345678` as `12,345,678`.
fn grouped(number: u64) -> String {
    let digits = number.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped_by_thousands() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1000), "1,000");
        assert_eq!(grouped(10_000_000), "10,000,000");
    }
}
