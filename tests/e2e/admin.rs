//! Responder administration through the console API: admins add and change
//! responders, leads see who is on duty, and there is always one backstop.

use std::time::Duration;

use batline_core::domain::{DutyStatus, Language, Role};
use serde_json::json;

use crate::support::{TestApp, TestResult};

#[tokio::test]
async fn admins_add_and_change_responders_and_others_may_not() -> TestResult {
    let app = TestApp::spawn().await?;
    app.add_responder("admin", "Admin", &[Language::Fi], DutyStatus::Off).await?;
    app.add_responder("linnea", "Linnea", &[Language::Fi], DutyStatus::OnDuty).await?;
    let aino_r = app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    app.set_role("admin", Role::Admin).await?;
    app.set_role("linnea", Role::Lead).await?;
    let (admin, lead, aino) = (app.sign_in("admin").await?, app.sign_in("linnea").await?, app.sign_in("aino").await?);

    let new = json!({
        "username": "mikko", "display_name": "Mikko", "password": "pitkä salasana 123",
        "languages": ["fi", "sv"], "areas": ["Vuosaari"], "topics": ["housing"], "capacity": 7, "duty_status": "on_duty"
    });
    assert_eq!(aino.post("/api/v1/responders", new.clone()).await?.0, 403);
    assert_eq!(lead.post("/api/v1/responders", new.clone()).await?.0, 403);
    let (status, mikko) = admin.post("/api/v1/responders", new.clone()).await?;
    assert_eq!(status, 201, "{mikko}");
    assert_eq!(mikko["capacity"], 7);
    assert!(mikko.get("password_hash").is_none(), "the hash never leaves the server");
    assert_eq!(admin.post("/api/v1/responders", new.clone()).await?.0, 409);
    let mut weak = new.clone();
    weak["username"] = json!("weak");
    weak["password"] = json!("short");
    assert_eq!(admin.post("/api/v1/responders", weak).await?.0, 422);
    let mut unknown = new.clone();
    unknown["username"] = json!("x");
    unknown["superpowers"] = json!(true);
    assert_eq!(admin.post("/api/v1/responders", unknown).await?.0, 422);

    assert_eq!(aino.get("/api/v1/responders").await?.0, 403);
    let (status, all) = lead.get("/api/v1/responders").await?;
    assert_eq!(status, 200);
    assert_eq!(all.as_array().map(Vec::len), Some(5));

    let id = mikko["id"].as_str().unwrap_or_default();
    assert_eq!(aino.patch(&format!("/api/v1/responders/{id}"), json!({ "capacity": 1 })).await?.0, 403);
    let (status, changed) =
        admin.patch(&format!("/api/v1/responders/{id}"), json!({ "capacity": 12, "languages": ["fi"] })).await?;
    assert_eq!(status, 200);
    assert_eq!((changed["capacity"].clone(), changed["languages"].clone()), (json!(12), json!(["fi"])));
    assert_eq!(admin.patch(&format!("/api/v1/responders/{id}"), json!({ "capacity": -1 })).await?.0, 422);
    assert_eq!(admin.patch(&format!("/api/v1/responders/{id}"), json!({ "wings": 2 })).await?.0, 422);
    assert_eq!(
        admin.patch(&format!("/api/v1/responders/{}", uuid::Uuid::new_v4()), json!({ "capacity": 2 })).await?.0,
        404
    );

    // There is always exactly one backstop.
    let backstop = app.backstop.id;
    assert_eq!(admin.patch(&format!("/api/v1/responders/{backstop}"), json!({ "is_backstop": false })).await?.0, 409);
    assert_eq!(admin.patch(&format!("/api/v1/responders/{id}"), json!({ "is_backstop": true })).await?.0, 200);
    assert_eq!(app.count("SELECT count(*) FROM responders WHERE is_backstop").await?, 1);
    let now_backstop: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM responders WHERE is_backstop").fetch_one(&app.pool).await?;
    assert_eq!(now_backstop.to_string(), id);

    // An admin sending Aino off duty hands her cases on.
    app.text("+358402300001", "Hei").await?;
    app.wait_all_filed(Duration::from_secs(10)).await?;
    let (status, _) =
        admin.patch(&format!("/api/v1/responders/{}", aino_r.id), json!({ "duty_status": "off" })).await?;
    assert_eq!(status, 200);
    app.wait_handed_on(aino_r.id, Duration::from_secs(15)).await?;
    app.assert_open_counts_exact().await?;
    app.teardown().await
}

