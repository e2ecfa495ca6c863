//! `/admin/canned-replies`: the replies still offered, language by
//! language; adding one; archiving one (it stays stored, no longer offered).

use crate::http::extract::Form;
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use batline_core::{domain::Language, store};
use maud::html;
use uuid::Uuid;

use super::{
    frame::{Done, Fields, forbidden_unless_admin, refused, respond, row_action, submit, text_input},
    texts::texts,
};
use crate::{
    operations::canned_replies::{self, MAX_BODY_CHARS, MAX_TITLE_CHARS, NewCannedReply},
    state::AppState,
    web::{failure::failure, layout::Flash, layout::csrf_field, session::WebUser},
};

const LANGUAGES: [Language; 3] = [Language::Fi, Language::Sv, Language::En];

/// What was typed into the form.
#[derive(Debug, Default)]
struct Draft {
    language: String,
    title: String,
    body: String,
}

/// `GET /admin/canned-replies`.
pub async fn page(State(state): State<AppState>, user: WebUser, Query(done): Query<Done>) -> Response {
    let flash = done.flash(texts(user.lang));
    let draft = Draft { language: user.lang.as_str().to_owned(), ..Draft::default() };
    render(&state, &user, StatusCode::OK, flash, draft).await
}

async fn render(state: &AppState, user: &WebUser, status: StatusCode, flash: Option<Flash>, draft: Draft) -> Response {
    if let Some(denied) = forbidden_unless_admin(user) {
        return denied;
    }
    let replies = match store::canned_replies::active(&state.pool).await {
        Ok(replies) => replies,
        Err(e) => return failure(user, e.into()),
    };
    let t = texts(user.lang);
    let body = html! {
        h1 { (t.canned_title) }
        @for language in LANGUAGES {
            @let these: Vec<_> = replies.iter().filter(|r| r.language == language).collect();
            section aria-labelledby={ "canned-" (language.as_str()) } data-language=(language.as_str()) {
                h2 id={ "canned-" (language.as_str()) } { (t.language(language)) }
                @if these.is_empty() {
                    p { (t.no_canned) }
                } @else {
                    div class="table-scroll" role="region" aria-labelledby={ "canned-" (language.as_str()) } tabindex="0" {
                        table class="cases" {
                            thead { tr {
                                th scope="col" { (t.col_title) }
                                th scope="col" { (t.col_text) }
                                th scope="col" { (t.col_actions) }
                            } }
                            tbody {
                                @for reply in these {
                                    tr data-canned=(reply.title) {
                                        td lang=(language.as_str()) { (reply.title) }
                                        td lang=(language.as_str()) class="canned-body" { (reply.body) }
                                        td {
                                            (row_action(user, &format!("/admin/canned-replies/{}/archive", reply.id), t.archive, &reply.title))
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        form class="panel admin-form" method="post" action="/admin/canned-replies" {
            h2 { (t.add_canned_title) }
            (csrf_field(user))
            div class="field" {
                label for="canned-language" { (t.language) }
                select id="canned-language" name="language" {
                    @for language in LANGUAGES {
                        option value=(language.as_str()) selected[draft.language == language.as_str()] { (t.language(language)) }
                    }
                }
            }
            (text_input("canned-title", "title", t.title, &draft.title, Some(t.title_hint), true, MAX_TITLE_CHARS, "text"))
            div class="field" {
                label for="canned-body" { (t.text) }
                p class="hint" id="canned-body-hint" { (t.text_hint) }
                textarea id="canned-body" name="body" maxlength=(MAX_BODY_CHARS) required aria-describedby="canned-body-hint" { (draft.body) }
            }
            (submit(t.add_canned_button, true))
        }
    };
    respond(user, status, "/admin/canned-replies", t.canned_title, flash.as_ref(), body)
}

/// `POST /admin/canned-replies`: add one.
pub async fn add(State(state): State<AppState>, user: WebUser, Form(pairs): Form<Vec<(String, String)>>) -> Response {
    if let Some(denied) = forbidden_unless_admin(&user) {
        return denied;
    }
    let f = Fields::new(pairs);
    let draft = Draft { language: f.text("language"), title: f.text("title"), body: f.text("body") };
    let added = async {
        let new =
            NewCannedReply { language: draft.language.parse()?, title: draft.title.clone(), body: draft.body.clone() };
        canned_replies::add_as(&state, &user.me, new).await
    };
    match added.await {
        Ok(_) => Redirect::to("/admin/canned-replies?done=canned_added").into_response(),
        Err(e) => refused(&user, e, |status, flash| render(&state, &user, status, Some(flash), draft)).await,
    }
}

/// `POST /admin/canned-replies/{id}/archive`.
pub async fn archive(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<Uuid>,
    Form(_): Form<Vec<(String, String)>>,
) -> Response {
    if let Some(denied) = forbidden_unless_admin(&user) {
        return denied;
    }
    match canned_replies::archive_as(&state, &user.me, id).await {
        Ok(()) => Redirect::to("/admin/canned-replies?done=canned_archived").into_response(),
        Err(e) => failure(&user, e),
    }
}
