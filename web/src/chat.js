// The resident chat on /chat (also framed into city pages by chat-embed.js).
// Speaks the JSON protocol in docs/chat-protocol.md over /chat/ws.
//
// Nothing the resident writes is lost: every message goes into an outbox in
// localStorage first, with an id of its own, and leaves it only when the
// gateway confirms it stored it (`accepted`). After a reload or a dropped
// connection the outbox is sent again; the gateway stores each id once.
// The session token (also in localStorage) resumes the conversation, and
// the gateway sends everything after the last position this page has.
(() => {
  "use strict";
  const root = document.getElementById("chat");
  const textsEl = document.getElementById("chat-texts");
  if (!root || !textsEl) return;
  const T = JSON.parse(textsEl.textContent);
  const lang = root.dataset.lang || "fi";
  const maxChars = Number(root.dataset.max) || 2000;
  const STORE = "batline.chat.v1";

  const el = (id) => document.getElementById(id);
  const log = el("log"), form = el("compose"), input = el("message"), errorEl = el("message-error");
  const connection = el("connection"), typingEl = el("typing"), satisfaction = el("satisfaction");
  const casePanel = el("case"), caseOwner = el("case-owner"), caseCode = el("case-code"), caseStatus = el("case-status");
  const contactPanel = el("contact"), contactAsk = el("contact-ask"), contactConfirm = el("contact-confirm");
  const contactStatus = el("contact-status"), contactError = el("contact-error");

  const timeFormat = new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit", timeZone: "Europe/Helsinki" });
  const fill = (text, values) => text.replace(/\{(\w+)\}/g, (_, k) => (k in values ? values[k] : ""));

  // --- What survives a reload -------------------------------------------
  function load() {
    try {
      const saved = JSON.parse(localStorage.getItem(STORE) || "{}");
      return { token: saved.token || null, outbox: Array.isArray(saved.outbox) ? saved.outbox : [] };
    } catch (_) {
      return { token: null, outbox: [] };
    }
  }
  const saved = load();
  function save() {
    try {
      localStorage.setItem(STORE, JSON.stringify({ token: saved.token, outbox: saved.outbox }));
    } catch (_) { /* private mode: the chat still works until the tab closes */ }
  }

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  // --- Rendering ---------------------------------------------------------
  let lastSeq = 0;           // position of the newest message shown
  let readUpTo = 0;          // the owner has read the resident's messages up to here
  let readAt = null;
  let currentCase = null;

  function meta(who, at, state) {
    const p = document.createElement("p");
    p.className = "chat-meta";
    const name = document.createElement("span");
    name.className = "chat-who";
    name.textContent = who;
    p.append(name);
    if (at) {
      const time = document.createElement("time");
      time.dateTime = at;
      time.textContent = " " + timeFormat.format(new Date(at));
      p.append(time);
    }
    const stateEl = document.createElement("span");
    stateEl.className = "chat-state";
    // The same separator as setState gives later ("18.44 · Lähetetty").
    stateEl.textContent = state ? " · " + state : "";
    p.append(stateEl);
    return p;
  }

  // Web addresses in a message become links (new tab, no referrer); the
  // rest stays text. Only http(s): nothing else is ever made clickable.
  const URL_PATTERN = /\bhttps?:\/\/[^\s<>"]+[^\s<>".,;:!?)\]'"]/g;
  function withLinks(parent, body) {
    let last = 0;
    for (const match of body.matchAll(URL_PATTERN)) {
      parent.append(document.createTextNode(body.slice(last, match.index)));
      const a = document.createElement("a");
      a.href = match[0];
      a.textContent = match[0];
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      parent.append(a);
      last = match.index + match[0].length;
    }
    parent.append(document.createTextNode(body.slice(last)));
  }

  function bubble(kind, who, body, at, state) {
    const li = document.createElement("li");
    li.className = `chat-msg from-${kind}`;
    li.append(meta(who, at, state));
    const text = document.createElement("p");
    text.className = "chat-body";
    withLinks(text, body);
    li.append(text);
    log.append(li);
    li.scrollIntoView({ block: "nearest" });
    return li;
  }

  function setState(li, text) {
    const s = li && li.querySelector(".chat-state");
    if (s) s.textContent = text ? " · " + text : "";
  }

  function pendingBubble(item) {
    let li = log.querySelector(`li[data-client-id="${CSS.escape(item.client_id)}"]`);
    if (!li) {
      li = bubble("resident", T.you, item.body, null, "");
      li.dataset.clientId = item.client_id;
    }
    setState(li, item.failed ? T.failed : T.sending);
    return li;
  }

  function showMessage(m) {
    if (m.seq <= lastSeq) return;
    lastSeq = m.seq;
    let li = m.client_id ? log.querySelector(`li[data-client-id="${CSS.escape(m.client_id)}"]`) : null;
    const who = m.from === "resident" ? T.you : m.from === "responder" ? (m.author || "") : (root.dataset.city || "");
    if (li) {
      // The resident's own message, now filed: move it to its place in the conversation.
      li.remove();
      li = null;
    }
    li = bubble(m.from, who, m.body, m.at, m.from === "resident" ? T.sent : "");
    li.dataset.seq = String(m.seq);
    if (m.client_id) li.dataset.clientId = m.client_id;
    if (m.from === "resident" && m.read_at && m.seq > readUpTo) { readUpTo = m.seq; readAt = m.read_at; }
    if (m.from !== "resident") typingEl.textContent = "";
    // Keep pending messages last: they were written after everything filed.
    for (const item of saved.outbox) {
      const pending = log.querySelector(`li[data-client-id="${CSS.escape(item.client_id)}"]:not([data-seq])`);
      if (pending) log.append(pending);
    }
    showRead();
    scheduleAck();
  }

  function showRead() {
    if (!readUpTo) return;
    for (const li of log.querySelectorAll("li.from-resident[data-seq]")) {
      if (Number(li.dataset.seq) <= readUpTo) {
        setState(li, fill(T.read, { time: timeFormat.format(new Date(readAt)) }));
      }
    }
  }

  function showCase(c) {
    currentCase = c;
    casePanel.hidden = false;
    contactPanel.hidden = false;
    // The case's district, when known: never the owner's home area.
    const name = c.area ? `${c.owner.name}, ${c.area}` : c.owner.name;
    caseOwner.textContent = fill(T.owner, { name });
    caseCode.textContent = c.code;
    caseCode.href = `${c.track_url}?lang=${lang}`;
    caseCode.target = "_blank";
    caseCode.rel = "noopener";
    caseCode.setAttribute("aria-label", `${T.follow}: ${c.code}`);
    caseStatus.textContent = c.status === "resolved" ? T.resolved : T.open;
    const wasHidden = satisfaction.hidden;
    satisfaction.hidden = !c.ask_satisfaction;
    if (wasHidden && c.ask_satisfaction) {
      const first = satisfaction.querySelector("button");
      if (first && document.activeElement === input && !input.value) first.focus();
    }
  }

  let typingTimer = null;
  function showTyping(name) {
    typingEl.textContent = fill(T.typing, { name });
    clearTimeout(typingTimer);
    typingTimer = setTimeout(() => { typingEl.textContent = ""; }, 6000);
  }

  function showError(text, kind) {
    errorEl.textContent = text;
    errorEl.dataset.kind = text ? kind || "" : "";
  }

  // The live count, in characters as the gateway counts them (code points).
  const countEl = el("message-count");
  const length = (text) => Array.from(text).length;
  function updateCount() {
    const count = length(input.value.trim());
    countEl.textContent = fill(T.count, { count, max: maxChars });
    countEl.classList.toggle("over", count > maxChars);
    // A "too long" message goes once the text fits.
    if (errorEl.dataset.kind === "too_long" && count <= maxChars) showError("");
  }
  input.addEventListener("input", updateCount);
  updateCount();

  // --- The socket ----------------------------------------------------------
  let ws = null;
  let greeted = false;
  let backoff = 1000;
  let ackTimer = null;
  let acked = 0;

  function wsUrl() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    return `${scheme}//${location.host}${root.dataset.ws}`;
  }

  function send(frame) {
    if (ws && ws.readyState === WebSocket.OPEN && (greeted || frame.type === "hello")) {
      ws.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }

  function flushOutbox() {
    for (const item of saved.outbox) {
      if (item.failed || item.waitUntil > Date.now()) continue;
      const frame = item.kind === "satisfaction"
        ? { type: "satisfaction", client_id: item.client_id, answer: item.answer }
        : item.kind === "location"
          ? { type: "location", client_id: item.client_id, lat: item.lat, lon: item.lon }
          : { type: "message", client_id: item.client_id, body: item.body };
      send(frame);
    }
  }

  function scheduleAck() {
    clearTimeout(ackTimer);
    ackTimer = setTimeout(() => {
      if (lastSeq > acked && send({ type: "ack", seq: lastSeq })) acked = lastSeq;
    }, 300);
  }

  function connect() {
    connection.textContent = T.connecting;
    greeted = false;
    ws = new WebSocket(wsUrl());
    ws.addEventListener("open", () => {
      send({ type: "hello", lang, token: saved.token, last_seq: lastSeq });
    });
    ws.addEventListener("message", (event) => {
      let frame;
      try { frame = JSON.parse(event.data); } catch (_) { return; }
      onFrame(frame);
    });
    ws.addEventListener("close", (event) => {
      greeted = false;
      // 1012: the gateway is restarting and says so; another one takes
      // the chat at once (a moment's spread, so its sockets do not all
      // arrive together). Nothing is offline meanwhile.
      if (event.code === 1012) {
        connection.textContent = T.connecting;
        setTimeout(connect, 100 + Math.random() * 400);
        return;
      }
      connection.textContent = T.offline;
      setTimeout(connect, backoff);
      backoff = Math.min(backoff * 2, 15000);
    });
  }

  function outboxItem(clientId) {
    return saved.outbox.find((i) => i.client_id === clientId);
  }

  function dropFromOutbox(clientId) {
    saved.outbox = saved.outbox.filter((i) => i.client_id !== clientId);
    save();
  }

  function onFrame(f) {
    switch (f.type) {
      case "welcome":
        greeted = true;
        backoff = 1000;
        connection.textContent = T.connected;
        if (!f.resumed && saved.token) {
          // The session is gone (or never was): start afresh.
          saved.token = null;
          save();
        }
        flushOutbox();
        break;
      case "session":
        saved.token = f.token;
        save();
        break;
      case "accepted": {
        const li = log.querySelector(`li[data-client-id="${CSS.escape(f.client_id)}"]:not([data-seq])`);
        setState(li, T.sent);
        dropFromOutbox(f.client_id);
        break;
      }
      case "message":
        showMessage(f);
        break;
      case "case":
        showCase(f);
        break;
      case "typing":
        showTyping(f.name);
        break;
      case "read":
        if (f.seq > readUpTo) { readUpTo = f.seq; readAt = f.at; }
        showRead();
        break;
      case "error":
        onError(f);
        break;
      default:
        break;
    }
  }

  function onError(f) {
    const item = f.client_id ? outboxItem(f.client_id) : null;
    const li = f.client_id ? log.querySelector(`li[data-client-id="${CSS.escape(f.client_id)}"]:not([data-seq])`) : null;
    switch (f.code) {
      case "rate_limited":
      case "unavailable": {
        const wait = (f.retry_after || 3) * 1000;
        if (item) { item.waitUntil = Date.now() + wait; save(); }
        if (f.code === "rate_limited") showError(T.rate_limited);
        setTimeout(() => { showError(""); flushOutbox(); }, wait);
        break;
      }
      case "too_many_chats":
      case "chats_paused": {
        // No new chat now (too many from this address, or paused for
        // everyone): the message waits in the outbox, the resident is told
        // to try later or call or text the line, and it is sent again then.
        const wait = (f.retry_after || 60) * 1000;
        if (item) { item.waitUntil = Date.now() + wait; save(); }
        setState(li, T.failed);
        showError(fill(T.new_chat_refused, { number: root.dataset.line || "" }));
        setTimeout(() => { showError(""); flushOutbox(); }, wait);
        break;
      }
      case "too_long":
      case "empty":
      case "bad_frame":
        if (item) dropFromOutbox(f.client_id);
        setState(li, T.failed);
        showError(f.code === "too_long" ? T.too_long : T.failed);
        break;
      case "not_asked":
        if (item) dropFromOutbox(f.client_id);
        satisfaction.hidden = true;
        break;
      default:
        // too_many_connections, too_large, no_hello: the socket closes and reconnects.
        break;
    }
  }

  // --- The resident's side -----------------------------------------------
  function submit(body) {
    const item = { client_id: newId(), kind: "message", body };
    saved.outbox.push(item);
    save();
    pendingBubble(item);
    send({ type: "message", client_id: item.client_id, body });
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const body = input.value.trim();
    // Said out loud, never dropped: the text stays in the box to fix.
    if (!body) { showError(T.empty); input.focus(); return; }
    const count = length(body);
    if (count > maxChars) { showError(fill(T.too_long_count, { count, max: maxChars }), "too_long"); input.focus(); return; }
    showError("");
    input.value = "";
    updateCount();
    submit(body);
    input.focus();
  });

  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  satisfaction.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-answer]");
    if (!button) return;
    const raw = button.dataset.answer;
    const answer = raw === "no" ? "no" : Number(raw);
    const item = { client_id: newId(), kind: "satisfaction", answer, body: button.textContent };
    saved.outbox.push(item);
    save();
    satisfaction.hidden = true;
    connection.textContent = T.answered;
    send({ type: "satisfaction", client_id: item.client_id, answer });
    input.focus();
  });

  // "Share my location": only where the browser can tell, and only when the
  // resident presses it (the browser then asks their consent). The point is
  // sent like a message: kept in the outbox until the gateway stores it.
  const shareButton = el("share-location"), shareHint = el("share-hint");
  if (shareButton && "geolocation" in navigator) {
    shareButton.hidden = false;
    shareHint.hidden = false;
    shareButton.addEventListener("click", () => {
      shareButton.disabled = true;
      connection.textContent = T.locating;
      navigator.geolocation.getCurrentPosition(
        (position) => {
          shareButton.disabled = false;
          connection.textContent = "";
          const lat = Math.round(position.coords.latitude * 1e5) / 1e5;
          const lon = Math.round(position.coords.longitude * 1e5) / 1e5;
          const item = { client_id: newId(), kind: "location", lat, lon, body: `📍 ${lat.toFixed(5)}, ${lon.toFixed(5)}` };
          saved.outbox.push(item);
          save();
          pendingBubble(item);
          send({ type: "location", client_id: item.client_id, lat, lon });
        },
        () => {
          shareButton.disabled = false;
          connection.textContent = "";
          showError(T.location_failed);
        },
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 },
      );
    });
  }

  // Framed into a city page (chat-embed.js): say the chat loaded, so the
  // page need not offer its new-tab link, and pass Escape up, so it closes
  // the panel wherever focus is. Nothing of the conversation is sent.
  if (window.parent !== window) {
    window.parent.postMessage({ batline: "chat-ready" }, "*");
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape") window.parent.postMessage({ batline: "chat-escape" }, "*");
    });
  }

  // Messages written before a reload, not yet confirmed, are shown pending
  // and sent again once connected.
  for (const item of saved.outbox) {
    if (item.kind === "message" || item.kind === "location") pendingBubble(item);
  }
  connect();

  // --- A phone number or an email address, confirmed by a code -----------
  // Plain HTTP with the session token, not the socket: the answer is the
  // gateway's word on it, in the resident's language.
  async function contactCall(path, fields) {
    contactError.textContent = "";
    try {
      const response = await fetch(path, {
        method: "POST",
        headers: { "Authorization": `Bearer ${saved.token || ""}`, "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(fields),
      });
      const answer = await response.json().catch(() => ({}));
      if (!response.ok) {
        contactError.textContent = answer.detail || T.failed;
        return null;
      }
      return answer;
    } catch (_) {
      contactError.textContent = T.failed;
      return null;
    }
  }
  contactAsk.addEventListener("submit", async (e) => {
    e.preventDefault();
    const address = el("contact-address").value.trim();
    const answer = await contactCall("/api/v1/chat/contact", address.includes("@") ? { email: address } : { phone: address });
    if (!answer) return;
    contactStatus.textContent = answer.detail;
    if (answer.status === "sent") {
      contactConfirm.hidden = false;
      el("contact-code").focus();
    }
  });
  contactConfirm.addEventListener("submit", async (e) => {
    e.preventDefault();
    const answer = await contactCall("/api/v1/chat/contact/confirm", { code: el("contact-code").value });
    if (!answer) return;
    contactStatus.textContent = answer.detail;
    contactConfirm.hidden = true;
    el("contact-code").value = "";
  });
})();
