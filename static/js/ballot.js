// One's own ballot while the group chooses its subjects by votes. The live region is the
// same for every page of an audience and never holds anyone's ballot (votes are secret until
// everyone has voted, then shown as counts): this page keeps its person's ballot itself —
// from its own GET (#my-ballot), then as they change it — and writes it into the ballot's
// fields after every update of #live (live.js dispatches "live:marked"). The form sends the
// ballot as one field, "subjects": the subject ids, one per vote, separated by spaces.
(function () {
  "use strict";
  var mine = document.getElementById("my-ballot");
  var draft = {};  // subject id -> votes given to it on this page
  (mine && mine.dataset.subjects ? mine.dataset.subjects.split(" ") : []).forEach(function (id) {
    if (id) draft[id] = (draft[id] || 0) + 1;
  });

  function fields(form) { return form.querySelectorAll("input[type=number][data-subject]"); }

  // The hidden field the command sends, the total given, and whether it is within the
  // allowance (the rules refuse more; the button says so before).
  function sum(form) {
    var allowance = parseInt(form.dataset.allowance, 10) || 0;
    var ids = [], given = 0;
    fields(form).forEach(function (field) {
      var n = Math.max(0, parseInt(field.value, 10) || 0);
      given += n;
      for (var i = 0; i < n; i++) ids.push(field.dataset.subject);
    });
    form.querySelector("input[name=subjects]").value = ids.join(" ");
    var output = form.querySelector(".ballot-given");
    if (output) output.textContent = given;
    var over = given > allowance;
    form.classList.toggle("over", over);
    var button = form.querySelector("button[type=submit]");
    if (button) button.disabled = over;
  }

  function fill() {
    document.querySelectorAll("#live form.ballot").forEach(function (form) {
      fields(form).forEach(function (field) {
        var n = draft[field.dataset.subject] || 0;
        if (field !== document.activeElement || !field.value) field.value = n;
      });
      sum(form);
    });
  }

  document.addEventListener("input", function (event) {
    var field = event.target;
    if (!field.matches || !field.matches("#live form.ballot input[type=number][data-subject]")) return;
    draft[field.dataset.subject] = Math.max(0, parseInt(field.value, 10) || 0);
    sum(field.form);
  });
  document.addEventListener("live:marked", fill);
  fill();
})();
