//! `sqlx::migrate!` (`src/db.rs`) embeds the migrations at compile time, but
//! cargo cannot see that it reads them: without this, a migration added
//! after the last build is missing from the next one until some Rust source
//! of this crate changes.
fn main() {
    println!("cargo:rerun-if-changed=../migrations");
}
