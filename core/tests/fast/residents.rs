//! Locking a resident for filing: whether any case names them decides
//! whether filing asks for their open, merged, awaited and past cases.

use batline_core::{
    domain::{DutyStatus, Language},
    store,
};

use crate::{
    database::{Database, TestResult},
    sending::case_with_pending_reply,
};

#[tokio::test]
async fn a_resident_is_new_to_filing_until_a_case_names_them() -> TestResult {
    let db = Database::fresh().await?;
    let owner = db.responder("aino", &[Language::Fi], DutyStatus::OnDuty, 10).await?;
    let mut conn = db.pool.acquire().await?;
    // A chat resident as the gateway creates them, before their first message.
    let resident = store::residents::insert_without_phone(&mut conn, Language::Sv).await?;
    let locked = store::residents::lock_for_filing(&mut conn, resident.id).await?;
    assert!(locked.as_ref().is_some_and(|r| r.is_new && r.language == Language::Sv), "{locked:?}");

    case_with_pending_reply(&db, resident.id, owner.id).await?;
    let locked = store::residents::lock_for_filing(&mut conn, resident.id).await?;
    assert!(locked.is_some_and(|r| !r.is_new), "a resident with a case is asked for it");
    // Another resident's case says nothing about this one.
    let other = store::residents::insert_without_phone(&mut conn, Language::Fi).await?;
    assert!(store::residents::lock_for_filing(&mut conn, other.id).await?.is_some_and(|r| r.is_new));
    assert!(store::residents::lock_for_filing(&mut conn, uuid::Uuid::new_v4()).await?.is_none());
    drop(conn);
    db.drop().await
}
