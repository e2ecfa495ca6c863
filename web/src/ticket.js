// The printable walk-in ticket's one script: its print button, and printing
// at once when the desk page opened it with ?print=1 (one key press at a
// busy desk). The page runs under a CSP without inline script, so no
// onclick attribute.
(() => {
  "use strict";
  for (const button of document.querySelectorAll("button[data-print]")) {
    button.addEventListener("click", () => window.print());
  }
  // Only a filed ticket has the button; an unfiled one reloads itself until then.
  const ready = document.querySelector("button[data-print]");
  if (ready && new URLSearchParams(location.search).get("print") === "1") {
    window.addEventListener("load", () => window.print(), { once: true });
  }
})();
