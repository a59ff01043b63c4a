//! Control catalogs as data.
//!
//! A catalog is a versioned TOML file with stable IDs: its sources, judgment conditions,
//! groups (categories and policies) and items (requirements or controls), each item citing the
//! source row it encodes. The built-in catalogs are compiled into the binary; a user directory
//! may extend or replace them. Every catalog in force has passed [`check_catalog`].

mod check;
mod expr;
mod load;
mod model;
mod set;
mod text;

pub use check::check_catalog;
pub use expr::{Condition, Expr, ExprError};
pub use load::{Diagnostic, Fragment, Locator, Mode, SCHEMA_VERSION, parse_file};
pub use model::{
    Catalog, Group, Item, ItemRef, JudgmentCondition, Lang, Level, LevelDef, LevelText, Loc,
    Localized, Measure, Obligation, RecommendationRule, Selector, Source, SourceRef, Viewpoint,
};
pub use set::{BUILTIN, CatalogSet, LoadError};
pub use text::{Segment, placeholders, segments};
