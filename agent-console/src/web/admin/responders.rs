//! `/admin/responders`: everyone with their duty status, skills, capacity,
//! phone, home point and the backstop mark; adding a responder; and
//! `/admin/responders/{id}`: changing one (all but the username) and
//! resetting their password.

use crate::http::extract::Form;
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use batline_core::{
    domain::{DutyStatus, Language, Role},
    responder_admin::Unset,
    store::{
        self,
        responders::{Responder, ResponderPatch},
        walk_in_points::WalkInPoint,
    },
};
use maud::{Markup, html};
use uuid::Uuid;

use super::{
    frame::{
        Done, Fields, comma_list, forbidden_unless_admin, number, number_input, refused, respond, submit, text_input,
    },
    texts::{Texts, texts},
};
use crate::{
    http::error::ApiError,
    operations::responders::{self, AddResponder},
    state::AppState,
    web::{city_lists::CityLists, failure::failure, i18n::ui, layout::Flash, layout::csrf_field, session::WebUser},
};

const LANGUAGES: [Language; 3] = [Language::Fi, Language::Sv, Language::En];
const ROLES: [Role; 5] = [Role::Responder, Role::Lead, Role::Desk, Role::Mayor, Role::Admin];
const DUTY: [DutyStatus; 3] = [DutyStatus::OnDuty, DutyStatus::Away, DutyStatus::Off];

/// What the responder form shows: a responder's values, or what was typed.
#[derive(Debug, Clone)]
struct Draft {
    username: String,
    display_name: String,
    role: String,
    duty_status: String,
    languages: Vec<String>,
    /// District codes ticked (or typed, in a city with no district list).
    areas: Vec<String>,
    /// Topic codes ticked.
    topics: Vec<String>,
    capacity: String,
    phone: String,
    home_point: String,
    backstop: bool,
}

impl Default for Draft {
    fn default() -> Self {
        Draft {
            username: String::new(),
            display_name: String::new(),
            role: Role::Responder.as_str().to_owned(),
            duty_status: DutyStatus::Off.as_str().to_owned(),
            languages: vec![Language::Fi.as_str().to_owned()],
            areas: Vec::new(),
            topics: Vec::new(),
            capacity: responders::default_capacity().to_string(),
            phone: String::new(),
            home_point: String::new(),
            backstop: false,
        }
    }
}

impl Draft {
    fn of(r: &Responder) -> Self {
        Draft {
            username: r.username.clone(),
            display_name: r.display_name.clone(),
            role: r.role.as_str().to_owned(),
            duty_status: r.duty_status.as_str().to_owned(),
            languages: r.languages.clone(),
            areas: r.areas.clone(),
            topics: r.topics.clone(),
            capacity: r.capacity.to_string(),
            phone: r.phone.clone().unwrap_or_default(),
            home_point: r.home_point_id.map(|id| id.to_string()).unwrap_or_default(),
            backstop: r.is_backstop,
        }
    }

    fn from_form(f: &Fields) -> Self {
        Draft {
            username: f.text("username"),
            display_name: f.text("display_name"),
            role: f.text("role"),
            duty_status: f.text("duty_status"),
            languages: f.all("languages"),
            // Ticked boxes, or one typed list where there are no boxes.
            areas: f.all("areas").iter().flat_map(|a| comma_list(a)).collect(),
            topics: f.all("topics"),
            capacity: f.text("capacity"),
            phone: f.text("phone"),
            home_point: f.text("home_point"),
            backstop: f.has("backstop"),
        }
    }

    fn languages(&self) -> Result<Vec<Language>, ApiError> {
        Ok(self.languages.iter().map(|l| l.parse()).collect::<Result<_, _>>()?)
    }

    fn home_point(&self) -> Result<Option<Uuid>, ApiError> {
        match self.home_point.trim() {
            "" => Ok(None),
            id => Ok(Some(id.parse().map_err(|_| ApiError::Unprocessable("there is no such walk-in point".into()))?)),
        }
    }
}

fn point_name(points: &[WalkInPoint], id: Option<Uuid>) -> Option<&str> {
    let id = id?;
    points.iter().find(|p| p.id == id).map(|p| p.name.as_str())
}

/// `GET /admin/responders`.
pub async fn list(State(state): State<AppState>, user: WebUser, Query(done): Query<Done>) -> Response {
    let flash = done.flash(texts(user.lang));
    render_list(&state, &user, StatusCode::OK, flash, Draft::default()).await
}

