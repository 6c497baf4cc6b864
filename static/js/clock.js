// Time on the live page, beyond the clocks live.js ticks: what the server rendered for a
// version, hidden until its moment comes.
// - A phase or the session running over: each .overrun[data-due] is shown once its moment
//   passes, to everyone, and its text read once (per phase and time box) in #clock-announce.
// - The planner's time left (.countdown[data-until]), and its subjects: a row fits tonight
//   until its data-fits-until, then will likely wait (the server re-plans at each version).
// Runs every second and after each update of #live (live.js dispatches "live:updated").
(function () {
  "use strict";
  var announcer = document.getElementById("clock-announce");
  if (!announcer) return;
  var announced = {};

  function pad(n) { return n < 10 ? "0" + n : "" + n; }
  // Minutes with their unit, as texts.duration_label writes them: « 45 min », « 1 h 05 ».
  function label(minutes) {
    if (minutes < 60) return minutes + "\u00a0min";
    var h = Math.floor(minutes / 60), m = minutes % 60;
    return h + "\u00a0h" + (m ? "\u00a0" + pad(m) : "");
  }

  function tick() {
    var now = Date.now() / 1000;
    document.querySelectorAll("#live .countdown[data-until]").forEach(function (node) {
      node.textContent = label(Math.max(0, Math.ceil((parseFloat(node.dataset.until) - now) / 60)));
    });
    var fresh = [];
    document.querySelectorAll("#live .overrun[data-due]").forEach(function (node) {
      var over = now >= parseFloat(node.dataset.due);
      node.hidden = !over;
      if (over && !announced[node.dataset.key]) {
        announced[node.dataset.key] = true;
        fresh.push(node.querySelector(".overrun-said").textContent.trim());
      }
    });
    if (fresh.length) {
      announcer.textContent = "";
      // A fresh text node makes screen readers read it.
      setTimeout(function () { announcer.textContent = fresh.join(" "); }, 50);
    }
    document.querySelectorAll("#live .plan-row[data-fits-until]").forEach(function (row) {
      var fits = now <= parseFloat(row.dataset.fitsUntil);
      row.classList.toggle("fits", fits);
      row.classList.toggle("waits", !fits);
    });
  }

  document.addEventListener("live:updated", tick);
  setInterval(tick, 1000);
  tick();
})();
