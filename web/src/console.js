// The console's live layer, loaded by every signed-in page (no inline
// script: the pages' CSP forbids it).
//
// - Sends the CSRF token with every htmx request.
// - Keeps a WebSocket to /live. Each event it brings makes the parts of the
//   page marked `data-live` fetch themselves again (htmx trigger
//   `live-refresh`); a new case or message also raises a visible and audible
//   alert and bumps the count in the title. When the socket drops or the
//   server says it fell behind ("resync"), everything live is refetched, so
//   the page never silently stops updating.
// - Shows deadlines as time left, in the page's language.
// - Keyboard shortcuts: j/k move through the list, o or Enter opens,
//   a acknowledges, r goes to the reply box, ? lists the shortcuts.
(function () {
  "use strict";

  const csrf = document.querySelector('meta[name="csrf-token"]');
  document.body.addEventListener("htmx:configRequest", function (e) {
    if (csrf) e.detail.headers["X-CSRF-Token"] = csrf.content;
  });

  const lang = document.documentElement.lang || "en";
  const alertBox = document.getElementById("live-alert");
  const badge = document.getElementById("unseen-count");
  const baseTitle = document.title;
  let unseen = 0;

  function refreshLive() {
    document.querySelectorAll("[data-live]").forEach(function (el) {
      if (window.htmx) window.htmx.trigger(el, "live-refresh");
    });
  }

  // A short two-tone chime made on the spot, so no sound file is needed.
  // Browsers only allow sound after the user has interacted with the page.
  let audio = null;
  function unlockAudio() {
    if (!audio && window.AudioContext) audio = new AudioContext();
  }
  document.addEventListener("click", unlockAudio, { once: true });
  document.addEventListener("keydown", unlockAudio, { once: true });
  function chime() {
    if (!audio) return;
    [660, 880].forEach(function (freq, i) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.15, audio.currentTime + i * 0.18);
      gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + i * 0.18 + 0.16);
      osc.connect(gain).connect(audio.destination);
      osc.start(audio.currentTime + i * 0.18);
      osc.stop(audio.currentTime + i * 0.18 + 0.17);
    });
  }

  function announce(text) {
    unseen += 1;
    if (badge) {
      badge.textContent = String(unseen);
      badge.hidden = false;
    }
    document.title = "(" + unseen + ") " + baseTitle;
    if (alertBox && text) alertBox.textContent = text;
    chime();
  }
  window.addEventListener("focus", function () {
    unseen = 0;
    document.title = baseTitle;
    if (badge) badge.hidden = true;
  });

  let retry = 500;
  function connect() {
    if (!document.body.dataset.live) return;
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    const ws = new WebSocket(scheme + location.host + "/live");
    ws.addEventListener("open", function () {
      retry = 500;
      document.body.dataset.liveState = "connected";
    });
    ws.addEventListener("message", function (e) {
      let event;
      try { event = JSON.parse(e.data); } catch (_) { return; }
      refreshLive();
      if (event.alert) announce(event.alert);
    });
    ws.addEventListener("close", function (event) {
      document.body.dataset.liveState = "reconnecting";
      // 1012: this console is restarting; another one answers at once.
      if (event.code === 1012) retry = 250 + Math.random() * 500;
      // Whatever happened while away is fetched once the socket is back.
      setTimeout(function () { connect(); refreshLive(); }, retry);
      retry = Math.min(retry * 2, 10000);
    });
  }
  connect();

  // Deadlines: <time class="due" datetime="...">.
  const relative = window.Intl && Intl.RelativeTimeFormat ? new Intl.RelativeTimeFormat(lang, { numeric: "auto" }) : null;
  function tick() {
    const now = Date.now();
    document.querySelectorAll("time.due[datetime]").forEach(function (el) {
      const ms = Date.parse(el.getAttribute("datetime")) - now;
      if (isNaN(ms) || !relative) return;
      const minutes = Math.round(ms / 60000);
      // Minutes up to two hours, hours up to two days, then days: "in 5 days", not "in 120 hours".
      const hours = Math.round(minutes / 60);
      el.textContent = Math.abs(minutes) < 120 ? relative.format(minutes, "minute")
        : Math.abs(hours) < 48 ? relative.format(hours, "hour")
        : relative.format(Math.round(hours / 24), "day");
      el.classList.toggle("overdue", ms < 0);
      el.classList.toggle("soon", ms >= 0 && ms < 5 * 60000);
    });
  }
  tick();
  setInterval(tick, 15000);
  document.body.addEventListener("htmx:afterSwap", tick);

  // Canned replies: picking one puts its text in the reply box to edit.
  document.querySelectorAll("select[data-canned-for]").forEach(function (select) {
    select.addEventListener("change", function () {
      const target = document.getElementById(select.dataset.cannedFor);
      if (target && select.value) {
        target.value = select.value;
        target.focus();
      }
    });
  });

  // A form marked data-confirm asks first (resolving: the summary is public).
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (e) {
      if (!window.confirm(form.dataset.confirm)) e.preventDefault();
    });
  });

  // A reply box's counter: characters and, for SMS, how many messages the
  // text takes (GSM-7: 160, or 153 each when split; anything outside it
  // makes the whole text UCS-2: 70, or 67 each).
  const GSM7 = /^[@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&'()*+,\-./0-9:;<=>?¡A-ZÄÖÑÜ§¿a-zäöñüà^{}\\\[~\]|€]*$/;
  function smsParts(text) {
    if (text.length === 0) return 0;
    const gsm = GSM7.test(text);
    // ^ { } \ [ ] ~ | € take two GSM-7 septets each.
    const length = gsm ? text.length + (text.match(/[\^{}\\\[\]~|€]/g) || []).length : text.length; // UTF-16 units, as UCS-2 counts them
    const single = gsm ? 160 : 70;
    const each = gsm ? 153 : 67;
    return length <= single ? 1 : Math.ceil(length / each);
  }
  // Picking the channel a reply goes in: an SMS counts its heading and is
  // capped by it; the other channels take the text as it is.
  document.querySelectorAll("select[data-channel-for]").forEach(function (select) {
    select.addEventListener("change", function () {
      const box = document.getElementById(select.dataset.channelFor);
      const picked = select.selectedOptions[0];
      if (!box || !picked) return;
      box.dataset.prefix = picked.dataset.prefix || "";
      box.dataset.count = picked.dataset.count || "chars";
      if (picked.dataset.max) box.maxLength = Number(picked.dataset.max);
      box.dispatchEvent(new Event("input"));
    });
  });
  document.querySelectorAll("[data-count-for]").forEach(function (out) {
    const box = document.getElementById(out.dataset.countFor);
    if (!box) return;
    const labels = (out.dataset.label || "").split(" · ");
    function update() {
      const chars = Array.from(box.value).length;
      // An SMS reply is sent with its heading ("Mikko, Helsingin kaupunki: ")
      // in front, and that counts towards the messages it takes.
      out.textContent = box.dataset.count === "sms"
        ? chars + " " + labels[0] + " · " + smsParts((box.dataset.prefix || "") + box.value) + " " + (labels[1] || "")
        : chars + " " + labels[0];
    }
    box.addEventListener("input", update);
    update();
  });

  // Ctrl+Enter (Cmd+Enter on a Mac) sends a form marked data-ctrl-enter from
  // any of its fields: the desk registers a visit without reaching for the mouse.
  document.querySelectorAll("form[data-ctrl-enter]").forEach(function (form) {
    form.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        form.requestSubmit();
      }
    });
  });

  // Keyboard shortcuts, ignored while typing.
  function rows() { return Array.from(document.querySelectorAll("[data-case-row]")); }
  function selected() { return document.querySelector("[data-case-row].selected"); }
  function select(row) {
    rows().forEach(function (r) { r.classList.remove("selected"); });
    if (row) { row.classList.add("selected"); row.focus(); }
  }
  document.addEventListener("keydown", function (e) {
    const t = e.target;
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    const list = rows();
    const current = selected();
    const i = current ? list.indexOf(current) : -1;
    switch (e.key) {
      case "j": select(list[Math.min(i + 1, list.length - 1)]); break;
      case "k": select(list[Math.max(i - 1, 0)]); break;
      case "o":
      case "Enter": {
        const link = current && current.querySelector("a[data-open]");
        if (link) link.click(); else return;
        break;
      }
      case "a": {
        const scope = current || document;
        const ack = scope.querySelector("[data-acknowledge]");
        if (ack) ack.click(); else return;
        break;
      }
      case "r": {
        const reply = document.getElementById("reply-body");
        if (reply) reply.focus(); else return;
        break;
      }
      case "?": {
        const help = document.getElementById("shortcuts");
        if (help) { help.hidden = !help.hidden; }
        break;
      }
      default: return;
    }
    e.preventDefault();
  });
  document.body.addEventListener("click", function (e) {
    const row = e.target.closest && e.target.closest("[data-case-row]");
    if (row) select(row);
  });
})();
