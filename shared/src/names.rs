//! Closed sets of names that travel as strings (in JSON, in the database, in queries) and are
//! enums everywhere else. [`named!`] declares one: the enum, its serde names, `as_str`, parsing
//! and `TryFrom<String>` (the database maps rows through it), so a name is spelled once.

/// A name that is not one of the set's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind}: unknown name {name:?}")]
pub struct UnknownName {
    pub kind: &'static str,
    pub name: String,
}

/// Declares a closed set of snake_case names; stored as `text`, or — written
/// `#[pg_enum = "type_name"]` first — as that Postgres enum type, so a query's literal outside
/// the set fails when the query is prepared (`cargo sqlx prepare --check`), not at run time.
#[macro_export]
macro_rules! named {
    (#[pg_enum = $pg:literal] $(#[$meta:meta])* pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:tt),+ $(,)? }) => {
        $crate::named!(@names $(#[$meta])* pub enum $name { $($(#[$vmeta])* $variant = $text),+ });
        $crate::enum_column!($name, $pg);
    };
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:tt),+ $(,)? }) => {
        $crate::named!(@names $(#[$meta])* pub enum $name { $($(#[$vmeta])* $variant = $text),+ });
        $crate::text_column!($name);
    };
    (@names $(#[$meta:meta])* pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:tt),+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// Every name of the set, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text),+
                }
            }

            pub fn parse(s: &str) -> Option<Self> {
                match s {
                    $($text => Some(Self::$variant),)+
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl TryFrom<String> for $name {
            type Error = $crate::names::UnknownName;

            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::parse(&s).ok_or($crate::names::UnknownName {
                    kind: stringify!($name),
                    name: s,
                })
            }
        }
    };
}

/// With the `sqlx` feature (the backend's), a type with `as_str` and `parse` is a Postgres `text`
/// column and parameter, so queries read and bind it typed and a stranger in the column is a
/// decode error, not a silently passed string.
#[macro_export]
macro_rules! text_column {
    ($name:ident) => {
        #[cfg(feature = "sqlx")]
        impl sqlx::Type<sqlx::Postgres> for $name {
            fn type_info() -> sqlx::postgres::PgTypeInfo {
                <&str as sqlx::Type<sqlx::Postgres>>::type_info()
            }

            fn compatible(ty: &sqlx::postgres::PgTypeInfo) -> bool {
                <&str as sqlx::Type<sqlx::Postgres>>::compatible(ty)
            }
        }

        #[cfg(feature = "sqlx")]
        impl sqlx::postgres::PgHasArrayType for $name {
            fn array_type_info() -> sqlx::postgres::PgTypeInfo {
                <&str as sqlx::postgres::PgHasArrayType>::array_type_info()
            }
        }

        $crate::label_codec!($name);
    };
}

/// With the `sqlx` feature, a type with `as_str` and `parse` is the Postgres enum type `$pg`
/// (its values travel as their labels, as text does).
#[macro_export]
macro_rules! enum_column {
    ($name:ident, $pg:literal) => {
        #[cfg(feature = "sqlx")]
        impl sqlx::Type<sqlx::Postgres> for $name {
            fn type_info() -> sqlx::postgres::PgTypeInfo {
                sqlx::postgres::PgTypeInfo::with_name($pg)
            }
        }

        #[cfg(feature = "sqlx")]
        impl sqlx::postgres::PgHasArrayType for $name {
            fn array_type_info() -> sqlx::postgres::PgTypeInfo {
                sqlx::postgres::PgTypeInfo::array_of($pg)
            }
        }

        $crate::label_codec!($name);
    };
}

/// A name's value in Postgres, text or enum alike: its label (shared by [`text_column!`] and
/// [`enum_column!`]); a label outside the set is a decode error.
#[macro_export]
macro_rules! label_codec {
    ($name:ident) => {
        #[cfg(feature = "sqlx")]
        impl<'r> sqlx::Decode<'r, sqlx::Postgres> for $name {
            fn decode(
                value: sqlx::postgres::PgValueRef<'r>,
            ) -> Result<Self, sqlx::error::BoxDynError> {
                let s = <&str as sqlx::Decode<sqlx::Postgres>>::decode(value)?;
                Self::parse(s).ok_or_else(|| {
                    Box::new($crate::names::UnknownName {
                        kind: stringify!($name),
                        name: s.to_owned(),
                    }) as sqlx::error::BoxDynError
                })
            }
        }

        #[cfg(feature = "sqlx")]
        impl sqlx::Encode<'_, sqlx::Postgres> for $name {
            fn encode_by_ref(
                &self,
                buf: &mut sqlx::postgres::PgArgumentBuffer,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                <&str as sqlx::Encode<sqlx::Postgres>>::encode(self.as_str(), buf)
            }
        }
    };
}
