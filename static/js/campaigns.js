// Campaigns (the marketer's composer and preview). Every page works without this file.
(function () {
  "use strict";

  // The composer: show the one-off fields or the lifecycle fields, as the "When" choice says.
  var kind = document.querySelector("form.composer select[name=kind]");
  if (kind) {
    var sync = function () {
      document.querySelectorAll("[data-kind-section]").forEach(function (section) {
        section.hidden = section.getAttribute("data-kind-section") !== kind.value;
      });
    };
    kind.addEventListener("change", sync);
    sync();
  }

  // The preview: a new recipient shows at once.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });

  // The preview: one language at a time, chosen by its tab (both show without this file).
  var tabs = document.querySelectorAll("[data-preview-tab]");
  if (tabs.length) {
    var show = function (language) {
      tabs.forEach(function (tab) {
        if (tab.getAttribute("data-preview-tab") === language) tab.setAttribute("aria-current", "page");
        else tab.removeAttribute("aria-current");
      });
      document.querySelectorAll("[data-preview]").forEach(function (panel) {
        panel.hidden = panel.getAttribute("data-preview") !== language;
      });
    };
    tabs.forEach(function (tab) {
      tab.addEventListener("click", function (event) {
        event.preventDefault();
        show(tab.getAttribute("data-preview-tab"));
      });
    });
    var current = document.querySelector("[data-preview-tab][aria-current]") || tabs[0];
    show(current.getAttribute("data-preview-tab"));
  }
})();
