// The public survey page: record the score the person chose, as soon as a person is there.
//
// Opening the page records nothing (mail scanners open links too, some in a real browser).
// The score clicked in the email is sent once the page is visible and shows a sign of a
// person: the pointer moves, a finger touches, a key is pressed, the wheel turns. A score
// chosen on the page is sent at once. Only the score: the rest goes with "Send my answers".
(function () {
  "use strict";
  var form = document.querySelector("form[data-hold-url]");
  if (!form) {
    return;
  }
  var note = document.getElementById("held-note");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]");

  function hold(score) {
    var body = new FormData();
    body.append("score", score);
    body.append("csrfmiddlewaretoken", csrf.value);
    fetch(form.dataset.holdUrl, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (response) {
        if (response.ok && note) {
          note.textContent = note.dataset.held;
          note.hidden = false;
        }
      })
      .catch(function () {
        // Offline for a moment: the score still goes with "Send my answers".
      });
  }

  form.addEventListener("change", function (event) {
    if (event.target.name === form.dataset.holdField) {
      hold(event.target.value);
    }
  });

  var clicked = form.dataset.clicked;
  if (!clicked) {
    return;
  }
  // Not "scroll": a browser scrolls pages by itself (restoring a position, an anchor).
  var signs = ["pointermove", "pointerdown", "touchstart", "keydown", "wheel"];
  function onSign() {
    if (document.visibilityState !== "visible") {
      return;
    }
    signs.forEach(function (name) {
      window.removeEventListener(name, onSign, true);
    });
    hold(clicked);
  }
  signs.forEach(function (name) {
    window.addEventListener(name, onSign, { capture: true, passive: true });
  });
})();
