// Live session page: keeps #live in step with the server.
// The websocket pushes the rendered region with its version; a browser never goes back to
// an older version, and every (re)connect starts with the full current state. While the
// socket is down, the page polls the same region over HTTP; while it is up, slowly.
(function () {
  "use strict";
  var root = document.getElementById("live-root");
  if (!root) return;
  var me = document.body.dataset.me;
  var announce = document.getElementById("announce");
  var flash = document.getElementById("flash");
  var connection = document.getElementById("connection");
  var socket = null;
  var retry = 0;
  var pollTimer = null;
  var gone = false;  // the session is no longer ours to see: stop asking
  var wasMyTurn = false;

  function live() { return document.getElementById("live"); }
  function version() { var el = live(); return el ? parseInt(el.dataset.version, 10) : -1; }

  function mark() {
    var el = live();
    if (!el) return;
    var myTurn = el.dataset.speaker === me;
    document.body.classList.toggle("my-turn", myTurn);
    document.body.classList.toggle("my-next", el.dataset.next === me);
    document.body.classList.toggle("i-own", el.dataset.owner === me);
    el.querySelectorAll("[data-only-for]").forEach(function (node) {
      node.classList.toggle("mine", node.dataset.onlyFor === me);
    });
    if (myTurn && !wasMyTurn) {
      announce.textContent = "";
      // A fresh text node makes screen readers announce it again.
      setTimeout(function () { announce.textContent = document.body.dataset.yourTurn; }, 50);
      var field = el.querySelector(".when-my-turn input:not([type=hidden]), .when-my-turn textarea");
      if (field && !document.activeElement.matches("input, textarea")) field.focus({ preventScroll: true });
    } else if (!myTurn && wasMyTurn) {
      announce.textContent = "";
    }
    wasMyTurn = myTurn;
    tick();
  }

  function replace(html) {
    var holder = document.createElement("div");
    holder.innerHTML = html.trim();
    var next = holder.firstElementChild;
    if (!next || next.id !== "live") return;
    if (parseInt(next.dataset.version, 10) < version()) return;
    var current = live();
    // Keep what the person is typing if the update does not concern their field.
    var active = document.activeElement;
    var keep = active && active.id && current.contains(active) && active.value ? { id: active.id, value: active.value } : null;
    current.replaceWith(next);
    if (window.htmx) window.htmx.process(next);
    if (keep) {
      var again = document.getElementById(keep.id);
      if (again) { again.value = keep.value; again.focus(); }
    }
    mark();
  }

  function status(online) {
    connection.textContent = online ? root.dataset.online : root.dataset.offline;
    connection.classList.toggle("offline", !online);
  }

  function poll() {
    fetch(root.dataset.poll + "?v=" + version(), { credentials: "same-origin", headers: { "HX-Request": "true" } })
      .then(function (r) {
        if (r.status === 404 || r.status === 403) { revoked(); return null; }
        return r.status === 200 ? r.text() : null;
      })
      .then(function (html) { if (html) replace(html); })
      .catch(function () {});
  }
  function startPolling() { if (!pollTimer) pollTimer = setInterval(poll, 3000); }
  function stopPolling() { if (pollTimer) { clearInterval(pollTimer); pollTimer = null; } }
  // An open socket can miss updates without noticing (the channel layer was down for a
  // moment): ask every 12-15 s anyway. Unchanged costs an empty 204.
  function slowPoll() {
    setTimeout(function () {
      if (gone) return;
      if (!pollTimer && document.visibilityState === "visible") poll();
      slowPoll();
    }, 12000 + Math.random() * 3000);
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + root.dataset.ws);
    socket.onopen = function () { retry = 0; status(true); stopPolling(); };
    socket.onmessage = function (event) {
      var data;
      try { data = JSON.parse(event.data); } catch (e) { return; }
      if (data.html && data.version >= version()) replace(data.html);
      if (data.error) show(data.error);
    };
    socket.onclose = function (event) {
      if (this !== socket) return;  // dropped on purpose when the browser went offline
      status(false);
      if (event.code === 4403 || event.code === 4404) { revoked(); return; }
      if (gone) return;
      startPolling();
      var delay = Math.min(10000, 500 * Math.pow(2, retry++)) * (0.75 + Math.random() / 2);
      setTimeout(connect, delay);
    };
  }

  // Access ended (removed from the group, signed out elsewhere): say so once, stop asking,
  // and leave nothing on the page that only members may see.
  function revoked() {
    gone = true;
    stopPolling();
    connection.textContent = root.dataset.revoked;
    connection.classList.add("offline");
    var el = live();
    if (el) {
      var notice = document.createElement("p");
      notice.className = "card";
      notice.setAttribute("role", "alert");
      notice.textContent = root.dataset.revoked;
      el.replaceWith(notice);
    }
    document.body.classList.remove("my-turn", "my-next", "i-own");
  }

  function show(message) {
    flash.textContent = message;
    flash.classList.add("visible");
    clearTimeout(show.timer);
    show.timer = setTimeout(function () { flash.classList.remove("visible"); flash.textContent = ""; }, 6000);
  }

  function pad(n) { return n < 10 ? "0" + n : "" + n; }
  function tick() {
    var now = Date.now() / 1000;
    document.querySelectorAll(".clock[data-since]").forEach(function (clock) {
      var since = parseFloat(clock.dataset.since);
      if (!since) return;
      var until = parseFloat(clock.dataset.until) || now;
      var s = Math.max(0, Math.floor(until - since));
      var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
      clock.textContent = (h ? h + ":" + pad(m) : m) + ":" + pad(s % 60);
      var box = parseFloat(clock.dataset.box);
      clock.classList.toggle("over", box > 0 && s > box * 60);
    });
  }

  document.body.addEventListener("htmx:afterSwap", mark);
  document.body.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    show(xhr.responseText || xhr.statusText);
    if (xhr.status === 409) poll();
  });
  document.body.addEventListener("htmx:sendError", function () { show(root.dataset.offline); });
  // Going offline rarely closes an open websocket at once: say so and drop it now, or the
  // page would claim to be live while it misses every step until the next reconnect.
  window.addEventListener("offline", function () {
    status(false);
    startPolling();
    if (socket && socket.readyState <= 1) { var dropped = socket; socket = null; dropped.close(); }
  });
  window.addEventListener("online", function () { if (gone) return; if (!socket || socket.readyState > 1) connect(); poll(); });

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && !gone) poll();
  });

  setInterval(tick, 1000);
  mark();
  connect();
  slowPoll();
})();
