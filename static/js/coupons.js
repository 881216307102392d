// The new-coupon form: show the percentage or the amount field, whichever discount is chosen. Without this file
// both are shown and the one that doesn't apply is ignored.
(function () {
  "use strict";

  var radios = document.querySelectorAll("input[name=kind]");
  if (!radios.length) return;

  function show() {
    var chosen = document.querySelector("input[name=kind]:checked");
    var kind = chosen ? chosen.value : "";
    document.querySelectorAll("[data-coupon-kind]").forEach(function (part) {
      part.hidden = kind !== "" && part.getAttribute("data-coupon-kind") !== kind;
    });
  }

  radios.forEach(function (radio) { radio.addEventListener("change", show); });
  show();
})();
