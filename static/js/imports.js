// Stagewise: an alumni import in progress follows itself. The page works without this file (a Refresh link).
(function () {
  "use strict";

  var box = document.querySelector("[data-import-progress]");
  if (!box || !window.fetch) return;
  var bar = box.querySelector("progress");
  var text = box.querySelector("[data-progress-text]");
  var template = text.getAttribute("data-template");

  function show(run) {
    bar.max = run.total || 1;
    bar.value = run.processed;
    text.textContent = template.replace("{done}", run.processed).replace("{total}", run.total);
  }

  function poll() {
    fetch(box.getAttribute("data-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (run) {
        if (!run) return setTimeout(poll, 5000);
        show(run);
        if (run.status === "done" || run.status === "failed") return window.location.reload();
        setTimeout(poll, 2000);
      })
      .catch(function () { setTimeout(poll, 5000); });
  }

  setTimeout(poll, 1500);
})();
