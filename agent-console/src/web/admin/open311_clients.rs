//! `/admin/open311`: the city apps allowed to post Open311 requests. An
//! admin issues a key to an app (the page shows it once, right then, since
//! only its digest is kept) and revokes it when the app should stop.

use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use batline_core::store;
use maud::{Markup, html};
use uuid::Uuid;

use super::{
    frame::{Done, Fields, forbidden_unless_admin, refused, respond, row_action, submit, text_input},
    texts::texts,
};
use crate::{
    http::extract::Form,
    operations::open311_clients::{self, Issued, MAX_NAME_CHARS, NewClient},
    state::AppState,
    web::{failure::failure, inbox::when, layout::Flash, layout::csrf_field, session::WebUser},
};

/// `GET /admin/open311`.
pub async fn page(State(state): State<AppState>, user: WebUser, Query(done): Query<Done>) -> Response {
    let flash = done.flash(texts(user.lang));
    render(&state, &user, StatusCode::OK, flash, String::new(), None).await
}

async fn render(
    state: &AppState,
    user: &WebUser,
    status: StatusCode,
    flash: Option<Flash>,
    name: String,
    issued: Option<Issued>,
) -> Response {
    if let Some(denied) = forbidden_unless_admin(user) {
        return denied;
    }
    let clients = match store::open311::clients(&state.pool).await {
        Ok(clients) => clients,
        Err(e) => return failure(user, e.into()),
    };
    let t = texts(user.lang);
    let base = format!("{}/open311/v2/", state.config.public_url.as_str().trim_end_matches('/'));
    let body = html! {
        h1 { (t.open311_title) }
        p { (t.open311_intro) " " code class="breakable" { (base) } }
        @if let Some(issued) = &issued {
            (new_key(user, issued))
        }
        @if clients.is_empty() {
            p { (t.no_open311_clients) }
        } @else {
            div class="table-scroll" role="region" aria-labelledby="open311-clients" tabindex="0" {
                table class="cases" {
                    caption id="open311-clients" { (t.open311_clients) }
                    thead { tr {
                        th scope="col" { (t.col_app) }
                        th scope="col" { (t.col_key_ends) }
                        th scope="col" { (t.col_issued) }
                        th scope="col" { (t.col_actions) }
                    } }
                    tbody {
                        @for client in &clients {
                            tr data-client=(client.name) {
                                td { (client.name) }
                                td { code { "…" (client.key_hint) } }
                                td { (when(client.created_at)) }
                                td {
                                    @if let Some(at) = client.revoked_at {
                                        (t.revoked_on) " " (when(at))
                                    } @else {
                                        (row_action(user, &format!("/admin/open311/{}/revoke", client.id), t.revoke, &client.name))
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        form class="panel admin-form" method="post" action="/admin/open311" {
            h2 { (t.issue_key_title) }
            (csrf_field(user))
            (text_input("open311-name", "name", t.app_name, &name, Some(t.app_name_hint), true, MAX_NAME_CHARS, "text"))
            (submit(t.issue_key_button, true))
        }
    };
    respond(user, status, "/admin/open311", t.open311_title, flash.as_ref(), body)
}

/// The key just issued, with the warning that it is shown only now.
fn new_key(user: &WebUser, issued: &Issued) -> Markup {
    let t = texts(user.lang);
    html! {
        section class="panel new-key" aria-labelledby="new-key" {
            h2 id="new-key" { (t.new_key_title) " " (issued.client.name) }
            p { (t.new_key_hint) }
            p { code class="api-key breakable" data-api-key { (issued.api_key) } }
        }
    }
}

/// `POST /admin/open311`: issue a key.
pub async fn issue(State(state): State<AppState>, user: WebUser, Form(pairs): Form<Vec<(String, String)>>) -> Response {
    if let Some(denied) = forbidden_unless_admin(&user) {
        return denied;
    }
    let name = Fields::new(pairs).text("name");
    match open311_clients::issue_as(&state, &user.me, NewClient { name: name.clone() }).await {
        // Shown here and now, not after a redirect: the key is in no URL
        // and nowhere stored.
        Ok(issued) => {
            let done = Flash::Done(texts(user.lang).done_key_issued);
            render(&state, &user, StatusCode::CREATED, Some(done), String::new(), Some(issued)).await
        }
        Err(e) => refused(&user, e, |status, flash| render(&state, &user, status, Some(flash), name, None)).await,
    }
}

/// `POST /admin/open311/{id}/revoke`.
pub async fn revoke(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<Uuid>,
    Form(_): Form<Vec<(String, String)>>,
) -> Response {
    if let Some(denied) = forbidden_unless_admin(&user) {
        return denied;
    }
    match open311_clients::revoke_as(&state, &user.me, id).await {
        Ok(()) => Redirect::to("/admin/open311?done=key_revoked").into_response(),
        Err(e) => failure(&user, e),
    }
}
