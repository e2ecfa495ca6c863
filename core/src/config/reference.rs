//! The book's configuration reference, `docs/src/configuration.md`,
//! rendered from the declaration ([`super::settings`]) so it cannot drift
//! from what the code reads. A unit test fails when the committed page is
//! stale; `BATLINE_BLESS=1 cargo test -p batline-core config::reference`
//! rewrites it.

use clap::Arg;

use super::settings::Settings;

/// Where the reference lives, relative to the workspace root.
pub const PATH: &str = "docs/src/configuration.md";

/// The configuration reference as Markdown: one table per help heading,
/// in declaration order.
pub fn markdown() -> String {
    let command = Settings::command();
    let mut out = String::from(
        "# Configuration\n\n\
         > Generated from the settings' declaration (`core/src/config/settings.rs` and\n\
         > `core/src/telemetry.rs`); do not edit. Change a doc comment there and run\n\
         > `BATLINE_BLESS=1 cargo test -p batline-core config::reference`.\n\n\
         Batline reads its settings once, at start-up, from the environment or from\n\
         the `batline` command's options (`BATLINE_GATEWAY_ADDR` is also\n\
         `--gateway-addr`; an option given wins over the variable). `batline --help`\n\
         lists the same settings. Defaults suit one development machine. Secrets\n\
         (`TWILIO_AUTH_TOKEN`) never reach a log line or `Debug` output.\n",
    );
    let mut heading = None;
    for arg in command.get_arguments().filter(|a| a.get_env().is_some()) {
        if heading != Some(arg.get_help_heading()) {
            heading = Some(arg.get_help_heading());
            out.push_str(&format!("\n## {}\n\n", arg.get_help_heading().unwrap_or("Settings")));
            out.push_str("| variable | option | default | meaning |\n|---|---|---|---|\n");
        }
        out.push_str(&format!(
            "| `{}` | `--{}` | {} | {} |\n",
            arg.get_env().map(|e| e.to_string_lossy()).unwrap_or_default(),
            arg.get_long().unwrap_or_default(),
            default(arg),
            cell(&help(arg)),
        ));
    }
    out.push_str(
        "\nRelated chapters: [Health and metrics](metrics.md) for the router's \
         metrics address, [Logs and traces](logs-and-traces.md), \
         [Webhook limit](http-apis.md#webhook-limit), [Web chat](channels/web-chat.md) \
         for the origins, [Personal data](privacy.md) for redaction.\n",
    );
    out
}

fn default(arg: &Arg) -> String {
    let values = arg.get_default_values();
    if values.is_empty() {
        return "unset".to_owned();
    }
    // A `|` inside a code span still ends a table cell unless escaped.
    values.iter().map(|v| format!("`{}`", v.to_string_lossy().replace('|', "\\|"))).collect::<Vec<_>>().join(", ")
}

fn help(arg: &Arg) -> String {
    arg.get_long_help().or(arg.get_help()).map(ToString::to_string).unwrap_or_default()
}

/// One table cell: no line breaks, no bare `|`, a full stop at the end
/// (clap drops it from one-sentence help).
fn cell(text: &str) -> String {
    let mut cell = text.split_whitespace().collect::<Vec<_>>().join(" ").replace('|', "\\|");
    if !cell.ends_with('.') {
        cell.push('.');
    }
    cell
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn the_committed_reference_is_the_declaration() -> std::io::Result<()> {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/src/configuration.md");
        let page = markdown();
        if std::env::var_os("BATLINE_BLESS").is_some() {
            return std::fs::write(path, page);
        }
        let committed = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            committed == page,
            "{PATH} is not what the settings' declaration says; regenerate it with \
             `BATLINE_BLESS=1 cargo test -p batline-core config::reference` and commit it"
        );
        Ok(())
    }

    #[test]
    fn every_setting_has_one_variable_an_option_and_a_description() {
        let command = Settings::command();
        let mut seen = HashSet::new();
        for arg in command.get_arguments() {
            let env = arg.get_env().map(|e| e.to_string_lossy().into_owned());
            assert!(env.as_ref().is_some_and(|e| seen.insert(e.clone())), "{:?}: no variable, or one used twice", arg);
            assert!(arg.get_long().is_some(), "{env:?} has no option");
            assert!(!help(arg).trim().is_empty(), "{env:?} has no description");
        }
        for name in ["DATABASE_URL", "BATLINE_SANDBOX_ADDR", "BATLINE_LOG_FORMAT", "RUST_LOG", "TWILIO_AUTH_TOKEN"] {
            assert!(seen.contains(name), "{name} is not declared");
        }
    }
}
