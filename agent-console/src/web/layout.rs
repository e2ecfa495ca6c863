//! The frame every console page shares: head with the bundled styles and
//! scripts, the header with navigation, duty status, language and sign-out,
//! the live alert region and the keyboard-shortcut help.

use batline_core::domain::{DutyStatus, Language, Role};
use batline_web_assets as web_assets;
use maud::{DOCTYPE, Markup, html};

use super::{i18n::ui, session::WebUser};

/// A message shown at the top of a page after an action.
#[derive(Debug, Clone)]
pub enum Flash {
    /// It worked.
    Done(&'static str),
    /// It did not, and why.
    Failed(String),
}

/// `?done=…` after an action redirected back: what to confirm.
#[derive(Debug, Default, serde::Deserialize)]
pub struct Done {
    #[serde(default)]
    done: Option<String>,
}

impl Done {
    /// The confirmation to show, if the key is one we know.
    pub fn flash(&self, t: &super::i18n::Ui) -> Option<Flash> {
        let text = match self.done.as_deref()? {
            "acknowledged" => t.done_acknowledged,
            "replied" => t.done_replied,
            "noted" => t.done_noted,
            "offered" => t.done_offered,
            "accepted" => t.done_accepted,
            "declined" => t.done_declined,
            "resolved" => t.done_resolved,
            "reopened" => t.done_reopened,
            "merged" => t.done_merged,
            "unmerged" => t.done_unmerged,
            "linked" => t.done_linked,
            "classified" => t.done_classified,
            "located" => t.done_located,
            "call_back" => t.done_call_back,
            "reassigned" => t.done_reassigned,
            "duty" => t.done_duty,
            "retried" => t.dead_letters_retried,
            _ => return None,
        };
        Some(Flash::Done(text))
    }
}

/// Which part of the navigation is current.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Inbox,
    Search,
    WalkIn,
    Lead,
    Dashboard,
    Admin,
    Other,
}

/// htmx settings: no inline indicator styles (the CSP forbids them), no
/// eval, and error answers swapped in like any other so their message shows.
const HTMX_CONFIG: &str = r#"{"includeIndicatorStyles":false,"ignoreTitle":true,"allowEval":false,"allowScriptTags":false,"selfRequestsOnly":true}"#;

fn head(title: &str) -> Markup {
    head_with(title, html! {})
}

fn head_with(title: &str, extra: Markup) -> Markup {
    html! {
        head {
            (extra)
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            meta name="htmx-config" content=(HTMX_CONFIG);
            title { (title) " – Batline" }
            link rel="stylesheet" href=(web_assets::url("hds.css"));
            link rel="stylesheet" href=(web_assets::url("batline.css"));
        }
    }
}

/// A page for someone not signed in (sign-in, errors before sign-in).
pub fn bare(lang: Language, title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(ui(lang).code) {
            (head(title))
            body {
                main id="main" { (body) }
            }
        }
    }
}

/// A bare page with more in its head (the `meta` refresh that ends a
/// sign-in with the city's account).
pub fn bare_with_head(lang: Language, title: &str, extra: Markup, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(ui(lang).code) {
            (head_with(title, extra))
            body {
                main id="main" { (body) }
            }
        }
    }
}

