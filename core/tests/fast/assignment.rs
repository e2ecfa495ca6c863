//! Choosing a case's owner (`assign::choose_owner`) on real rows and locks:
//! who is eligible, how the search widens when nobody is, and how concurrent
//! filings share equally suited responders.

use batline_core::{
    assign::{self, Preference, Rule},
    domain::{DutyStatus, Language},
    store::responders::Needs,
};
use chrono::Utc;
use sqlx::Acquire;

use crate::database::{Database, TestResult};

fn needs(language: Language) -> Needs<'static> {
    Needs {
        language,
        area: None,
        topic: None,
        previous_owner: None,
        at_point: None,
        prefer_present: false,
        presence_window: std::time::Duration::from_secs(180),
    }
}

#[tokio::test]
async fn an_eligible_responder_speaks_the_language_is_on_duty_and_has_room() -> TestResult {
    let db = Database::fresh().await?;
    db.backstop("mayor").await?;
    db.responder("aino", &[Language::Fi], DutyStatus::OnDuty, 5).await?;
    let linnea = db.responder("linnea", &[Language::Sv, Language::Fi], DutyStatus::OnDuty, 5).await?;
    db.responder("ville", &[Language::Sv], DutyStatus::Away, 5).await?;
    db.responder("stina", &[Language::Sv], DutyStatus::Off, 5).await?;

    let mut conn = db.pool.acquire().await?;
    let decision = assign::choose_owner(&mut conn, &needs(Language::Sv), &[], Utc::now()).await?;
    assert_eq!(decision.owner_id, linnea.id, "the only Swedish speaker on duty");
    assert_eq!(decision.rule, Rule::Eligible(Preference::OnlyCandidate));
    drop(conn);
    db.drop().await
}

#[tokio::test]
async fn with_nobody_eligible_the_search_widens_step_by_step_to_the_backstop() -> TestResult {
    let db = Database::fresh().await?;
    let mayor = db.backstop("mayor").await?;
    let full = db.responder("aino", &[Language::Fi], DutyStatus::OnDuty, 0).await?;
    let english = db.responder("james", &[Language::En], DutyStatus::OnDuty, 5).await?;
    let mut conn = db.pool.acquire().await?;

    // A Finnish speaker without room beats someone with room who does not speak it.
    let decision = assign::choose_owner(&mut conn, &needs(Language::Fi), &[], Utc::now()).await?;
    assert_eq!((decision.owner_id, decision.rule), (full.id, Rule::OverCapacity));

    // Nobody speaks Swedish: the least loaded of those on duty.
    let decision = assign::choose_owner(&mut conn, &needs(Language::Sv), &[full.id], Utc::now()).await?;
    assert_eq!((decision.owner_id, decision.rule), (english.id, Rule::OtherLanguage));

    // Everyone on duty excluded (they each declined it): the backstop.
    let decision = assign::choose_owner(&mut conn, &needs(Language::Fi), &[full.id, english.id], Utc::now()).await?;
    assert_eq!((decision.owner_id, decision.rule), (mayor.id, Rule::Backstop));
    assert!(decision.candidates.is_empty(), "nobody else on duty was left to consider");
    drop(conn);
    db.drop().await
}

#[tokio::test]
async fn without_a_backstop_and_nobody_on_duty_no_owner_is_invented() -> TestResult {
    let db = Database::fresh().await?;
    db.responder("aino", &[Language::Fi], DutyStatus::Off, 5).await?;
    let mut conn = db.pool.acquire().await?;
    let refused = assign::choose_owner(&mut conn, &needs(Language::Fi), &[], Utc::now()).await;
    assert!(
        matches!(refused, Err(batline_core::Error::NoBackstop)),
        "filing must fail loudly rather than leave a case unowned: {refused:?}"
    );
    drop(conn);
    db.drop().await
}

#[tokio::test]
async fn a_responder_another_filing_holds_is_passed_over_for_one_as_suited() -> TestResult {
    let db = Database::fresh().await?;
    db.backstop("mayor").await?;
    let aino = db.responder("aino", &[Language::Fi], DutyStatus::OnDuty, 5).await?;
    let mikko = db.responder("mikko", &[Language::Fi], DutyStatus::OnDuty, 5).await?;
    let (first, second) = if aino.id < mikko.id { (aino, mikko) } else { (mikko, aino) };

    // Another filing's transaction holds whoever the rules rank first.
    let mut other = db.pool.begin().await?;
    let conn = other.acquire().await?;
    let held = assign::choose_owner(conn, &needs(Language::Fi), &[], Utc::now()).await?;
    assert_eq!(held.owner_id, first.id, "equal in everything, the lowest id decides");

    let mut conn = db.pool.acquire().await?;
    let decision = assign::choose_owner(&mut conn, &needs(Language::Fi), &[], Utc::now()).await?;
    assert_eq!(decision.owner_id, second.id, "an equally suited colleague, not a wait for the held row");
    assert_eq!(decision.rule, Rule::Eligible(Preference::NotMidAssignment));
    drop(conn);
    other.rollback().await?;
    db.drop().await
}

#[tokio::test]
async fn a_desk_account_leading_a_running_shift_is_never_given_a_case() -> TestResult {
    let db = Database::fresh().await?;
    let mayor = db.backstop("mayor").await?;
    let veera = db.responder("veera", &[Language::Fi], DutyStatus::OnDuty, 5).await?;
    // Made a shift's lead while a lead and moved to the desk since (imports
    // now refuse desk leads, so the row is written as an older import left it).
    sqlx::query(
        "INSERT INTO shifts (id, area, starts_at, ends_at, lead_id, start_applied)
         VALUES (gen_random_uuid(), NULL, now() - interval '1 hour', now() + interval '3 hours', $1, true)",
    )
    .bind(veera.id)
    .execute(&db.pool)
    .await?;
    sqlx::query("UPDATE responders SET role = 'desk' WHERE id = $1").bind(veera.id).execute(&db.pool).await?;

    let mut conn = db.pool.acquire().await?;
    let decision = assign::choose_owner(&mut conn, &needs(Language::Fi), &[], Utc::now()).await?;
    assert_eq!((decision.owner_id, decision.rule), (mayor.id, Rule::Backstop), "not the desk account");
    let lead = batline_core::store::shifts::current_lead(&mut conn, None, Utc::now()).await?;
    assert_eq!(lead, None, "the SLA breach is not raised to the desk either");
    drop(conn);
    db.drop().await
}
