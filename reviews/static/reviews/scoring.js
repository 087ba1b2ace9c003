// The scoring page: the running total while typing, and the draft saved as the reviewer types.
// Kept in a file because the Content-Security-Policy forbids inline scripts. Without it the page works as
// before: the total is shown after "Save draft", which every reviewer can press.
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var form = document.getElementById("review-form");
  if (!form) { return; }
  var totalOutput = document.getElementById("running-total");
  var status = document.getElementById("autosave-status");
  var pointInputs = form.querySelectorAll("input[name^='criterion_']");
  var token = form.querySelector("input[name='csrfmiddlewaretoken']").value;
  var AUTOSAVE_DELAY_MS = 1200;
  var timer = null;
  var inFlight = false;
  var again = false;
  var lastSaved = serialised();

  function serialised() {
    return new URLSearchParams(new FormData(form)).toString();
  }

  function showTotal() {
    var total = 0;
    pointInputs.forEach(function (input) {
      var text = input.value.trim();
      if (/^\d+$/.test(text)) { total += parseInt(text, 10); }
    });
    totalOutput.textContent = String(total);
  }

  function say(message, failed) {
    status.textContent = message;
    status.classList.toggle("failed", Boolean(failed));
  }

  function save() {
    timer = null;
    var body = serialised();
    if (body === lastSaved) { return; }
    if (inFlight) { again = true; return; }
    inFlight = true;
    say(form.dataset.savingText, false);
    fetch(form.dataset.draftUrl, {
      method: "POST",
      body: new FormData(form),
      headers: { "X-CSRFToken": token, "Accept": "application/json" },
      credentials: "same-origin",
    })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (answer) {
          if (response.ok) {
            lastSaved = body;
            say(answer.message, false);
          } else {
            // The entries stay on the page: the next change or "Save draft" tries again.
            say(answer.message || form.dataset.failedText, true);
          }
        });
      })
      .catch(function () { say(form.dataset.failedText, true); })
      .then(function () {
        inFlight = false;
        if (again) { again = false; schedule(); }
      });
  }

  function schedule() {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(save, AUTOSAVE_DELAY_MS);
  }

  form.addEventListener("input", function () { showTotal(); schedule(); });
  // Leaving the tab saves at once what is waiting.
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden" && timer) { clearTimeout(timer); save(); }
  });
  showTotal();
});
