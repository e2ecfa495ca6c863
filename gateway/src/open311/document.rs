//! One answer, two formats. GeoReport v2 serves every resource as XML
//! (required) and JSON (optional) with the same fields: handlers build a
//! [`Document`] once and [`Format`] writes it. XML is written with
//! quick-xml, which escapes every text, so nothing a reporter typed can
//! change the document's shape.

use axum::{
    http::{HeaderValue, StatusCode, header::CONTENT_TYPE},
    response::{IntoResponse, Response},
};
use chrono::{DateTime, Utc};
use quick_xml::{
    Writer,
    events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event},
};

use crate::http::xml::xml_text;

/// The two formats of every resource, chosen by the path's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `.xml`, `text/xml`.
    Xml,
    /// `.json`, `application/json`.
    Json,
}

impl Format {
    /// Splits `services.json` into `services` and its format; `None` for
    /// any other extension, or none.
    pub fn split(file: &str) -> Option<(&str, Format)> {
        let (name, ext) = file.rsplit_once('.')?;
        let format = match ext {
            "xml" => Format::Xml,
            "json" => Format::Json,
            _ => return None,
        };
        Some((name, format))
    }

    fn content_type(self) -> &'static str {
        match self {
            Format::Xml => "text/xml; charset=utf-8",
            Format::Json => "application/json",
        }
    }

    /// `doc` as an HTTP answer with `status`.
    pub fn answer(self, status: StatusCode, doc: &Document) -> Response {
        let body = match self {
            Format::Json => doc.json().to_string(),
            Format::Xml => doc.xml(),
        };
        let mut response = (status, body).into_response();
        response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static(self.content_type()));
        response
    }
}

/// A field's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Text.
    Text(String),
    /// A whole number.
    Int(i64),
    /// A decimal number (coordinates).
    Number(f64),
    /// true or false.
    Bool(bool),
    /// Known to be empty: JSON `null`, an empty XML element.
    Null,
    /// A nested object.
    Object(Record),
    /// A list; in XML each item is an element named `item`.
    List {
        /// The XML name of each item.
        item: &'static str,
        /// The items.
        items: Vec<Value>,
    },
}

impl Value {
    /// Text, or `Null` for none.
    pub fn text(text: Option<impl Into<String>>) -> Value {
        text.map_or(Value::Null, |t| Value::Text(t.into()))
    }

    /// A W3C date-time with its time zone, or `Null`.
    pub fn date(at: Option<DateTime<Utc>>) -> Value {
        at.map_or(Value::Null, |at| {
            Value::Text(at.with_timezone(&batline_core::roster::TZ).to_rfc3339_opts(chrono::SecondsFormat::Secs, false))
        })
    }

    /// A number, or `Null`.
    pub fn number(n: Option<f64>) -> Value {
        n.map_or(Value::Null, Value::Number)
    }

    fn json(&self) -> serde_json::Value {
        match self {
            Value::Text(t) => serde_json::Value::String(t.clone()),
            Value::Int(n) => serde_json::Value::from(*n),
            Value::Number(n) => serde_json::Number::from_f64(*n).map_or(serde_json::Value::Null, Into::into),
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Null => serde_json::Value::Null,
            Value::Object(record) => record.json(),
            Value::List { items, .. } => items.iter().map(Value::json).collect(),
        }
    }

    fn write(&self, w: &mut Writer<Vec<u8>>, name: &str) -> std::io::Result<()> {
        let text = match self {
            Value::Text(t) => xml_text(t),
            Value::Int(n) => n.to_string(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Null => {
                w.create_element(name).write_empty()?;
                return Ok(());
            }
            Value::Object(record) => {
                w.write_event(Event::Start(BytesStart::new(name)))?;
                record.write(w)?;
                w.write_event(Event::End(BytesEnd::new(name)))?;
                return Ok(());
            }
            Value::List { item, items } => {
                w.write_event(Event::Start(BytesStart::new(name)))?;
                for value in items {
                    value.write(w, item)?;
                }
                w.write_event(Event::End(BytesEnd::new(name)))?;
                return Ok(());
            }
        };
        w.create_element(name).write_text_content(BytesText::new(&text))?;
        Ok(())
    }
}

/// An object: fields in the order the specification lists them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Record(Vec<(&'static str, Value)>);

impl Record {
    /// An empty record.
    pub fn new() -> Self {
        Record(Vec::new())
    }

    /// The record with `name` set to `value`.
    pub fn with(mut self, name: &'static str, value: Value) -> Self {
        self.0.push((name, value));
        self
    }

    fn json(&self) -> serde_json::Value {
        serde_json::Value::Object(self.0.iter().map(|(name, value)| ((*name).to_owned(), value.json())).collect())
    }

