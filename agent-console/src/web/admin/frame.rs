//! What every admin page shares: the frame with the admin sub-navigation,
//! the confirmations after an action, how a refused action is answered, and
//! the forms' fields and inputs.

use axum::{
    http::StatusCode,
    response::{Html, IntoResponse, Response},
};
use batline_core::{domain::Role, opening_hours::OpeningHours};
use chrono::Weekday;
use maud::{Markup, html};
use serde::Deserialize;

use super::texts::{Texts, texts};
use crate::{
    http::error::ApiError,
    web::{
        failure::{failure, role_forbidden},
        layout::{self, Flash, Section},
        session::WebUser,
    },
};

/// The sections, in the order the overview and the sub-navigation list them.
pub fn sections(t: &Texts) -> [(&'static str, &'static str, &'static str); 6] {
    [
        ("/admin/responders", t.sec_responders, t.sec_responders_hint),
        ("/admin/walk-in-points", t.sec_points, t.sec_points_hint),
        ("/admin/roster", t.sec_roster, t.sec_roster_hint),
        ("/admin/sla-policies", t.sec_sla, t.sec_sla_hint),
        ("/admin/canned-replies", t.sec_canned, t.sec_canned_hint),
        ("/admin/open311", t.sec_open311, t.sec_open311_hint),
    ]
}

/// `?done=…` after an action redirected back.
#[derive(Debug, Default, Deserialize)]
pub struct Done {
    #[serde(default)]
    done: Option<String>,
}

impl Done {
    /// The confirmation to show, if the key is one of ours.
    pub fn flash(&self, t: &Texts) -> Option<Flash> {
        flash(self.done.as_deref(), t)
    }
}

/// The confirmation for a `done` key.
pub fn flash(done: Option<&str>, t: &Texts) -> Option<Flash> {
    let text = match done? {
        "responder_added" => t.done_responder_added,
        "responder_saved" => t.done_responder_saved,
        "password" => t.done_password,
        "point_added" => t.done_point_added,
        "roster_imported" => t.done_roster_imported,
        "policy_added" => t.done_policy_added,
        "canned_added" => t.done_canned_added,
        "canned_archived" => t.done_canned_archived,
        "key_revoked" => t.done_key_revoked,
        _ => return None,
    };
    Some(Flash::Done(text))
}

/// The 403 page unless the user is an admin.
pub fn forbidden_unless_admin(user: &WebUser) -> Option<Response> {
    (user.me.role != Role::Admin).then(|| role_forbidden(user))
}

/// An admin page in the console frame, with the admin sub-navigation.
pub fn respond(
    user: &WebUser,
    status: StatusCode,
    current: &str,
    title: &str,
    flash: Option<&Flash>,
    body: Markup,
) -> Response {
    let t = texts(user.lang);
    let body = html! {
        nav class="admin-nav" aria-label=(t.admin_title) {
            ul {
                li { a href="/admin" aria-current=[(current == "/admin").then_some("page")] { (t.admin_title) } }
                @for (href, label, _) in sections(t) {
                    li { a href=(href) aria-current=[(current == href).then_some("page")] { (label) } }
                }
            }
        }
        (body)
    };
    (status, Html(layout::page(user, Section::Admin, title, flash, body).into_string())).into_response()
}

/// How to answer a refused action: the error page for 403 and 404 (there is
/// no form worth showing again), otherwise `again`: the page re-rendered
/// with the status, the reason above the form and what was typed.
pub async fn refused<F, Fut>(user: &WebUser, error: ApiError, again: F) -> Response
where
    F: FnOnce(StatusCode, Flash) -> Fut,
    Fut: Future<Output = Response>,
{
    let (status, _, detail) = error.parts();
    if matches!(status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND) {
        return failure(user, error);
    }
    again(status, Flash::Failed(detail)).await
}

/// A posted form's fields, in order. Read by hand rather than into a struct
/// because checkboxes repeat a name (`languages=fi&languages=sv`), which
/// `serde_urlencoded` cannot put in a `Vec`.
#[derive(Debug, Default)]
pub struct Fields(Vec<(String, String)>);

impl Fields {
    /// The fields of a form body.
    pub fn new(pairs: Vec<(String, String)>) -> Self {
        Fields(pairs)
    }

    /// The first value of `name`, or empty.
    pub fn text(&self, name: &str) -> String {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default()
    }

    /// Every value of `name`.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone()).collect()
    }

    /// Whether `name` was sent (a ticked checkbox).
    pub fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(k, _)| k == name)
    }
}

/// A whole number typed into a form, or a refusal saying which field.
pub fn number<T: std::str::FromStr>(t: &Texts, label: &str, value: &str) -> Result<T, ApiError> {
    value.trim().parse().map_err(|_| ApiError::Unprocessable(format!("{label}: {}", t.not_a_number)))
}

