// Live session page: keeps #live in step with the server, and sends the page's commands.
// The websocket pushes the regions that changed with their version (sessions_app/consumers.py);
// a browser never goes back to an older version, and every (re)connect starts with the full
// current state, of which only the regions that differ from the page's are swapped. While the
// socket is down, the page polls the same region over HTTP; while it is up, slowly.
// Commands: the buttons and forms are htmx POSTs, sent by this script instead: over the
// socket while it is open, else through the POST, each with an id of its own, and answered
// here (ack, or an error shown with what was typed kept, even under a newer version). A command the socket did not answer before it closed is sent
// again through the POST with the same id: the server applies an id once.
// Why not htmx's websocket extension: it sends forms but knows no reply to a given
// command (so no error shown with its typed text kept), no fallback to the POST while the
// socket is down, no older-version check and no close codes that end access.
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
  var pending = {};  // command id -> {message, fields: {field id: typed value}}
  var kept = {};  // field id -> text put back after a refusal: kept by the updates that follow
  var commandPath = root.dataset.command;
  // The longest frame the server reads (sessions_app/consumers.py MAX_FRAME, in characters;
  // this counts more of them, never fewer): a longer command goes through the POST, which
  // answers with what is too long. A longer frame would be refused and the socket closed (1009).
  var maxFrame = 16384;

  function live() { return document.getElementById("live"); }
  function version() { var el = live(); return el ? parseInt(el.dataset.version, 10) : -1; }

  function mark() {
    var el = live();
    if (!el) return;
    var myTurn = el.dataset.speaker === me;
    document.body.classList.toggle("my-turn", myTurn);
    document.body.classList.toggle("my-next", el.dataset.next === me);
    document.body.classList.toggle("i-own", el.dataset.owner === me);
    // A control for some people only: one id, or several separated by spaces.
    el.querySelectorAll("[data-only-for]").forEach(function (node) {
      node.classList.toggle("mine", node.dataset.onlyFor.split(" ").indexOf(me) >= 0);
    });
    // One's own name, wherever it is listed: the region is the same for everyone (rendered
    // once per audience and language), so it is marked here; app.css adds « (vous) ».
    el.querySelectorAll("[data-person]").forEach(function (node) {
      var mine = node.dataset.person === me;
      node.classList.toggle("me", mine);
      if (mine) node.dataset.you = document.body.dataset.you;
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
    document.dispatchEvent(new CustomEvent("live:marked"));  // turn.js: title, icon, tone
    tick();
    document.dispatchEvent(new CustomEvent("live:updated"));  // static/js/clock.js
  }

  // Regions (the named partials of the live region, each in a `.region` with an id) are
  // swapped one by one, and only when their HTML changed: what is typed, the keyboard's focus
  // and an open menu in another region are never touched. `seen` holds each region's HTML as
  // last received (in the browser's own serialization, so any two copies compare alike).
  var seen = {};
  function rememberRegions() {
    var el = live();
    if (el) el.querySelectorAll(".region[id]").forEach(function (region) { seen[region.id] = region.innerHTML; });
  }
  function normalize(html) {
    var holder = document.createElement("div");
    holder.innerHTML = html;
    return holder.innerHTML;
  }

  // What names a control across a swap of its region: its id, else its kind, name and
  // command (hx-vals), its form's command and its menu: the « Je passe » button, the keyword
  // field, a subject's menu are found again in the new HTML.
  function signature(node) {
    if (node.id) return "#" + node.id;
    var form = node.closest("form");
    var type = form && form.querySelector("input[name=type]");
    var menu = node.closest("details[id]");
    return [node.tagName, node.getAttribute("name") || "", node.getAttribute("type") || "", node.getAttribute("hx-vals") || "",
      type ? type.value : "", menu ? menu.id : ""].join("|");
  }
  function findSigned(region, sig) {
    if (sig.charAt(0) === "#") { var byId = document.getElementById(sig.slice(1)); return byId && region.contains(byId) ? byId : null; }
    var nodes = region.querySelectorAll("button, input, select, textarea, summary, a[href]");
    for (var i = 0; i < nodes.length; i++) if (signature(nodes[i]) === sig) return nodes[i];
    return null;
  }

  function swap(region, html, sameVersion) {
    var active = document.activeElement;
    var focused = active && active !== document.body && region.contains(active) ? signature(active) : null;
    var caret = null;
    try { if (focused && typeof active.selectionStart === "number") caret = [active.selectionStart, active.selectionEnd]; } catch (e) { caret = null; }
    // Keep what the person is typing if the update does not concern their field; the same
    // version again (a resync) changes nothing, so every typed field is kept.
    var keep = {};
    region.querySelectorAll("input[id], textarea[id]").forEach(function (field) {
      if (field.type !== "hidden" && field.value && (field === active || kept[field.id] === field.value || sameVersion)) keep[field.id] = field.value;
    });
    // A subject's menu left open stays open (an update from someone else must not close it
    // under the pointer).
    var open = Array.prototype.map.call(region.querySelectorAll("details[id][open]"), function (d) { return d.id; });
    region.innerHTML = html;
    if (window.htmx) window.htmx.process(region);
    Object.keys(keep).forEach(function (id) {
      var again = document.getElementById(id);
      if (again && region.contains(again) && !again.value) again.value = keep[id];
    });
    open.forEach(function (id) { var d = document.getElementById(id); if (d && d.tagName === "DETAILS" && region.contains(d)) d.open = true; });
    // The keyboard's focus stays on the same control when it is still there.
    var target = focused && findSigned(region, focused);
    if (target) {
      target.focus({ preventScroll: true });
      if (caret && target.value !== undefined) { try { target.setSelectionRange(caret[0], caret[1]); } catch (e) { /* not a text field */ } }
    }
  }

  // The new state: the regions whose HTML changed, and the section's own attributes (its
  // version, who speaks, the stage).
  function apply(section, regions, sameVersion) {
    var current = live();
    Object.keys(regions).forEach(function (id) {
      var html = normalize(regions[id]);
      if (seen[id] === html) return;
      var region = document.getElementById(id);
      if (!region || !current.contains(region)) return;
      swap(region, html, sameVersion);
      seen[id] = html;
    });
    ["class", "data-version", "data-speaker", "data-next", "data-owner", "hx-vals"].forEach(function (name) {
      var value = section.getAttribute(name);
      if (value === null) current.removeAttribute(name);
      else if (current.getAttribute(name) !== value) current.setAttribute(name, value);
    });
    mark();
  }

  // The whole live region (a connect's or resync's frame, a POST's answer, a poll's).
  function replace(html) {
    var holder = document.createElement("div");
    holder.innerHTML = html.trim();
    var next = holder.firstElementChild;
    if (!next || next.id !== "live") return;
    if (parseInt(next.dataset.version, 10) < version()) return;
    var current = live();
    var parts = next.querySelectorAll(".region[id]");
    if (parts.length && current.querySelector(".region[id]")) {
      var regions = {};
      parts.forEach(function (region) { regions[region.id] = region.innerHTML; });
      apply(next, regions, next.dataset.version === current.dataset.version);
      return;
    }
    // A page without regions (the display): replaced whole.
    var active = document.activeElement;
    var keep = {};
    current.querySelectorAll("input[id], textarea[id]").forEach(function (field) {
      if (field.type !== "hidden" && field.value && (field === active || kept[field.id] === field.value || next.dataset.version === current.dataset.version)) keep[field.id] = field.value;
    });
    current.replaceWith(next);
    if (window.htmx) window.htmx.process(next);
    Object.keys(keep).forEach(function (id) {
      var again = document.getElementById(id);
      if (again && !again.value) again.value = keep[id];
    });
    mark();
  }

  // A frame of the regions changed since the socket's previous one (``base``): applied on
  // that very version only; on any other (a frame missed, or the page moved on by the POST or
  // a poll), the page asks for every region again.
  function patch(data) {
    var current = version();
    if (data.version < current) return;
    if (data.base !== current) {
      if (data.version > current) resync(data.version);
      return;
    }
    var holder = document.createElement("div");
    holder.innerHTML = data.open + "</section>";
    var section = holder.firstElementChild;
    if (!section || section.id !== "live") return;
    apply(section, data.regions, data.version === current);
  }
  function resync(wanted) {
    if (socket && socket.readyState === 1) socket.send(JSON.stringify({ type: "resync" }));
    // The server answers one resync a second: if none came, the HTTP region catches up.
    setTimeout(function () { if (!gone && version() < wanted) poll(); }, 2000);
  }

  // Subjects' menus: one open at a time; a command chosen, a click elsewhere or Escape closes it.
  document.addEventListener("toggle", function (event) {
    var menu = event.target;
    if (!menu.matches || !menu.matches("details.menu") || !menu.open) return;
    document.querySelectorAll("details.menu[open]").forEach(function (other) { if (other !== menu) other.open = false; });
  }, true);
  document.addEventListener("click", function (event) {  // after htmx's own (and its confirm)
    var target = event.target.closest ? event.target : document.body;
    var button = target.closest("details.menu[open] button");
    if (button) {
      var menu = button.closest("details.menu");
      menu.open = false;
      menu.querySelector("summary").focus();
    } else if (!target.closest("details.menu")) {
      document.querySelectorAll("details.menu[open]").forEach(function (open) { open.open = false; });
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var menu = event.target.closest && event.target.closest("details.menu[open]");
    if (!menu) return;
    menu.open = false;
    menu.querySelector("summary").focus();
  });

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
  function startPolling() { if (!pollTimer && !gone) pollTimer = setInterval(poll, 3000); }
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
      else if (data.regions) patch(data);
      if (data.ack) delete pending[data.ack];
      if (data.nack) refused(data.nack, data.error);
      else if (data.error) show(data.error);
    };
    socket.onclose = function (event) {
      if (this !== socket) return;  // dropped on purpose when the browser went offline
      status(false);
      resendByPost();
      if (event.code === 4403 || event.code === 4404) { revoked(); return; }
      if (event.code === 4410) { revoked("cancelled-page"); return; }
      if (gone) return;
      // 1009: a frame was too long (the server said so first, shown by onmessage). What was
      // pending went once through the POST just above, never again over a socket: reconnect
      // at once, as after a first drop.
      if (event.code === 1009) retry = 0;
      startPolling();
      var delay = Math.min(10000, 500 * Math.pow(2, retry++)) * (0.75 + Math.random() / 2);
      setTimeout(connect, delay);
    };
  }

  // Access ended (removed from the group, signed out elsewhere): say so once, stop asking,
  // and leave nothing on the page that only members may see — not the session's title, the
  // group's name or the visio link: the whole content and the document's title are replaced
  // by the page's neutral template.
  // A cancelled session (close code 4410) is told the same way, with its own page.
  function revoked(templateId) {
    if (gone) return;
    gone = true;
    stopPolling();
    if (socket) {
      var closing = socket;
      socket = null;  // its onclose, if still to come, no longer reconnects
      if (closing.readyState <= 1) closing.close();
    }
    var page = document.getElementById(templateId || "revoked-page");
    var main = document.getElementById("content");
    main.replaceChildren(page.content.cloneNode(true));
    document.title = page.dataset.title;
    document.body.classList.remove("my-turn", "my-next", "i-own");
    document.dispatchEvent(new CustomEvent("live:marked"));
  }

  function newId() {
    var bytes = new Uint8Array(12);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  // What the person typed in the command's form, to put back if the command is refused.
  function typed(elt) {
    var form = elt.closest("form") || elt;
    var fields = {};
    form.querySelectorAll("input[id], textarea[id]").forEach(function (field) {
      if (field.type !== "hidden" && field.value) fields[field.id] = field.value;
    });
    return fields;
  }

  function refused(id, message) {
    var command = pending[id];
    delete pending[id];
    show(message);
    if (!command) return;
    Object.keys(command.fields).forEach(function (fieldId) {
      var field = document.getElementById(fieldId);
      if (field && !field.value) { field.value = command.fields[fieldId]; kept[fieldId] = field.value; }
    });
  }

  function post(id, command) {
    var body = new URLSearchParams(command.message.command);
    if (command.message.version !== undefined) body.set("version", command.message.version);
    body.set("command_id", id);
    return fetch(commandPath, {
      method: "POST", credentials: "same-origin", body: body,
      headers: { "HX-Request": "true", "X-CSRFToken": JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"] },
    }).then(function (r) {
      if (r.status === 404 || r.status === 403) { revoked(); return; }
      return r.text().then(function (text) {
        if (r.ok) { delete pending[id]; replace(text); } else { refused(id, text); if (r.status === 409) poll(); }
      });
    }).catch(function () { refused(id, root.dataset.offline); });
  }

  // The socket closed before answering: the command may or may not have been applied.
  // The same id, through the POST, gets it applied once either way.
  function resendByPost() {
    Object.keys(pending).forEach(function (id) {
      if (!pending[id].posted) { pending[id].posted = true; post(id, pending[id]); }
    });
  }

  // Every command of the page goes over the open socket, else through the POST: sent by
  // this script either way, not by htmx, so that its answer is handled here even when an
  // update has replaced the clicked button meanwhile (htmx would report the error on the
  // detached button, where nobody listens: no message, and the typed text lost).
  document.body.addEventListener("htmx:configRequest", function (event) {
    var detail = event.detail;
    if (detail.path !== commandPath || detail.verb !== "post") return;
    var id = newId();
    event.preventDefault();
    var fields = {};
    detail.formData.forEach(function (value, key) { if (key !== "version" && key !== "command_id") fields[key] = value; });
    var message = { type: "command", id: id, command: fields };
    if (detail.formData.has("version")) message.version = detail.formData.get("version");
    pending[id] = { message: message, fields: typed(detail.elt) };
    // Sent: the fields empty, as after a form's submission; a refusal puts the text back.
    Object.keys(pending[id].fields).forEach(function (fieldId) { delete kept[fieldId]; document.getElementById(fieldId).value = ""; });
    var frame = JSON.stringify(message);
    if (!socket || socket.readyState !== 1 || gone || frame.length > maxFrame) {
      pending[id].posted = true;
      post(id, pending[id]);
      return;
    }
    socket.send(frame);
    var sent = socket;
    // No answer within 5 s on an open socket: it is broken without knowing it yet.
    setTimeout(function () { if (pending[id] && sent === socket && sent.readyState === 1) sent.close(); }, 5000);
  });

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
      clock.textContent = h ? h + "\u00a0h" + (m ? "\u00a0" + pad(m) : "") : m + "\u00a0min";  // as texts.duration_label
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
    if (gone) return;
    status(false);
    startPolling();
    if (socket && socket.readyState <= 1) { var dropped = socket; socket = null; dropped.close(); }
  });
  window.addEventListener("online", function () { if (gone) return; if (!socket || socket.readyState > 1) connect(); poll(); });

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && !gone) poll();
  });

  setInterval(tick, 1000);
  rememberRegions();
  mark();
  connect();
  slowPoll();
})();
