//! Benchmark tooling for 阳光交易, kept out of the product crates: `gen-corpus` (a deterministic
//! content folder of any size, for the site, search and intake benchmarks), `intake-bench`
//! (intake's throughput and kill -9 benchmark), `gen-planted` and [`planted`] (a market with
//! known collusion, to score the supervision signals' precision and recall), and [`loadtest`], the load and crash-test client
//! those and intake's own integration tests share. `bench/site.sh` drives the site benchmark.

pub mod loadtest;
pub mod planted;
