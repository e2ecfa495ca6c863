// Batline chat for any city web page. Include it once:
//
//   <script src="https://batline.hel.fi/chat/embed.js" defer></script>
//
// (optionally with data-lang="sv" or "en"; otherwise the page's own <html
// lang> decides). It adds a "chat" button that opens /chat of the same
// Batline in a framed panel. The gateway lets the page frame the chat and
// open its WebSocket only if the page's origin is in BATLINE_CHAT_ORIGINS.
// No inline script or style attribute is written, so it works under a
// strict CSP (styles are set through the DOM, which CSP allows).
(() => {
  "use strict";
  const script = document.currentScript;
  if (!script || document.getElementById("batline-chat-toggle")) return;
  const base = new URL(script.src, location.href).origin;
  const langs = ["fi", "sv", "en"];
  const wanted = (script.dataset.lang || document.documentElement.lang || "fi").slice(0, 2).toLowerCase();
  const lang = langs.includes(wanted) ? wanted : "fi";
  const words = {
    fi: { open: "Kysy kaupungilta", close: "Sulje chat", title: "Kaupungin chat",
      blocked: "Chat ei voi avautua tälle sivulle.", newTab: "Avaa chat uuteen välilehteen" },
    sv: { open: "Fråga staden", close: "Stäng chatten", title: "Stadens chatt",
      blocked: "Chatten kan inte öppnas på den här sidan.", newTab: "Öppna chatten i en ny flik" },
    en: { open: "Ask the city", close: "Close the chat", title: "City chat",
      blocked: "The chat cannot open on this page.", newTab: "Open the chat in a new tab" },
  }[lang];

  const button = document.createElement("button");
  button.type = "button";
  button.id = "batline-chat-toggle";
  button.textContent = words.open;
  button.setAttribute("aria-expanded", "false");
  button.setAttribute("aria-controls", "batline-chat-panel");
  Object.assign(button.style, {
    position: "fixed", right: "16px", bottom: "16px", zIndex: "2147483000", minHeight: "44px",
    padding: "8px 20px", border: "2px solid #0000bf", background: "#0000bf", color: "#fff",
    font: "600 16px/1.5 Arial, sans-serif", cursor: "pointer",
  });

  const panel = document.createElement("div");
  panel.id = "batline-chat-panel";
  panel.hidden = true;
  Object.assign(panel.style, {
    position: "fixed", right: "16px", bottom: "72px", zIndex: "2147483000",
    width: "min(400px, calc(100vw - 32px))", height: "min(640px, calc(100vh - 96px))",
    border: "2px solid #0000bf", background: "#fff", boxShadow: "0 4px 16px rgba(0,0,0,.25)",
  });
  const frame = document.createElement("iframe");
  frame.title = words.title;
  // The chat's "Share my location" asks the browser, which a frame may do
  // only when its page allows it.
  frame.allow = "geolocation";
  Object.assign(frame.style, { width: "100%", height: "100%", border: "0" });
  panel.append(frame);

  // A page whose origin Batline does not allow to frame the chat gets a
  // refused frame, which no load event tells apart from a good one. The
  // chat says "ready" when it runs; without that in a few seconds, the
  // panel offers the chat in a new tab instead of an empty frame.
  const chatUrl = `${base}/chat?lang=${lang}`;
  let ready = false;
  function fallback() {
    if (ready) return;
    const box = document.createElement("div");
    Object.assign(box.style, { padding: "16px", font: "16px/1.5 Arial, sans-serif", color: "#1a1a1a" });
    const text = document.createElement("p");
    text.textContent = words.blocked;
    const link = document.createElement("a");
    link.href = chatUrl;
    link.target = "_blank";
    link.rel = "noopener";
    link.textContent = words.newTab;
    Object.assign(link.style, { color: "#0000bf", fontWeight: "600" });
    box.append(text, link);
    frame.replaceWith(box);
    link.focus();
  }
  window.addEventListener("message", (event) => {
    if (event.origin !== base || event.source !== frame.contentWindow || !event.data) return;
    if (event.data.batline === "chat-ready") ready = true;
    if (event.data.batline === "chat-escape" && !panel.hidden) {
      toggle(false);
      button.focus();
    }
  });

  function toggle(open) {
    if (open && !frame.src) {
      frame.src = chatUrl;
      setTimeout(fallback, 6000);
    }
    panel.hidden = !open;
    button.setAttribute("aria-expanded", String(open));
    button.textContent = open ? words.close : words.open;
    if (open) frame.focus();
  }
  button.addEventListener("click", () => toggle(panel.hidden));
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !panel.hidden) {
      toggle(false);
      button.focus();
    }
  });
  document.body.append(panel, button);
})();
