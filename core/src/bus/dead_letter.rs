//! Reading a dead letter: where it came from and why it died, from the
//! headers RabbitMQ adds when it dead-letters a message (`x-death`, newest
//! first, and `x-first-death-*`). The router's recorder stores what this
//! returns, so a lead can see the message and send it back on its route.

use lapin::types::{AMQPValue, FieldTable};

/// A message taken off the dead-letter queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetter {
    /// The message exactly as it was published; may be anything, even not JSON.
    pub payload: Vec<u8>,
    /// The publisher's message id, when it set one (Batline always does).
    pub message_id: Option<String>,
    /// What the broker recorded about its death.
    pub death: Death,
}

/// Why and where a message was dead-lettered.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Death {
    /// The queue it died in, with the namespace (e.g. `batline.intake`).
    pub queue: String,
    /// The exchange it was published to, with the namespace (`batline.work`).
    pub exchange: String,
    /// The routing key it was published with; retrying publishes it there again.
    pub routing_key: String,
    /// `rejected` (a consumer could not handle it), `delivery_limit`
    /// (delivered too often without an ack), `expired`, `maxlen`, or
    /// `unknown` when the headers say nothing.
    pub reason: String,
    /// How often it died this way in that queue.
    pub count: i64,
    /// When the broker first dead-lettered it this way, in seconds since the
    /// Unix epoch; `None` when the headers do not say.
    pub time: Option<u64>,
}

impl Death {
    /// Reads the broker's headers. Never fails: a message without them (one
    /// published straight to the dead-letter exchange, say) is still kept,
    /// with what is unknown left empty.
    pub fn from_headers(headers: Option<&FieldTable>) -> Death {
        let Some(headers) = headers else {
            return Death { reason: "unknown".into(), ..Death::default() };
        };
        let table = headers.inner();
        let text = |value: Option<&AMQPValue>| -> Option<String> {
            match value? {
                AMQPValue::LongString(s) => Some(String::from_utf8_lossy(s.as_bytes()).into_owned()),
                AMQPValue::ShortString(s) => Some(s.as_str().to_owned()),
                _ => None,
            }
        };
        let newest = table
            .get("x-death")
            .and_then(AMQPValue::as_array)
            .and_then(|deaths| deaths.as_slice().first())
            .and_then(AMQPValue::as_field_table)
            .map(FieldTable::inner);
        let mut death = Death::default();
        if let Some(entry) = newest {
            death.queue = text(entry.get("queue")).unwrap_or_default();
            death.exchange = text(entry.get("exchange")).unwrap_or_default();
            death.reason = text(entry.get("reason")).unwrap_or_default();
            death.routing_key = entry
                .get("routing-keys")
                .and_then(AMQPValue::as_array)
                .and_then(|keys| text(keys.as_slice().first()))
                .unwrap_or_default();
            death.count = entry.get("count").and_then(integer).unwrap_or(1);
            death.time = entry.get("time").and_then(AMQPValue::as_timestamp);
        }
        if death.queue.is_empty() {
            death.queue = text(table.get("x-first-death-queue")).unwrap_or_default();
        }
        if death.exchange.is_empty() {
            death.exchange = text(table.get("x-first-death-exchange")).unwrap_or_default();
        }
        if death.reason.is_empty() {
            death.reason = text(table.get("x-first-death-reason")).unwrap_or_else(|| "unknown".into());
        }
        death
    }
}

/// Any integer the broker may have encoded a count as.
fn integer(value: &AMQPValue) -> Option<i64> {
    match value {
        AMQPValue::LongLongInt(n) => Some(*n),
        AMQPValue::LongInt(n) => Some(i64::from(*n)),
        AMQPValue::LongUInt(n) => Some(i64::from(*n)),
        AMQPValue::ShortInt(n) => Some(i64::from(*n)),
        AMQPValue::ShortUInt(n) => Some(i64::from(*n)),
        AMQPValue::ShortShortInt(n) => Some(i64::from(*n)),
        AMQPValue::ShortShortUInt(n) => Some(i64::from(*n)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use lapin::types::{FieldArray, LongString};

    use super::*;

    fn s(v: &str) -> AMQPValue {
        AMQPValue::LongString(LongString::from(v))
    }

    #[test]
    fn reads_the_newest_death() {
        let mut newest = FieldTable::default();
        newest.insert("queue".into(), s("ns.intake"));
        newest.insert("exchange".into(), s("ns.work"));
        newest.insert("reason".into(), s("rejected"));
        newest.insert("count".into(), AMQPValue::LongLongInt(2));
        newest.insert("time".into(), AMQPValue::Timestamp(1_800_000_000));
        newest.insert("routing-keys".into(), AMQPValue::FieldArray(FieldArray::from(vec![s("intake.sms")])));
        let mut older = FieldTable::default();
        older.insert("queue".into(), s("ns.routing"));
        let mut headers = FieldTable::default();
        headers.insert(
            "x-death".into(),
            AMQPValue::FieldArray(FieldArray::from(vec![AMQPValue::FieldTable(newest), AMQPValue::FieldTable(older)])),
        );
        let death = Death::from_headers(Some(&headers));
        assert_eq!(death.queue, "ns.intake");
        assert_eq!(death.exchange, "ns.work");
        assert_eq!(death.routing_key, "intake.sms");
        assert_eq!(death.reason, "rejected");
        assert_eq!(death.count, 2);
        assert_eq!(death.time, Some(1_800_000_000));
    }

    #[test]
    fn missing_headers_still_give_a_record() {
        let death = Death::from_headers(None);
        assert_eq!(death.reason, "unknown");
        let mut headers = FieldTable::default();
        headers.insert("x-first-death-queue".into(), s("ns.outbound.sms"));
        headers.insert("x-first-death-reason".into(), s("delivery_limit"));
        let death = Death::from_headers(Some(&headers));
        assert_eq!((death.queue.as_str(), death.reason.as_str()), ("ns.outbound.sms", "delivery_limit"));
        assert_eq!(death.routing_key, "");
    }
}
