// After django-otp-webauthn's script registers a passkey, reload the page through a POST that may show the first
// recovery codes. Without JavaScript no passkey can be registered, so nothing is lost.
(function () {
  "use strict";
  document.addEventListener("otp_webauthn.register_complete", function () {
    var form = document.getElementById("passkey-registered-form");
    if (form) { form.submit(); }
  });
})();