async fn render_list(
    state: &AppState,
    user: &WebUser,
    status: StatusCode,
    flash: Option<Flash>,
    draft: Draft,
) -> Response {
    if let Some(denied) = forbidden_unless_admin(user) {
        return denied;
    }
    let loaded = async {
        let everyone = store::responders::list(&state.pool).await?;
        let points = store::walk_in_points::list(&state.pool).await?;
        let lists = CityLists::load(&state.pool).await?;
        Ok::<_, ApiError>((everyone, points, lists))
    };
    let (everyone, points, lists) = match loaded.await {
        Ok(loaded) => loaded,
        Err(e) => return failure(user, e),
    };
    let t = texts(user.lang);
    let body = html! {
        h1 { (t.sec_responders) }
        div class="table-scroll" role="region" aria-labelledby="responders-caption" tabindex="0" {
            table class="cases admin-table" {
                caption id="responders-caption" class="visually-hidden" { (t.sec_responders) }
                thead { tr {
                    th scope="col" { (t.col_name) }
                    th scope="col" { (t.col_role_duty) }
                    th scope="col" { (t.col_skills) }
                    th scope="col" { (t.col_capacity) }
                    th scope="col" { (t.col_reach) }
                    th scope="col" { (t.col_backstop) }
                    th scope="col" { (t.col_actions) }
                } }
                tbody {
                    // Seven columns, the skills and the ways to reach someone
                    // each in one, so the table fits a laptop's screen.
                    @for r in &everyone {
                        tr data-responder=(r.username) {
                            td { (r.display_name) br; span class="hint-inline" { (r.username) } }
                            td { (t.role(r.role)) br; span class="hint-inline" { (ui(user.lang).duty(r.duty_status)) } }
                            td {
                                dl class="cell-facts" {
                                    dt { (t.col_languages) } dd data-languages { (r.languages.join(", ")) }
                                    dt { (t.col_areas) }
                                    dd data-areas { (list_or_none(t, r.areas.iter().map(|a| lists.district(a, user.lang)))) }
                                    dt { (t.col_topics) }
                                    dd data-topics { (list_or_none(t, r.topics.iter().map(|c| lists.topic(c, user.lang)))) }
                                }
                            }
                            td { (r.open_cases) " / " (r.capacity) }
                            td {
                                dl class="cell-facts" {
                                    dt { (t.col_phone) } dd { (r.phone.as_deref().unwrap_or(t.none)) }
                                    dt { (t.col_home_point) } dd { (point_name(&points, r.home_point_id).unwrap_or(t.none)) }
                                }
                            }
                            td { @if r.is_backstop { (t.yes) } @else { (t.none) } }
                            td {
                                a href={ "/admin/responders/" (r.id) } {
                                    (t.edit) span class="visually-hidden" { " " (r.display_name) }
                                }
                            }
                        }
                    }
                }
            }
        }
        form class="panel admin-form" method="post" action="/admin/responders" {
            h2 { (t.add_responder_title) }
            (csrf_field(user))
            (text_input("username", "username", t.username, &draft.username, None, true, 64, "text"))
            (text_input("display_name", "display_name", t.display_name, &draft.display_name, None, true, 80, "text"))
            div class="field" {
                label for="password" { (t.initial_password) }
                p class="hint" id="password-hint" { (t.password_hint) }
                input type="password" id="password" name="password" autocomplete="new-password" minlength="10"
                    required aria-describedby="password-hint";
            }
            (fields(t, user, &draft, &points, &lists, false))
            (submit(t.add_responder_button, true))
        }
    };
    respond(user, status, "/admin/responders", t.sec_responders, flash.as_ref(), body)
}

fn list_or_none<'a>(t: &Texts, names: impl Iterator<Item = &'a str>) -> String {
    let names: Vec<&str> = names.collect();
    if names.is_empty() { t.none.to_owned() } else { names.join(", ") }
}

