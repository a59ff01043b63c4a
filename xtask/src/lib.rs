//! Project automation shared by the `xtask` binary and tests.

pub mod corp_data;
pub mod corpus;
pub mod tidy;
