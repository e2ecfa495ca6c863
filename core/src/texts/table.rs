//! The [`texts!`](crate::texts!) macro: a surface's texts written once by
//! key, Finnish, Swedish and English side by side, so a translator reviews
//! one text at a time and a missing translation does not compile.

/// Declares a struct of texts and the function that picks them by
/// [`Language`](crate::domain::Language), from one table written by key:
///
/// ```
/// batline_core::texts! {
///     /// Every text of the page in one language.
///     pub struct Words;
///     /// The texts for `lang`.
///     pub fn words;
///
///     title { fi: "Asiasi", sv: "Ditt ärende", en: "Your case" }
///     // A field that is not a plain string names its type.
///     keys: &'static [&'static str] { fi: &["j"], sv: &["j"], en: &["j"] }
/// }
/// assert_eq!(words(batline_core::domain::Language::Sv).title, "Ditt ärende");
/// ```
///
/// It expands to the struct (fields `&'static str` unless a type is given,
/// visible as the struct is) and `fn words(Language) -> &'static Words`
/// over one static per language, so call sites read `words(lang).title`.
#[macro_export]
macro_rules! texts {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident;
        $(#[$lookup_meta:meta])*
        $lookup_vis:vis fn $lookup:ident;
        $(
            $(#[$field_meta:meta])*
            $field:ident $(: $ty:ty)? { fi: $fi:expr, sv: $sv:expr, en: $en:expr $(,)? }
        )*
    ) => {
        $(#[$meta])*
        $vis struct $name {
            $(
                $(#[$field_meta])*
                $vis $field: $crate::texts!(@type $($ty)?),
            )*
        }

        $(#[$lookup_meta])*
        $lookup_vis fn $lookup(lang: $crate::domain::Language) -> &'static $name {
            static FI: $name = $name { $($field: $fi,)* };
            static SV: $name = $name { $($field: $sv,)* };
            static EN: $name = $name { $($field: $en,)* };
            match lang {
                $crate::domain::Language::Fi => &FI,
                $crate::domain::Language::Sv => &SV,
                $crate::domain::Language::En => &EN,
            }
        }
    };
    (@type) => { &'static str };
    (@type $ty:ty) => { $ty };
}