/// The fields the add and the edit form share.
fn fields(
    t: &Texts,
    user: &WebUser,
    draft: &Draft,
    points: &[WalkInPoint],
    lists: &CityLists,
    editing: bool,
) -> Markup {
    let duty = ui(user.lang);
    let districts = lists.districts_by_name(user.lang);
    // Areas the responder has that the list does not (given before it was
    // loaded): shown ticked, so unticking them is how they go.
    let unlisted: Vec<&String> = draft.areas.iter().filter(|a| !districts.iter().any(|d| &d.code == *a)).collect();
    html! {
        div class="field" {
            label for="role" { (t.role) }
            select id="role" name="role" {
                @for role in ROLES {
                    option value=(role.as_str()) selected[draft.role == role.as_str()] { (t.role(role)) }
                }
            }
        }
        div class="field" {
            label for="duty_status" { (t.duty) }
            select id="duty_status" name="duty_status" {
                @for status in DUTY {
                    option value=(status.as_str()) selected[draft.duty_status == status.as_str()] { (duty.duty(status)) }
                }
            }
        }
        fieldset class="field" {
            legend { (t.languages) }
            @for language in LANGUAGES {
                div class="check" {
                    input type="checkbox" id={ "lang-" (language.as_str()) } name="languages" value=(language.as_str())
                        checked[draft.languages.iter().any(|l| l == language.as_str())];
                    label for={ "lang-" (language.as_str()) } { (t.language(language)) }
                }
            }
        }
        @if districts.is_empty() {
            (text_input("areas", "areas", t.areas, &draft.areas.join(", "), Some(t.comma_hint), false, 2000, "text"))
        } @else {
            fieldset class="field choices areas" {
                legend { (t.areas) }
                // Ids by position: a district's name may hold anything.
                @for (i, district) in districts.iter().enumerate() {
                    div class="check" {
                        input type="checkbox" id={ "area-" (i) } name="areas" value=(district.code)
                            checked[draft.areas.contains(&district.code)];
                        label for={ "area-" (i) } { (district.name(user.lang)) }
                    }
                }
                @for (i, area) in unlisted.iter().enumerate() {
                    div class="check" {
                        input type="checkbox" id={ "area-unlisted-" (i) } name="areas" value=(area) checked;
                        label for={ "area-unlisted-" (i) } { (area) }
                    }
                }
            }
        }
        fieldset class="field choices topics" {
            legend { (t.topics) }
            // The catalogue's topics still offered, and any retired one the
            // responder still has (unticking it is how it goes).
            @for topic in lists.topics.iter().filter(|topic| topic.offered() || draft.topics.contains(&topic.code)) {
                div class="check" {
                    input type="checkbox" id={ "topic-" (topic.code) } name="topics" value=(topic.code)
                        checked[draft.topics.contains(&topic.code)];
                    label for={ "topic-" (topic.code) } { (topic.name(user.lang)) }
                }
            }
        }
        (number_input("capacity", "capacity", t.capacity, &draft.capacity, 0, 1000, true))
        (text_input("phone", "phone", t.phone, &draft.phone, Some(t.phone_hint), false, 32, "tel"))
        div class="field" {
            label for="home_point" { (t.home_point) }
            select id="home_point" name="home_point" {
                option value="" { (t.no_home_point) }
                @for point in points {
                    @let id = point.id.to_string();
                    option value=(id) selected[draft.home_point == id] { (point.name) }
                }
            }
        }
        @if editing {
            div class="field check" {
                input type="checkbox" id="backstop" name="backstop" value="1" checked[draft.backstop]
                    aria-describedby="backstop-hint";
                label for="backstop" { (t.backstop) }
            }
            p class="hint" id="backstop-hint" { (t.backstop_hint) }
        }
    }
}

/// `POST /admin/responders`: add one.
pub async fn add(State(state): State<AppState>, user: WebUser, Form(pairs): Form<Vec<(String, String)>>) -> Response {
    if let Some(denied) = forbidden_unless_admin(&user) {
        return denied;
    }
    let form = Fields::new(pairs);
    let draft = Draft::from_form(&form);
    match add_from(&state, &user, &draft, form.text("password")).await {
        Ok(()) => Redirect::to("/admin/responders?done=responder_added").into_response(),
        Err(e) => refused(&user, e, |status, flash| render_list(&state, &user, status, Some(flash), draft)).await,
    }
}

async fn add_from(state: &AppState, user: &WebUser, draft: &Draft, password: String) -> Result<(), ApiError> {
    let t = texts(user.lang);
    let home_point = draft.home_point()?;
    // Checked before adding, so a bad choice does not leave a half-made responder.
    if let Some(id) = home_point
        && store::walk_in_points::get(&state.pool, id).await?.is_none()
    {
        return Err(ApiError::Unprocessable("there is no such walk-in point".into()));
    }
    let body = AddResponder {
        username: draft.username.clone(),
        display_name: draft.display_name.clone(),
        password,
        phone: Some(draft.phone.clone()),
        languages: draft.languages()?,
        areas: draft.areas.clone(),
        topics: draft.topics.clone(),
        capacity: number(t, t.capacity, &draft.capacity)?,
        role: draft.role.parse()?,
        duty_status: draft.duty_status.parse()?,
    };
    let added = responders::add_as(state, &user.me, body).await?;
    if home_point.is_some() {
        let patch = ResponderPatch { home_point_id: home_point, ..ResponderPatch::default() };
        responders::update_as(state, &user.me, added.id, patch, Unset::default()).await?;
    }
    Ok(())
}

