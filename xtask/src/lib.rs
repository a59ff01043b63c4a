//! Project automation shared by the `xtask` binary and tests.

pub mod corpus;
pub mod tidy;