/// `a, b,, c ` as `["a", "b", "c"]`.
pub fn comma_list(text: &str) -> Vec<String> {
    text.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

const DAYS: [(Weekday, &str); 7] = [
    (Weekday::Mon, "mon"),
    (Weekday::Tue, "tue"),
    (Weekday::Wed, "wed"),
    (Weekday::Thu, "thu"),
    (Weekday::Fri, "fri"),
    (Weekday::Sat, "sat"),
    (Weekday::Sun, "sun"),
];

/// Opening hours in the form they are typed in (`mon-fri 08:00-16:00, sat
/// 10:00-14:00`), so what the page shows can be pasted back into a form.
/// Consecutive days with the same hours are joined.
pub fn hours_text(hours: &OpeningHours) -> String {
    let spans = |day: usize| {
        hours
            .spans(DAYS[day].0)
            .iter()
            .map(|(open, close)| format!("{}-{}", open.format("%H:%M"), close.format("%H:%M")))
            .collect::<Vec<_>>()
    };
    let mut parts = Vec::new();
    let mut day = 0;
    while day < DAYS.len() {
        let these = spans(day);
        let mut last = day;
        while last + 1 < DAYS.len() && spans(last + 1) == these {
            last += 1;
        }
        if !these.is_empty() {
            let days = if last == day { DAYS[day].1.to_owned() } else { format!("{}-{}", DAYS[day].1, DAYS[last].1) };
            parts.extend(these.iter().map(|span| format!("{days} {span}")));
        }
        day = last + 1;
    }
    parts.join(", ")
}

/// A labelled one-line text input with an optional hint.
#[allow(clippy::too_many_arguments)]
pub fn text_input(
    id: &str,
    name: &str,
    label: &str,
    value: &str,
    hint: Option<&str>,
    required: bool,
    maxlength: usize,
    kind: &str,
) -> Markup {
    let hint_id = format!("{id}-hint");
    html! {
        div class="field" {
            label for=(id) { (label) }
            @if let Some(hint) = hint { p class="hint" id=(hint_id) { (hint) } }
            input type=(kind) id=(id) name=(name) value=(value) maxlength=(maxlength) required[required]
                aria-describedby=[hint.map(|_| hint_id.as_str())];
        }
    }
}

/// A labelled whole-number input.
pub fn number_input(id: &str, name: &str, label: &str, value: &str, min: i64, max: i64, required: bool) -> Markup {
    html! {
        div class="field" {
            label for=(id) { (label) }
            input type="number" id=(id) name=(name) value=(value) min=(min) max=(max) step="1" required[required];
        }
    }
}

/// A small button in a table's row that posts to `action`: `label` says
/// what it does ("Archive"), and screen readers also hear which row's
/// thing it does it to (`what`).
pub fn row_action(user: &WebUser, action: &str, label: &str, what: &str) -> Markup {
    html! {
        form method="post" action=(action) {
            (layout::csrf_field(user))
            button class="hds-button hds-button--secondary hds-button--small" type="submit" {
                span class="hds-button__label" { (label) span class="visually-hidden" { " " (what) } }
            }
        }
    }
}

/// A submit button in HDS style.
pub fn submit(label: &str, primary: bool) -> Markup {
    let class = if primary { "hds-button hds-button--primary" } else { "hds-button hds-button--secondary" };
    html! {
        div class="actions" {
            button class=(class) type="submit" { span class="hds-button__label" { (label) } }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_read_back_as_typed() -> batline_core::Result<()> {
        for typed in ["mon-fri 08:00-16:00, sat 10:00-14:00", "mon 08:00-12:00, mon 13:00-16:00, wed 09:00-10:00", ""] {
            let hours = OpeningHours::parse(typed)?;
            assert_eq!(hours_text(&hours), typed);
            assert_eq!(OpeningHours::parse(&hours_text(&hours))?, hours);
        }
        Ok(())
    }

    #[test]
    fn comma_lists_drop_blanks() {
        assert_eq!(comma_list(" Kallio, ,Vallila ,"), ["Kallio", "Vallila"]);
        assert!(comma_list("").is_empty());
    }

    #[test]
    fn fields_keep_repeated_names() {
        let f = Fields::new(vec![
            ("languages".into(), "fi".into()),
            ("name".into(), "A".into()),
            ("languages".into(), "sv".into()),
        ]);
        assert_eq!(f.all("languages"), ["fi", "sv"]);
        assert_eq!(f.text("name"), "A");
        assert_eq!(f.text("missing"), "");
        assert!(f.has("name") && !f.has("backstop"));
    }
}
