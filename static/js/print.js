// The « Imprimer / PDF » button of a printable page (the community's Bilan): it opens the
// browser's print dialog, where « Enregistrer au format PDF » is offered. The button stays
// hidden without this script; the page tells the reader to use the browser's print instead.
(function () {
  "use strict";
  document.querySelectorAll("button[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
