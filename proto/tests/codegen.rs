//! The generated code in `src/gen/` is checked in so that builds need no
//! protoc. This test regenerates it from `proto/*.proto` with a vendored
//! protoc and fails on any difference. Run with `SCHAT_REGEN=1` to update.

use std::path::{Path, PathBuf};

const FILES: [&str; 2] = ["schat.client.rs", "schat.server.rs"];

#[test]
fn generated_code_matches_proto_files() {
    let crate_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let out = tempfile::tempdir().expect("temp dir");
    generate(&crate_dir, out.path());

    let regen = std::env::var_os("SCHAT_REGEN").is_some();
    let mut stale = Vec::new();
    for file in FILES {
        let fresh = std::fs::read_to_string(out.path().join(file)).expect("generated file");
        let checked_in_path = crate_dir.join("src/gen").join(file);
        let checked_in = std::fs::read_to_string(&checked_in_path).unwrap_or_default();
        if fresh != checked_in {
            if regen {
                std::fs::write(&checked_in_path, fresh).expect("write generated file");
            } else {
                stale.push(file);
            }
        }
    }
    assert!(
        stale.is_empty(),
        "generated code is stale: {stale:?}; run `SCHAT_REGEN=1 cargo test -p schat-proto --test codegen`"
    );
}

fn generate(crate_dir: &Path, out_dir: &Path) {
    let protoc = protoc_bin_vendored::protoc_bin_path().expect("vendored protoc");
    let mut config = prost_build::Config::new();
    config
        .protoc_executable(protoc)
        .out_dir(out_dir)
        .bytes(["."])
        .compile_protos(
            &[
                crate_dir.join("client.proto"),
                crate_dir.join("server.proto"),
            ],
            &[crate_dir.to_path_buf()],
        )
        .expect("protoc compiles the proto files");
}
