# One command runner for people and CI. Every target installs what it needs.
.PHONY: demo test verify test-rust test-cli test-python test-wasm test-uniffi test-swift test-examples lint fuzz bench size dist

demo:        ## The main job: a real rotation against the embedded emulator.
	scripts/demo.sh

test:        ## Every test, every language. What CI runs.
	scripts/test-all.sh

verify:      ## The rotation model check at its large bound (~3 min on 2 cores).
	MIA_MODEL_BOUND=large cargo test --locked -p mapsindoors-auth --test model_check -- --nocapture

test-rust:   ## fmt, clippy, the core, the emulator, the IO-free check.
	scripts/test-rust.sh

test-cli:
	scripts/test-cli.sh

test-python:
	scripts/test-python.sh

test-wasm:
	scripts/test-wasm.sh

test-uniffi:
	scripts/test-uniffi.sh

test-swift:  ## The Swift package's XCTest suite; says it was skipped when `swift` is not on the PATH.
	scripts/test-swift.sh

test-examples: ## The deployment examples: systemd-analyze, Kubernetes schemas, every command line's flags, end to end.
	scripts/test-examples.sh

fuzz:        ## 1M runs of each fuzz target (needs nightly).
	scripts/fuzz.sh

bench:       ## Every benchmark beside its baseline, same run: core vs oauth2-rs (callgrind, criterion), Python, Kotlin, Node.
	scripts/bench.sh

size:        ## The shipped wasm + JS sizes, raw and gzipped, beside the peers' bundles.
	scripts/wasm-size.sh

dist:        ## Every shipped artifact into dist/ (wheels, sdist, npm tarball, Kotlin JAR, CLI), each with its size.
	scripts/dist.sh
