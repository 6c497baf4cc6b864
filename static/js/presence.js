// Presence on the live page: the note saying why one is not at the table (waitlist, full,
// not open yet) goes once one is seated — by the facilitator, or a freed seat — and comes
// back if not. live.js dispatches "live:marked" after each update of #live.
(function () {
  "use strict";
  var note = document.getElementById("not-seated");
  if (!note) return;
  var me = document.body.dataset.me;
  function update() {
    var seated = document.getElementById("presence-seated");
    var ids = seated ? seated.dataset.ids.split(" ") : [];
    note.hidden = ids.indexOf(me) !== -1;
  }
  document.addEventListener("live:marked", update);
  update();
})();