/// A signed-in page.
pub fn page(user: &WebUser, section: Section, title: &str, flash: Option<&Flash>, body: Markup) -> Markup {
    let t = ui(user.lang);
    let me = &user.me;
    let nav = |href: &str, label: &str, this: Section| {
        html! {
            li { a href=(href) aria-current=[(section == this).then_some("page")] { (label) } }
        }
    };
    html! {
        (DOCTYPE)
        html lang=(t.code) {
            (head(title))
            body data-live="1" {
                meta name="csrf-token" content=(user.csrf);
                a class="skip-link" href="#main" { (t.skip_to_content) }
                header class="app-header" {
                    a class="brand" href=(if me.role == Role::Desk { "/walk-in" } else { "/" }) { "Batline" }
                    nav aria-label=(t.main_nav) {
                        ul {
                            @if me.role != Role::Desk {
                                (nav("/", t.nav_inbox, Section::Inbox))
                            }
                            @if matches!(me.role, Role::Desk | Role::Lead | Role::Admin) {
                                (nav("/walk-in", t.nav_walk_in, Section::WalkIn))
                            }
                            @if matches!(me.role, Role::Lead | Role::Mayor | Role::Admin) {
                                (nav("/lead", t.nav_lead, Section::Lead))
                            }
                            @if matches!(me.role, Role::Lead | Role::Mayor | Role::Admin) {
                                (nav("/dashboard", t.nav_dashboard, Section::Dashboard))
                            }
                            @if me.role == Role::Admin {
                                (nav("/admin", t.nav_admin, Section::Admin))
                            }
                        }
                    }
                    span class="count-badge" id="unseen-count" hidden aria-hidden="true" {}
                    @if me.role != Role::Desk && section != Section::Search {
                        form class="header-search" method="get" action="/search" role="search" {
                            label class="visually-hidden" for="header-search" { (t.search_label) }
                            input type="search" id="header-search" name="q" maxlength="200" placeholder=(t.search_placeholder);
                            button class="header-button" type="submit" { (t.search_button) }
                        }
                    }
                    // Desk staff own no cases, so being on duty means nothing for them.
                    @if me.role != Role::Desk {
                        form method="post" action="/duty" {
                            input type="hidden" name="_csrf" value=(user.csrf);
                            label class="visually-hidden" for="duty-status" { (t.duty_label) }
                            select id="duty-status" name="status" {
                                @for status in [DutyStatus::OnDuty, DutyStatus::Away, DutyStatus::Off] {
                                    option value=(status.as_str()) selected[me.duty_status == status] { (t.duty(status)) }
                                }
                            }
                            button class="header-button" type="submit" { (t.change_duty) }
                        }
                    }
                    form method="post" action="/language" {
                        input type="hidden" name="_csrf" value=(user.csrf);
                        label class="visually-hidden" for="ui-language" { (t.language_label) }
                        select id="ui-language" name="lang" {
                            @for lang in [Language::Fi, Language::Sv, Language::En] {
                                option value=(lang.as_str()) selected[user.lang == lang] lang=(lang.as_str()) { (ui(lang).language_name) }
                            }
                        }
                        button class="header-button" type="submit" { (t.change_language) }
                    }
                    span class="who" { (t.signed_in_as) " " (me.display_name) }
                    form method="post" action="/sign-out" {
                        input type="hidden" name="_csrf" value=(user.csrf);
                        button class="header-button" type="submit" { (t.sign_out) }
                    }
                }
                main id="main" tabindex="-1" {
                    div id="live-alert" class="live-alert" role="status" aria-live="polite" {}
                    @if let Some(flash) = flash {
                        (flash_box(flash))
                    }
                    (body)
                    aside id="shortcuts" class="shortcuts" hidden aria-label=(t.shortcuts_title) {
                        h2 { (t.shortcuts_title) }
                        dl {
                            @for (keys, what) in t.shortcuts {
                                dt { kbd { (keys) } }
                                dd { (what) }
                            }
                        }
                    }
                }
                script src=(web_assets::url("htmx.min.js")) {}
                script src=(web_assets::url("console.js")) {}
            }
        }
    }
}

/// The flash message box.
pub fn flash_box(flash: &Flash) -> Markup {
    match flash {
        Flash::Done(text) => html! { div class="flash" role="status" { (text) } },
        Flash::Failed(text) => html! { div class="flash error" role="alert" { (text) } },
    }
}

/// A hidden CSRF field for a form.
pub fn csrf_field(user: &WebUser) -> Markup {
    html! { input type="hidden" name="_csrf" value=(user.csrf); }
}
