//! The fuzz targets, one per decoder that reads untrusted bytes, and the
//! table the driver picks them from.

pub mod client;
pub mod envelope;
pub mod file_url;
pub mod frame;
pub mod range;
pub mod token;
pub mod upload;

/// One fuzz target: a function of raw bytes that must not panic and
/// returns the first invariant it finds broken.
#[derive(Clone, Copy, Debug)]
pub struct Target {
    pub name: &'static str,
    /// What the target exercises, for `--list`.
    pub about: &'static str,
    pub run: fn(&[u8]) -> Result<(), Violation>,
}

/// An invariant that did not hold, said in a sentence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation(pub String);

/// Returns a [`Violation`] from the enclosing function unless `$cond` holds.
#[macro_export]
macro_rules! ensure {
    ($cond:expr, $($message:tt)+) => {
        if !$cond {
            return Err($crate::targets::Violation(format!($($message)+)));
        }
    };
}

/// Every target, in the order `--target all` runs them.
pub const TARGETS: [Target; 7] = [
    Target {
        name: "frame",
        about: "FrameCodec: byte streams split anywhere, against a model decoder; encode/decode round trips; buffer growth",
        run: frame::run,
    },
    Target {
        name: "client",
        about: "ClientMessage with every request body: generated, round-tripped, mutated, decoded; field rules",
        run: client::run,
    },
    Target {
        name: "envelope",
        about: "Envelope headers as disp and every link decode them, and their DispControl / ServerMsg bodies",
        run: envelope::run,
    },
    Target {
        name: "upload",
        about: "multipart upload bodies through multer with file_serv's constraints, split anywhere",
        run: upload::run,
    },
    Target {
        name: "file_url",
        about: "FileUrl and Scope parsing: valid URLs round-trip, nothing else parses",
        run: file_url::run,
    },
    Target {
        name: "range",
        about: "Range header parsing against file lengths: parts within the file, exact answers for simple forms",
        run: range::run,
    },
    Target {
        name: "token",
        about: "signed session and file tokens: sealed ones open, only the exact signed text verifies",
        run: token::run,
    },
];

/// The target called `name`.
pub fn by_name(name: &str) -> Option<&'static Target> {
    TARGETS.iter().find(|target| target.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every target survives a spread of inputs from a fixed seed, so a
    /// broken harness shows up in `cargo test`, not only in a long run.
    #[test]
    fn every_target_passes_a_short_run() {
        for target in &TARGETS {
            let outcome = crate::driver::run(
                target,
                0x5eed,
                crate::Budget {
                    inputs: Some(3000),
                    seconds: None,
                },
            );
            if let Some(failure) = outcome.failure {
                panic!(
                    "{}: input {} failed: {}\n{}",
                    target.name,
                    failure.index,
                    failure.reason,
                    crate::hex::encode(&failure.input)
                );
            }
        }
    }

    #[test]
    fn names_are_unique() {
        for (i, target) in TARGETS.iter().enumerate() {
            assert_eq!(by_name(target.name).map(|t| t.name), Some(target.name));
            assert!(TARGETS[..i].iter().all(|other| other.name != target.name));
        }
    }
}
