/* The intranet page around the widget: on a narrow screen the side panel folds into one line, so
   the widget and its input stay in sight; it opens again on a wide one. */
(function () {
  "use strict";
  var panel = document.querySelector(".aside details");
  if (!panel || !window.matchMedia) { return; }
  var narrow = window.matchMedia("(max-width: 50rem)");
  function fit() { panel.open = !narrow.matches; }
  fit();
  narrow.addEventListener("change", fit);
})();
