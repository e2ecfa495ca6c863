// The tracking page's one script: a resident who wrote through the web chat
// in this browser has the chat's session token, which proves they are the
// case's contact; with it the page fetches and shows the whole
// conversation. Without it the page stays as the server rendered it.
(() => {
  "use strict";
  const root = document.getElementById("track");
  const section = document.getElementById("conversation");
  if (!root || !section || !section.hidden) return;
  let token = null;
  try {
    token = (JSON.parse(localStorage.getItem("batline.chat.v1") || "{}") || {}).token || null;
  } catch (_) { return; }
  if (!token) return;
  const lang = root.dataset.lang || "fi";
  const timeFormat = new Intl.DateTimeFormat(lang, {
    day: "numeric", month: "numeric", year: "numeric", hour: "2-digit", minute: "2-digit", timeZone: "Europe/Helsinki",
  });
  fetch(`/api/v1/track/${encodeURIComponent(root.dataset.code)}/conversation`, {
    headers: { Authorization: `Bearer ${token}` },
  })
    .then((r) => (r.ok ? r.json() : null))
    .then((lines) => {
      if (!Array.isArray(lines)) return;
      const list = section.querySelector("ol");
      for (const line of lines) {
        const li = document.createElement("li");
        li.className = `chat-msg from-${line.from}`;
        const meta = document.createElement("p");
        meta.className = "chat-meta";
        const who = document.createElement("span");
        who.className = "chat-who";
        who.textContent = line.from === "resident" ? root.dataset.you
          : line.from === "responder" ? (line.author || "") : root.dataset.city;
        const time = document.createElement("time");
        time.dateTime = line.at;
        time.textContent = " " + timeFormat.format(new Date(line.at));
        meta.append(who, time);
        const body = document.createElement("p");
        body.className = "chat-body";
        body.textContent = line.body;
        li.append(meta, body);
        list.append(li);
      }
      section.hidden = false;
      const contact = document.querySelector(".track-contact");
      if (contact) contact.hidden = true;
    })
    .catch(() => { /* the public page is still there */ });
})();
