// Scheduling a session: « La personne qui anime participe aussi » follows the method chosen
// while the organiser has not set it herself: unchecked for a codéveloppement (003: the
// animateur does not consult), checked otherwise (000: the organisers take part).
(function () {
  "use strict";
  var method = document.getElementById("id_method");
  var box = document.getElementById("id_facilitators_take_part");
  if (!method || !box || !box.hasAttribute("data-follows-method")) return;
  var codev = (method.dataset.codev || "").split(" ");
  var touched = false;
  box.addEventListener("change", function () { touched = true; });
  method.addEventListener("change", function () {
    if (!touched) box.checked = codev.indexOf(method.value) < 0;
  });
})();
