// Presence on the live page: the body carries data-at-table while this page's person is
// seated and present (the turn's sound and notification buttons show only then, app.css),
// and the note saying why one is not at the table (waitlist, full, not open yet) goes once
// one is seated — by the facilitator, or a freed seat — and comes back if not. live.js
// dispatches "live:marked" after each update of #live.
(function () {
  "use strict";
  var note = document.getElementById("not-seated");
  var me = document.body.dataset.me;
  function update() {
    var seated = document.getElementById("presence-seated");
    var ids = seated ? seated.dataset.ids.split(" ") : [];
    var here = ids.indexOf(me) !== -1;
    document.body.toggleAttribute("data-at-table", here);
    if (note) note.hidden = here;
  }
  document.addEventListener("live:marked", update);
  update();

  // Arriving: the page's GET wrote nothing; this takes the seat the rules give (the
  // server's presence.py decides), and every open page of the session hears of it. The
  // root then says at which version the arrival left the session (data-arrived).
  var root = document.getElementById("live-root");
  if (root && root.dataset.arrive) {
    fetch(root.dataset.arrive, {
      method: "POST", credentials: "same-origin",
      headers: { "HX-Request": "true", "X-CSRFToken": JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"] },
    }).then(function (r) { return r.ok ? r.text() : ""; }).then(function (html) {
      var version = /data-version="(\d+)"/.exec(html);
      root.dataset.arrived = version ? version[1] : "0";
    }).catch(function () { root.dataset.arrived = "0"; /* the facilitator can seat them by hand */ });
  }
})();