/// `GET /admin/responders/{id}`.
pub async fn edit(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<Uuid>,
    Query(done): Query<Done>,
) -> Response {
    let flash = done.flash(texts(user.lang));
    render_edit(&state, &user, id, StatusCode::OK, flash, None).await
}

async fn render_edit(
    state: &AppState,
    user: &WebUser,
    id: Uuid,
    status: StatusCode,
    flash: Option<Flash>,
    draft: Option<Draft>,
) -> Response {
    if let Some(denied) = forbidden_unless_admin(user) {
        return denied;
    }
    let loaded = async {
        let responder =
            store::responders::get(&state.pool, id).await?.ok_or(batline_core::Error::NotFound("responder"))?;
        let points = store::walk_in_points::list(&state.pool).await?;
        let lists = CityLists::load(&state.pool).await?;
        Ok::<_, ApiError>((responder, points, lists))
    };
    let (responder, points, lists) = match loaded.await {
        Ok(loaded) => loaded,
        Err(e) => return failure(user, e),
    };
    let t = texts(user.lang);
    let draft = draft.unwrap_or_else(|| Draft::of(&responder));
    let title = format!("{}: {}", t.edit_title, responder.display_name);
    let body = html! {
        h1 { (title) }
        p { (t.col_username) ": " strong { (responder.username) } }
        form class="panel admin-form" method="post" action={ "/admin/responders/" (id) } {
            (csrf_field(user))
            (text_input("display_name", "display_name", t.display_name, &draft.display_name, None, true, 80, "text"))
            (fields(t, user, &draft, &points, &lists, true))
            (submit(t.save, true))
        }
        form class="panel admin-form" method="post" action={ "/admin/responders/" (id) "/password" } {
            h2 { (t.password_title) }
            (csrf_field(user))
            div class="field" {
                label for="new-password" { (t.new_password) }
                p class="hint" id="new-password-hint" { (t.reset_hint) }
                input type="password" id="new-password" name="password" autocomplete="new-password" minlength="10"
                    required aria-describedby="new-password-hint";
            }
            (submit(t.reset_button, false))
        }
        p { a href="/admin/responders" { (t.sec_responders) } }
    };
    respond(user, status, "/admin/responders", &title, flash.as_ref(), body)
}

/// `POST /admin/responders/{id}`: save the edit form.
pub async fn save(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<Uuid>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    if let Some(denied) = forbidden_unless_admin(&user) {
        return denied;
    }
    let draft = Draft::from_form(&Fields::new(pairs));
    match save_from(&state, &user, id, &draft).await {
        Ok(()) => Redirect::to("/admin/responders?done=responder_saved").into_response(),
        Err(e) => {
            refused(&user, e, |status, flash| render_edit(&state, &user, id, status, Some(flash), Some(draft))).await
        }
    }
}

async fn save_from(state: &AppState, user: &WebUser, id: Uuid, draft: &Draft) -> Result<(), ApiError> {
    let t = texts(user.lang);
    let phone = draft.phone.trim();
    let home_point = draft.home_point()?;
    let patch = ResponderPatch {
        display_name: Some(draft.display_name.clone()),
        phone: Some(phone.to_owned()).filter(|p| !p.is_empty()),
        languages: Some(draft.languages()?),
        areas: Some(draft.areas.clone()),
        topics: Some(draft.topics.clone()),
        capacity: Some(number(t, t.capacity, &draft.capacity)?),
        role: Some(draft.role.parse()?),
        duty_status: Some(draft.duty_status.parse()?),
        is_backstop: Some(draft.backstop),
        home_point_id: home_point,
    };
    let unset = Unset { phone: phone.is_empty(), home_point: home_point.is_none() };
    responders::update_as(state, &user.me, id, patch, unset).await?;
    Ok(())
}

/// `POST /admin/responders/{id}/password`.
pub async fn reset_password(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<Uuid>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    if let Some(denied) = forbidden_unless_admin(&user) {
        return denied;
    }
    let password = Fields::new(pairs).text("password");
    match responders::reset_password_as(&state, &user.me, id, password).await {
        // Resetting one's own password ends this session too; the redirect then lands on sign-in.
        Ok(()) => Redirect::to(&format!("/admin/responders/{id}?done=password")).into_response(),
        Err(e) => refused(&user, e, |status, flash| render_edit(&state, &user, id, status, Some(flash), None)).await,
    }
}
