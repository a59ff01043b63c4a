//! Governance records as the product understands them: organisation, departments, users and
//! their roles, information systems and their classification. Pure data and validation; the
//! store persists these, the web application and the CLI show and edit them.
//!
//! Every choice has a stable machine key (`key()`, used in the database, forms and the API) and
//! a message key (`label()`) that the user interface translates.

pub mod role;
pub mod system;
pub mod user;

pub use role::{Permission, Role};
pub use system::{
    Availability, Confidentiality, Integrity, Segment, SystemInput, SystemStatus, UserBase,
    ValidSystem,
};
pub use user::{validate_display_name, validate_password, validate_username};

/// One problem with one field of a form or API request. `code` is stable (for the API and for
/// message lookup: `error.<code>`), `field` is the input's name.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    pub field: String,
    pub code: &'static str,
}

impl FieldError {
    pub fn new(field: &str, code: &'static str) -> FieldError {
        FieldError {
            field: field.to_owned(),
            code,
        }
    }
}

/// Declares a closed set of choices with machine keys and message keys.
macro_rules! choices {
    ($(#[$m:meta])* $name:ident, $prefix:literal { $($(#[$vm:meta])* $v:ident => $key:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vm])* $v),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v),+];

            /// The machine spelling (database, forms, API).
            pub fn key(self) -> &'static str {
                match self { $($name::$v => $key),+ }
            }

            /// The message key of the label shown to people.
            pub fn label(self) -> &'static str {
                match self { $($name::$v => concat!($prefix, ".", $key)),+ }
            }

            pub fn parse(s: &str) -> Option<$name> {
                match s { $($key => Some($name::$v),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.key())
            }
        }
    };
}
pub(crate) use choices;
