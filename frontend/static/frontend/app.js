// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  // Move focus to the main landmark after an HTMX swap of the whole content, for screen readers.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail && event.detail.target && event.detail.target.id === "main") {
      event.detail.target.focus();
    }
  });
})();
