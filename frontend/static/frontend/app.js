// Progressive enhancements; every page works without this file.
// Live notifications (DESIGN §6): a push is a hint; the record is /api/v1/notifications/?after=<id>.
(function () {
  "use strict";

  // The menu is a <details> disclosure on a phone; from 64rem it is always shown (app.css reads ::details-content;
  // browsers without it get the element opened here).
  var menu = document.querySelector("[data-menu]");
  if (menu && window.matchMedia) {
    var wide = window.matchMedia("(min-width: 64rem)");
    var follow = function () { if (wide.matches) { menu.open = true; } };
    follow();
    if (wide.addEventListener) { wide.addEventListener("change", follow); }
  }

  // The GOV.UK form pattern: after a submission with errors, focus goes to the error summary, whose links lead
  // to the fields.
  function focusErrors(root) {
    var summary = (root || document).querySelector("[data-error-summary]");
    if (summary) { summary.focus(); }
  }
  focusErrors(document);
  document.addEventListener("htmx:afterSettle", function (event) { focusErrors(event.detail && event.detail.target); });

  document.addEventListener("htmx:afterSwap", function (event) {
    // Move focus to the main landmark after a swap of the whole content, for screen readers.
    if (event.detail && event.detail.target && event.detail.target.id === "main") {
      event.detail.target.focus();
    }
  });

  document.addEventListener("htmx:configRequest", function (event) {
    // A refresh a push triggered is the browser's doing, not the person's: it must not keep the session alive.
    var trigger = event.detail && event.detail.triggeringEvent;
    if (trigger && trigger.type === "lsw:changed") { event.detail.headers["X-LSW-Background"] = "1"; }
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    // An element marked data-swap-errors="400 409" shows those answers (a form with its errors) in place,
    // instead of htmx's default of swapping nothing on an error status.
    var holder = event.target && event.target.closest ? event.target.closest("[data-swap-errors]") : null;
    if (!holder || !event.detail.xhr) { return; }
    var codes = holder.getAttribute("data-swap-errors").split(/\s+/);
    if (codes.indexOf(String(event.detail.xhr.status)) >= 0) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // Lists marked data-live-rows (the referrals and placements lists) refresh in place when a push arrives; the rows
  // that were not there before are marked "is-new" (a highlight that fades, app.css) so the eye finds them.
  var knownRows = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail && event.detail.target;
    var trigger = event.detail && event.detail.requestConfig && event.detail.requestConfig.triggeringEvent;
    knownRows = null;
    if (!target || !target.hasAttribute || !target.hasAttribute("data-live-rows")) { return; }
    if (!trigger || trigger.type !== "lsw:changed") { return; }  // a filter or a page: nothing is "new"
    knownRows = { id: target.id, ids: {} };
    Array.prototype.forEach.call(target.querySelectorAll("tr[id]"), function (row) { knownRows.ids[row.id] = true; });
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (!knownRows) { return; }
    var list = document.getElementById(knownRows.id);
    var ids = knownRows.ids;
    knownRows = null;
    if (!list) { return; }
    Array.prototype.forEach.call(list.querySelectorAll("tr[id]"), function (row) {
      if (!ids[row.id]) { row.classList.add("is-new"); }
    });
  });

  // The style guide's live example: a button shows a toast through the same function live notifications use. It is
  // hidden until this file runs; without JavaScript the static example beside it shows how a toast looks.
  Array.prototype.forEach.call(document.querySelectorAll("[data-toast-demo]"), function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { toast(button.getAttribute("data-toast-demo")); });
  });

  var status = document.getElementById("live-status");
  if (!status || !window.fetch) { return; }
  var api = status.dataset.api;
  var KEY = "lsw-last-notification";
  var lastId = parseInt(window.localStorage.getItem(KEY) || "0", 10) || 0;
  var socket = null;
  var pollTimer = null;
  var retry = 1000;
  var synced = false;  // the first sync of a page only sets the badge; later ones announce what is new

  function setBadge(count) {
    var badge = document.getElementById("unread-badge");
    var number = document.getElementById("unread-count");
    if (!badge || !number) { return; }
    number.textContent = String(count);
    badge.hidden = count <= 0;
  }

  function toast(text) {
    var box = document.getElementById("toasts");
    if (!box) { return; }
    var template = document.getElementById("toast-template");
    var item = template ? template.content.firstElementChild.cloneNode(true) : document.createElement("p");
    if (!template) { item.className = "toast"; }
    item.textContent = text;
    box.appendChild(item);
    window.setTimeout(function () { item.remove(); }, 8000);
  }

  function changed() {
    // Lists and counters marked hx-trigger="lsw:changed from:body" refresh in place.
    if (window.htmx) { window.htmx.trigger(document.body, "lsw:changed"); }
  }

  function remember(id) {
    if (id > lastId) {
      lastId = id;
      window.localStorage.setItem(KEY, String(id));
    }
  }

  function resync() {
    var url = api + (lastId ? "?after=" + lastId : "");
    var headers = { Accept: "application/json", "X-LSW-Background": "1" };  // not use of the session
    return fetch(url, { credentials: "same-origin", headers: headers })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        var fresh = synced ? data.results : [];
        synced = true;
        fresh.forEach(function (n) { toast(n.text); });
        if (fresh.length) { changed(); }
        remember(data.last_id || 0);
        setBadge(data.unread);
      })
      .catch(function () { /* offline: the next poll tries again */ });
  }

  function startPolling() {
    status.textContent = status.dataset.polling;
    status.classList.add("down");
    if (!pollTimer) { pollTimer = window.setInterval(resync, 30000); }
  }

  function stopPolling() {
    status.textContent = status.dataset.live;
    status.classList.remove("down");
    if (pollTimer) { window.clearInterval(pollTimer); pollTimer = null; }
  }

  function connect() {
    if (!window.WebSocket) { startPolling(); return; }
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + window.location.host + status.dataset.ws);
    socket.onopen = function () { retry = 1000; stopPolling(); resync(); };
    socket.onmessage = function (event) {
      var message;
      try { message = JSON.parse(event.data); } catch (e) { return; }
      if (message.type === "notification") {
        // Re-sync from the last id seen, not from this one: a push lost before it is fetched too.
        resync();
      } else if (message.type === "refresh") {
        changed();
      }
    };
    socket.onclose = function (event) {
      startPolling();
      if (event.code === 4401 || event.code === 4403) { return; }  // signed out or deactivated
      window.setTimeout(connect, retry);
      retry = Math.min(retry * 2, 30000);
    };
  }

  resync();
  connect();
})();

