//! Queuing a message to a resident: the outbound row and the bus message
//! that makes its channel's sender deliver it, written together in the
//! caller's transaction so neither exists without the other.

use sqlx::PgConnection;

use crate::{
    Result,
    bus::BusMessage,
    outbox::Outbox,
    store::{
        self,
        messages::{Message, NewOutbound},
    },
};

/// Writes `new` as pending and queues its delivery. Returns the message and
/// the outbox row to publish after commit.
pub async fn queue(conn: &mut PgConnection, new: &NewOutbound<'_>) -> Result<(Message, i64)> {
    let message = store::messages::insert_outbound(conn, new).await?;
    let outbox_id =
        Outbox::enqueue(conn, &BusMessage::SendMessage { message_id: message.id, channel: message.channel }).await?;
    Ok((message, outbox_id))
}
