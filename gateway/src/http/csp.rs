//! The content security policies of the gateway's pages.

/// What the gateway's pages may load: their own scripts, styles and
/// images (HDS draws icons as `data:` SVGs), nothing inline and nothing
/// from elsewhere. The chat page adds who may frame it ([`framed_by`]).
macro_rules! page_sources {
    () => {
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; \
         base-uri 'none'; form-action 'self'"
    };
}

/// The policy of every gateway answer that sets none itself: the page
/// sources, and never framed.
pub const PAGE_CSP: &str = concat!(page_sources!(), "; frame-ancestors 'none'");

/// The page sources, framed by whom `frame_ancestors` (a whole
/// `frame-ancestors` directive) allows: the chat page's policy.
pub fn framed_by(frame_ancestors: &str) -> String {
    format!("{}; {frame_ancestors}", page_sources!())
}