#[tokio::test]
async fn walk_in_points_and_home_points() -> TestResult {
    let app = TestApp::spawn().await?;
    app.add_responder("admin", "Admin", &[Language::Fi], DutyStatus::Off).await?;
    let aino = app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    app.set_role("admin", Role::Admin).await?;
    let (admin, responder) = (app.sign_in("admin").await?, app.sign_in("aino").await?);
    let point = json!({
        "name": "Batcave Kallio", "address": "Kallion koulu", "area": "Kallio",
        "opening_hours": { "mon": [["08:00", "16:00"]], "sat": [["10:00", "14:00"]] }
    });
    assert_eq!(responder.post("/api/v1/walk-in-points", point.clone()).await?.0, 403);
    let (status, created) = admin.post("/api/v1/walk-in-points", point.clone()).await?;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["opening_hours"]["sat"], json!([["10:00", "14:00"]]));
    assert_eq!(admin.post("/api/v1/walk-in-points", point.clone()).await?.0, 409);
    let mut bad = point.clone();
    bad["name"] = json!("Batcave Vuosaari");
    bad["opening_hours"] = json!({ "mon": [["16:00", "08:00"]] });
    assert_eq!(admin.post("/api/v1/walk-in-points", bad).await?.0, 422);
    let (status, all) = responder.get("/api/v1/walk-in-points").await?;
    assert_eq!((status, all.as_array().map(Vec::len)), (200, Some(1)));

    let id = created["id"].clone();
    let (status, changed) =
        admin.patch(&format!("/api/v1/responders/{}", aino.id), json!({ "home_point_id": id })).await?;
    assert_eq!(status, 200);
    assert_eq!(changed["home_point_id"], id);
    let unknown = json!({ "home_point_id": uuid::Uuid::new_v4() });
    assert_eq!(admin.patch(&format!("/api/v1/responders/{}", aino.id), unknown).await?.0, 422);
    app.teardown().await
}

/// With the city's districts loaded, every area an admin or a responder
/// gives is one of them: named by code, or in Finnish or Swedish in any
/// case, and kept as the district's code so routing compares like with like.
#[tokio::test]
async fn areas_are_the_citys_districts_however_they_are_written() -> TestResult {
    let app = TestApp::spawn().await?;
    app.add_responder("admin", "Admin", &[Language::Fi], DutyStatus::Off).await?;
    let aino = app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    app.set_role("admin", Role::Admin).await?;
    let admin = app.sign_in("admin").await?;

    // Before the districts are loaded, an area is taken as typed.
    let path = format!("/api/v1/responders/{}", aino.id);
    let (status, before) = admin.patch(&path, json!({ "areas": ["Itä-Keskus"] })).await?;
    assert_eq!((status, before["areas"].clone()), (200, json!(["Itä-Keskus"])), "{before}");
    app.load_helsinki_areas().await?;

    // Swedish and lower case are read as the district; the one from before
    // the list stays while it is sent back.
    let (status, changed) = admin.patch(&path, json!({ "areas": ["Berghäll", "sörnäinen", "Itä-Keskus"] })).await?;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["areas"], json!(["Kallio", "Sörnäinen", "Itä-Keskus"]));
    // A name that is no district is refused, named, and nothing changes.
    let (status, refused) = admin.patch(&path, json!({ "areas": ["Kallio", "Atlantis"] })).await?;
    assert_eq!(status, 422, "{refused}");
    assert!(refused.to_string().contains("Atlantis"), "{refused}");
    let (_, everyone) = admin.get("/api/v1/responders").await?;
    let stored =
        everyone.as_array().into_iter().flatten().find(|r| r["username"] == "aino").map(|r| r["areas"].clone());
    assert_eq!(stored, Some(json!(["Kallio", "Sörnäinen", "Itä-Keskus"])));
    // Once taken away, the old free text cannot come back.
    assert_eq!(admin.patch(&path, json!({ "areas": ["Kallio"] })).await?.0, 200);
    assert_eq!(admin.patch(&path, json!({ "areas": ["Itä-Keskus"] })).await?.0, 422);
    let new = json!({
        "username": "mikko", "display_name": "Mikko", "password": "pitkä salasana 123",
        "languages": ["sv"], "areas": ["Nordsjö"], "capacity": 5
    });
    let (status, mikko) = admin.post("/api/v1/responders", new).await?;
    assert_eq!((status, mikko["areas"].clone()), (201, json!(["Vuosaari"])), "{mikko}");

    // A walk-in point's area too.
    let point =
        |area: &str| json!({ "name": format!("Piste {area}"), "address": "Koulu", "area": area, "opening_hours": {} });
    let (status, refused) = admin.post("/api/v1/walk-in-points", point("Kalio")).await?;
    assert_eq!(status, 422, "{refused}");
    let (status, created) = admin.post("/api/v1/walk-in-points", point("vallgård")).await?;
    assert_eq!((status, created["area"].as_str()), (201, Some("Vallila")), "{created}");
    assert_eq!(app.count("SELECT count(*) FROM walk_in_points").await?, 1);

    // And a case's, set by its owner.
    app.text("+358402300077", "Hei").await?;
    let case = app.wait_for_cases("+358402300077", 1, Duration::from_secs(10)).await?.remove(0);
    let owner = case.owner_id;
    let username: String =
        sqlx::query_scalar("SELECT username FROM responders WHERE id = $1").bind(owner).fetch_one(&app.pool).await?;
    let session = app.sign_in(&username).await?;
    let classification = format!("/api/v1/cases/{}/classification", case.id);
    let (status, classified) = session.put(&classification, json!({ "area": "Sörnäs", "priority": "normal" })).await?;
    assert_eq!((status, classified["area"].as_str()), (200, Some("Sörnäinen")), "{classified}");
    let (status, refused) = session.put(&classification, json!({ "area": "Sörnäs 2", "priority": "normal" })).await?;
    assert_eq!(status, 422, "{refused}");
    app.teardown().await
}