// The idle timeout (accounts/idle.py): a warning a minute before the sign-out, "stay signed in", and the input
// typed on the page kept in this tab's sessionStorage across a sign-out and restored after signing in again.
// Without this script the server still signs an idle session out; only the warning and the kept input are lost.
(function () {
  "use strict";

  var PREFIX = "lsw-draft:";
  var MAX_AGE = 60 * 60 * 1000;  // input kept for a sign-in that never came is dropped after an hour
  var SKIP = ["password", "hidden", "file", "submit", "button", "reset", "image"];
  var box = document.getElementById("idle-warning");
  var signedIn = !!box;
  var user = signedIn ? box.dataset.user : "";

  function storage() {
    try { return window.sessionStorage; } catch (e) { return null; }
  }

  function keys() {
    var store = storage();
    var found = [];
    if (!store) { return found; }
    for (var i = 0; i < store.length; i++) {
      var key = store.key(i);
      if (key && key.indexOf(PREFIX) === 0) { found.push(key); }
    }
    return found;
  }

  function forms() {
    // Forms in the page's content, not the header's language switch and sign-out; never a GET (search) form.
    var main = document.getElementById("main");
    if (!main) { return []; }
    return Array.prototype.filter.call(main.querySelectorAll("form"), function (form) {
      return (form.getAttribute("method") || "get").toLowerCase() === "post" && !form.hasAttribute("data-no-draft");
    });
  }

  function formKey(form, index) {
    var id = form.id || (form.getAttribute("action") || "") + "#" + index;
    return PREFIX + user + ":" + window.location.pathname + ":" + id;
  }

  function keepable(field) {
    return field.name && !field.disabled && SKIP.indexOf(field.type) < 0 &&
      field.getAttribute("autocomplete") !== "one-time-code";
  }

  function changed(field) {
    if (field.type === "checkbox" || field.type === "radio") { return field.checked !== field.defaultChecked; }
    if (field.tagName === "SELECT") {
      return Array.prototype.some.call(field.options, function (o) { return o.selected !== o.defaultSelected; });
    }
    return field.value !== field.defaultValue;
  }

  function saveDrafts() {
    // Only forms with something typed into them; never passwords, hidden fields (the CSRF token) or files.
    var store = storage();
    if (!store || !signedIn) { return; }
    forms().forEach(function (form, index) {
      var fields = Array.prototype.filter.call(form.elements, keepable);
      if (!fields.some(changed)) { return; }
      var values = fields.map(function (field) {
        if (field.type === "checkbox" || field.type === "radio") { return { n: field.name, c: field.checked, v: field.value }; }
        if (field.tagName === "SELECT") {
          return { n: field.name, s: Array.prototype.filter.call(field.options, function (o) { return o.selected; })
            .map(function (o) { return o.value; }) };
        }
        return { n: field.name, v: field.value };
      });
      try {
        store.setItem(formKey(form, index), JSON.stringify({ at: Date.now(), out: false, fields: values }));
      } catch (e) { /* storage full or refused: nothing kept */ }
    });
  }

  function restore(form, entry) {
    var used = {};
    entry.fields.forEach(function (item) {
      var candidates = Array.prototype.filter.call(form.elements, function (f) { return f.name === item.n && keepable(f); });
      if (item.c !== undefined) {
        candidates.forEach(function (f) { if (f.value === item.v) { f.checked = item.c; } });
        return;
      }
      var nth = used[item.n] || 0;
      used[item.n] = nth + 1;
      var field = candidates[nth];
      if (!field) { return; }
      if (item.s !== undefined && field.tagName === "SELECT") {
        Array.prototype.forEach.call(field.options, function (o) { o.selected = item.s.indexOf(o.value) >= 0; });
      } else if (item.v !== undefined) {
        field.value = item.v;
      }
    });
    var note = document.createElement("p");
    note.className = "message draft-restored";
    note.setAttribute("role", "status");
    note.textContent = box.dataset.restored;
    form.parentNode.insertBefore(note, form);
  }

  function settleDrafts() {
    var store = storage();
    if (!store) { return; }
    keys().forEach(function (key) {
      var entry;
      try { entry = JSON.parse(store.getItem(key)); } catch (e) { entry = null; }
      if (!entry || Date.now() - entry.at > MAX_AGE) { store.removeItem(key); return; }
      if (!signedIn) {
        // A page shown signed out (the login page): what was kept waits for the sign-in.
        if (!entry.out) { entry.out = true; store.setItem(key, JSON.stringify(entry)); }
        return;
      }
      if (key.indexOf(PREFIX + user + ":") !== 0) { store.removeItem(key); return; }  // someone else's
      if (!entry.out) { store.removeItem(key); return; }  // no sign-out came between: the form was sent or left
      var here = PREFIX + user + ":" + window.location.pathname + ":";
      if (key.indexOf(here) !== 0) { return; }  // restored when the person comes back to that page
      forms().forEach(function (form, index) {
        if (formKey(form, index) === key) { restore(form, entry); }
      });
      store.removeItem(key);
    });
  }

  settleDrafts();
  if (!signedIn) { return; }

  // Kept when the page is left or a form is sent: if the session has ended meanwhile, the login page comes next
  // and the input waits for the sign-in; otherwise the next page drops it.
  var leaving = false;  // signing out on purpose: nothing is kept
  document.addEventListener("submit", function (event) {
    if (event.target && event.target.classList && event.target.classList.contains("logout")) {
      leaving = true;
      keys().forEach(function (key) { storage().removeItem(key); });
      return;
    }
    saveDrafts();
  }, true);
  window.addEventListener("pagehide", function () { if (!leaving) { saveDrafts(); } });

  if (!window.fetch || typeof box.showModal !== "function") { return; }
  var WARN = 60 * 1000;
  var statusUrl = box.dataset.status;
  var remaining = parseFloat(box.dataset.remaining);
  if (isNaN(remaining)) { return; }
  var deadline = Date.now() + remaining * 1000;
  var timer = null;
  var ticker = null;
  var countdown = document.getElementById("idle-countdown");

  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]; } catch (e) { return ""; }
  }

  function expired() {
    saveDrafts();
    var here = window.location.pathname + window.location.search;
    window.location.assign(box.dataset.login + "?next=" + encodeURIComponent(here));
  }

  function hide() {
    if (ticker) { window.clearInterval(ticker); ticker = null; }
    if (box.open) { box.close(); }
  }

  function tick() {
    var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    countdown.textContent = countdown.dataset.template.replace("{seconds}", String(left));
    if (left <= 0) {
      window.clearInterval(ticker);
      ticker = null;
      check();
    }
  }

  function warn() {
    if (!box.open) { box.showModal(); }
    if (!ticker) { ticker = window.setInterval(tick, 1000); }
    tick();
  }

  function schedule() {
    window.clearTimeout(timer);
    timer = window.setTimeout(check, Math.max(0, deadline - Date.now() - WARN));
  }

  function answer(response) {
    if (response.status === 401 || response.status === 403) { expired(); return; }
    if (!response.ok) { throw new Error(String(response.status)); }
    return response.json().then(function (data) {
      deadline = Date.now() + data.remaining * 1000;
      if (data.remaining <= 0) { expired(); return; }
      if (deadline - Date.now() > WARN) { hide(); schedule(); } else { warn(); }
    });
  }

  function check() {
    // Asked in the background: another tab may have been in use meanwhile, which moves the end.
    return fetch(statusUrl, { credentials: "same-origin", headers: { Accept: "application/json", "X-LSW-Background": "1" } })
      .then(answer)
      .catch(function () {
        // Offline: count down on our own clock and ask again shortly.
        if (Date.now() >= deadline) { expired(); return; }
        if (deadline - Date.now() <= WARN) { warn(); }
        window.clearTimeout(timer);
        timer = window.setTimeout(check, 10000);
      });
  }

  document.getElementById("idle-stay").addEventListener("click", function () {
    fetch(statusUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken() }
    }).then(answer).catch(function () { /* offline: the countdown goes on */ });
  });
  document.getElementById("idle-leave").addEventListener("click", function () {
    var logout = document.querySelector("form.logout");
    if (logout) { logout.requestSubmit ? logout.requestSubmit() : logout.submit(); }
  });
  box.addEventListener("close", function () {
    if (ticker) { window.clearInterval(ticker); ticker = null; }
  });
  document.addEventListener("visibilitychange", function () {
    // Timers sleep with the computer; on coming back, ask at once if the end may have passed.
    if (!document.hidden && deadline - Date.now() <= WARN) { check(); }
  });
  schedule();
})();
