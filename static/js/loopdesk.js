// Behaviour every page shares, here rather than in on*= attributes, which the
// Content-Security-Policy refuses (script-src 'self', no inline script).
//
// A <select data-autosubmit> sends its form when its value changes: the language picker
// (a <noscript> button does it without JavaScript).
(function () {
  "use strict";
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () {
      select.form.submit();
    });
  });
})();