    fn write(&self, w: &mut Writer<Vec<u8>>) -> std::io::Result<()> {
        for (name, value) in &self.0 {
            value.write(w, name)?;
        }
        Ok(())
    }
}

/// A whole answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Document {
    /// A list: a JSON array; in XML `<root>` around one `<item>` each.
    List {
        /// The XML root (`services`).
        root: &'static str,
        /// The XML name of each item (`service`).
        item: &'static str,
        /// The items.
        items: Vec<Record>,
    },
    /// One object: a JSON object; in XML its fields inside `<root>`.
    Object {
        /// The XML root (`discovery`).
        root: &'static str,
        /// The fields.
        record: Record,
    },
}

impl Document {
    /// The specification's error answer: a list of `error{code, description}`.
    pub fn errors(status: StatusCode, description: &str) -> Document {
        let error = Record::new()
            .with("code", Value::Int(i64::from(status.as_u16())))
            .with("description", Value::Text(description.to_owned()));
        Document::List { root: "errors", item: "error", items: vec![error] }
    }

    fn json(&self) -> serde_json::Value {
        match self {
            Document::List { items, .. } => items.iter().map(Record::json).collect(),
            Document::Object { record, .. } => record.json(),
        }
    }

    fn xml(&self) -> String {
        let mut writer = Writer::new(Vec::new());
        // Writing into a Vec cannot fail; the result is checked all the same.
        let written = self.write(&mut writer);
        debug_assert!(written.is_ok());
        String::from_utf8(writer.into_inner()).unwrap_or_default()
    }

    fn write(&self, w: &mut Writer<Vec<u8>>) -> std::io::Result<()> {
        w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        match self {
            Document::List { root, item, items } => {
                w.write_event(Event::Start(BytesStart::new(*root)))?;
                for record in items {
                    w.write_event(Event::Start(BytesStart::new(*item)))?;
                    record.write(w)?;
                    w.write_event(Event::End(BytesEnd::new(*item)))?;
                }
                w.write_event(Event::End(BytesEnd::new(*root)))?;
            }
            Document::Object { root, record } => {
                w.write_event(Event::Start(BytesStart::new(*root)))?;
                record.write(w)?;
                w.write_event(Event::End(BytesEnd::new(*root)))?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Document {
        let service = Record::new()
            .with("service_code", Value::Text("streets".into()))
            .with("metadata", Value::Bool(false))
            .with("lat", Value::Number(60.17))
            .with("keywords", Value::Null)
            .with(
                "media_urls",
                Value::List { item: "media_url", items: vec![Value::Text("https://x/1 & <2>".into())] },
            );
        Document::List { root: "services", item: "service", items: vec![service] }
    }

    #[test]
    fn json_and_xml_carry_the_same_fields() {
        let doc = sample();
        assert_eq!(
            doc.json(),
            serde_json::json!([{
                "service_code": "streets", "metadata": false, "lat": 60.17, "keywords": null,
                "media_urls": ["https://x/1 & <2>"],
            }])
        );
        assert_eq!(
            doc.xml(),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><services><service><service_code>streets</service_code>\
             <metadata>false</metadata><lat>60.17</lat><keywords/>\
             <media_urls><media_url>https://x/1 &amp; &lt;2&gt;</media_url></media_urls></service></services>"
        );
    }

    #[test]
    fn what_a_reporter_typed_cannot_change_the_xml() {
        let record = Record::new().with("description", Value::Text("</description><status>closed\u{1}".into()));
        let xml = Document::Object { root: "request", record }.xml();
        assert!(xml.contains("<description>&lt;/description&gt;&lt;status&gt;closed</description>"), "{xml}");
    }

    #[test]
    fn the_format_comes_from_the_extension() {
        assert_eq!(Format::split("services.json"), Some(("services", Format::Json)));
        assert_eq!(Format::split("a.b.xml"), Some(("a.b", Format::Xml)));
        assert_eq!(Format::split("services"), None);
        assert_eq!(Format::split("services.html"), None);
    }

    #[test]
    fn errors_take_the_specification_s_shape() {
        let doc = Document::errors(StatusCode::FORBIDDEN, "no api_key");
        assert_eq!(doc.json(), serde_json::json!([{"code": 403, "description": "no api_key"}]));
    }

    #[test]
    fn dates_carry_helsinki_s_offset() {
        let at = DateTime::parse_from_rfc3339("2026-12-04T10:00:00Z").map(|d| d.with_timezone(&Utc)).ok();
        assert_eq!(Value::date(at), Value::Text("2026-12-04T12:00:00+02:00".into()));
    }
}
