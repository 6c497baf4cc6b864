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
})();
