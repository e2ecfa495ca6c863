// The printable walk-in ticket's one script: its print button. The page
// runs under a CSP without inline script, so no onclick attribute.
(() => {
  "use strict";
  for (const button of document.querySelectorAll("button[data-print]")) {
    button.addEventListener("click", () => window.print());
  }
})();
