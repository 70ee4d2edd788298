// Progressive enhancements; every page works without this file.
// Live notifications (DESIGN §6): a push is a hint; the record is /api/v1/notifications/?after=<id>.
(function () {
  "use strict";

  document.addEventListener("htmx:afterSwap", function (event) {
    // Move focus to the main landmark after a swap of the whole content, for screen readers.
    if (event.detail && event.detail.target && event.detail.target.id === "main") {
      event.detail.target.focus();
    }
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
    var item = document.createElement("p");
    item.className = "toast";
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
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
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
