//! Integers in JSON request bodies. JSON has one kind of number: `10` and
//! `10.0` are the same integer to JSON Schema, and so to the OpenAPI
//! documents that describe the bodies, but serde refuses `10.0` for an
//! `i32`. These read any whole number that fits, and refuse a fraction or
//! one out of range with a message that says so.

use serde::{Deserialize, Deserializer, de::Error as _};

fn whole<'de, D: Deserializer<'de>, T: TryFrom<i64>>(number: serde_json::Number) -> Result<T, D::Error> {
    // Below 2^53 every whole f64 is exact; past it a "whole" float is a rounding.
    const EXACT: f64 = 9_007_199_254_740_992.0;
    let whole =
        number.as_i64().or_else(|| number.as_f64().filter(|f| f.fract() == 0.0 && f.abs() <= EXACT).map(|f| f as i64));
    let whole = whole.ok_or_else(|| D::Error::custom(format!("{number} is not a whole number")))?;
    T::try_from(whole).map_err(|_| D::Error::custom(format!("{number} is out of range")))
}

/// An `i32` written as any whole JSON number.
pub fn i32<'de, D: Deserializer<'de>>(d: D) -> Result<i32, D::Error> {
    whole::<D, i32>(serde_json::Number::deserialize(d)?)
}

/// An optional `i32` written as any whole JSON number, or `null`.
pub fn option_i32<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i32>, D::Error> {
    Option::<serde_json::Number>::deserialize(d)?.map(whole::<D, i32>).transpose()
}

/// An `i64` written as any whole JSON number.
pub fn i64<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    whole::<D, i64>(serde_json::Number::deserialize(d)?)
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    struct Body {
        #[serde(deserialize_with = "super::i32")]
        n: i32,
        #[serde(default, deserialize_with = "super::option_i32")]
        m: Option<i32>,
    }

    fn read(json: &str) -> Result<Body, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn whole_floats_are_integers_and_fractions_are_refused() {
        assert_eq!(read(r#"{"n": 10.0, "m": 3}"#).map(|b| (b.n, b.m)).ok(), Some((10, Some(3))));
        assert_eq!(read(r#"{"n": -4, "m": null}"#).map(|b| (b.n, b.m)).ok(), Some((-4, None)));
        assert_eq!(read(r#"{"n": 1}"#).map(|b| b.m).ok(), Some(None));
        assert!(read(r#"{"n": 10.5}"#).is_err_and(|e| e.to_string().contains("not a whole number")));
        assert!(read(r#"{"n": 3000000000}"#).is_err_and(|e| e.to_string().contains("out of range")));
        assert!(read(r#"{"n": "1"}"#).is_err());
    }
}
