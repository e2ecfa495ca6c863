//! Bundles the front-end packages from `web/` (npm) into the binary at build
//! time, so no page ever loads a style or script from a CDN at run time.
//!
//! `web/node_modules` is installed with `npm ci` the first time (and again
//! whenever `web/package-lock.json` changes), so `cargo build` on a fresh
//! machine needs nothing but Node.js and npm.

use std::{
    env, fs,
    path::{Path, PathBuf},
    process::Command,
};

/// The Helsinki Design System styles Batline's pages use, in cascade order.
/// Its web fonts are left out on purpose: `hds-core` loads them from the
/// city's CDN, and the font stack falls back to Arial without them.
const HDS_STYLES: &[&str] = &["lib/base.min.css", "lib/components/all.min.css", "lib/utils/helpers.min.css"];

fn main() {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let web = manifest.parent().expect("web-assets/ lives inside the workspace").join("web");
    let out = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    println!("cargo:rerun-if-changed={}", web.join("package-lock.json").display());
    println!("cargo:rerun-if-changed={}", web.join("src").display());

    let modules = web.join("node_modules");
    if !installed(&web, &modules) {
        npm_ci(&web);
    }

    let mut hds = String::new();
    for style in HDS_STYLES {
        let path = modules.join("hds-core").join(style);
        let css = fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        // Source-map comments point at files we do not serve.
        let css = css.lines().filter(|l| !l.starts_with("/*# sourceMappingURL")).collect::<Vec<_>>().join("\n");
        hds.push_str(&css);
        hds.push('\n');
    }
    write(&out.join("hds.css"), hds.as_bytes());

    let htmx = modules.join("htmx.org/dist/htmx.min.js");
    let htmx = fs::read(&htmx).unwrap_or_else(|e| panic!("reading {}: {e}", htmx.display()));
    write(&out.join("htmx.min.js"), &htmx);
}

/// True when `node_modules` matches the lock file npm last installed from.
fn installed(web: &Path, modules: &Path) -> bool {
    let (Ok(lock), Ok(installed)) =
        (fs::metadata(web.join("package-lock.json")), fs::metadata(modules.join(".package-lock.json")))
    else {
        return false;
    };
    match (lock.modified(), installed.modified()) {
        (Ok(lock), Ok(installed)) => installed >= lock,
        _ => false,
    }
}

fn npm_ci(web: &Path) {
    println!("cargo:warning=installing the front-end packages in web/ with `npm ci`");
    let status = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(web)
        .status()
        .unwrap_or_else(|e| {
            panic!("could not run npm ({e}); install Node.js and npm (Debian: apt-get install nodejs npm)")
        });
    assert!(status.success(), "`npm ci` in {} failed; see its output above", web.display());
}

fn write(path: &Path, bytes: &[u8]) {
    fs::write(path, bytes).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
}
