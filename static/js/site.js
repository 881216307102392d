// Stagewise: small progressive enhancements. Every page works without this file.
(function () {
  "use strict";

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // Sign-up: preselect the browser's time zone while the field still shows the default.
  document.querySelectorAll("select[data-detect-timezone]").forEach(function (select) {
    try {
      var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
      if (zone && select.value === "UTC" && select.querySelector('option[value="' + zone + '"]')) {
        select.value = zone;
      }
    } catch (e) { /* keep the default */ }
  });

  // Markdown editors: a live preview rendered (and sanitized) by the server, exactly as learners will see it.
  document.querySelectorAll("textarea[data-markdown-preview]").forEach(function (area) {
    var target = document.getElementById(area.getAttribute("data-markdown-preview"));
    if (!target) return;
    var timer = null, last = null;
    function refresh() {
      var text = area.value;
      if (text === last) return;
      last = text;
      fetch("/api/v1/markdown/preview", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify({ text: text })
      })
        .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
        .then(function (data) { target.innerHTML = data.html; target.removeAttribute("data-stale"); })
        .catch(function () { target.setAttribute("data-stale", ""); });
    }
    area.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(refresh, 250);
    });
    refresh();
  });

  // The catalog's ladder: each rung rises by the number of stages above it (pages carry no inline styles: CSP).
  document.querySelectorAll("[data-rise]").forEach(function (rung) {
    rung.style.setProperty("--rise", rung.getAttribute("data-rise"));
  });

  // Buttons that need a second thought.
  document.querySelectorAll("[data-confirm]").forEach(function (el) {
    el.addEventListener("click", function (event) {
      if (!window.confirm(el.getAttribute("data-confirm"))) event.preventDefault();
    });
  });

  // Copy a freshly created token.
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var source = document.getElementById(button.getAttribute("data-copy"));
      if (!source || !navigator.clipboard) return;
      navigator.clipboard.writeText(source.textContent.trim()).then(function () {
        button.textContent = button.getAttribute("data-copied") || button.textContent;
      });
    });
  });
})();
