//! The benchmark tooling's own tests: what the benchmarks measure must be real content.

mod corpus;
mod floor;
mod planted;
