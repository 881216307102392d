// Stagewise: small progressive enhancements. Every page works without this file.
(function () {
  "use strict";

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // Sign-up: preselect the browser's time zone while the field still shows the default. The list leaves out old
  // aliases (Asia/Calcutta) that some browsers report; the server takes any IANA name, so add it to the list.
  document.querySelectorAll("select[data-detect-timezone]").forEach(function (select) {
    try {
      var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
      if (!zone || select.value !== "UTC") return;
      var known = Array.prototype.some.call(select.options, function (o) { return o.value === zone; });
      if (!known) (select.querySelector("optgroup") || select).appendChild(new Option(zone.replace(/_/g, " "), zone));
      select.value = zone;
    } catch (e) { /* keep the default */ }
  });

  // Time-zone pickers: a search box narrows the long list to the zones whose city, region or name match every
  // word typed, and selects the first match when the current choice is filtered out.
  document.querySelectorAll("select[data-timezone-search]").forEach(function (select) {
    function words(text) { return text.toLowerCase().replace(/[_\/(),]+/g, " "); }
    var options = Array.prototype.slice.call(select.options);
    var haystacks = options.map(function (o) {
      return words(o.value + " " + o.text + " " + (o.parentNode.label || ""));
    });
    var input = document.createElement("input");
    input.type = "search";
    input.className = "tz-search";
    input.placeholder = select.getAttribute("data-timezone-search");
    input.setAttribute("aria-label", input.placeholder);
    input.setAttribute("aria-controls", select.id);
    input.setAttribute("autocomplete", "off");
    select.parentNode.insertBefore(input, select);
    input.addEventListener("input", function () {
      var terms = words(input.value).split(" ").filter(Boolean);
      var first = null;
      options.forEach(function (option, i) {
        var hit = terms.every(function (term) { return haystacks[i].indexOf(term) !== -1; });
        option.hidden = !hit;
        if (hit && !first) first = option;
      });
      select.querySelectorAll("optgroup").forEach(function (group) {
        group.hidden = !group.querySelector("option:not([hidden])");
      });
      var current = select.options[select.selectedIndex];
      if (first && (!current || current.hidden)) select.value = first.value;
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); select.focus(); }  // don't submit the form yet
    });
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
