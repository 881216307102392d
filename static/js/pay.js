// The pay page with a real Stripe key: the Payment Element, configured from the form's data attributes (no inline
// script: the Content-Security-Policy allows none).
(function () {
  "use strict";
  var form = document.getElementById("payment-form");
  if (!form || typeof Stripe === "undefined") return;
  var stripe = Stripe(form.dataset.publishableKey);
  var elements = stripe.elements({ clientSecret: form.dataset.clientSecret, locale: form.dataset.locale });
  elements.create("payment").mount("#payment-element");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    stripe.confirmPayment({ elements: elements, confirmParams: { return_url: form.dataset.returnUrl } }).then(function (result) {
      if (result.error) document.getElementById("payment-message").textContent = result.error.message;
    });
  });
})();
