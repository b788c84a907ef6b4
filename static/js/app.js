// Autosave feedback for the questionnaire (htmx does the saving). No inline script anywhere: the CSP forbids it.
(function () {
  "use strict";
  var pending = new Set();
  // Messages come translated from the page (data-msg-* on <body>).
  function message(name, fallback) {
    return (document.body && document.body.dataset[name]) || fallback;
  }
  var retryTimers = new Map();

  function stateFor(fieldset) {
    return document.getElementById("state-" + fieldset.id.replace(/^q-/, ""));
  }

  function showError(fieldset, text) {
    var state = stateFor(fieldset);
    if (state) {
      state.innerHTML = "";
      var span = document.createElement("span");
      span.className = "save-state is-error";
      span.setAttribute("role", "alert");
      span.textContent = text;
      state.appendChild(span);
    }
  }

  function scheduleRetry(fieldset) {
    if (retryTimers.has(fieldset)) return;
    retryTimers.set(fieldset, window.setTimeout(function () {
      retryTimers.delete(fieldset);
      window.htmx.trigger(fieldset, "change");
    }, 5000));
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var fieldset = event.detail.elt;
    if (fieldset.classList && fieldset.classList.contains("question-card")) {
      pending.add(fieldset);
      var state = stateFor(fieldset);
      if (state) state.textContent = message("msgSaving", "Saving…");
    }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var fieldset = event.detail.elt;
    if (!fieldset.classList || !fieldset.classList.contains("question-card")) return;
    if (event.detail.successful) {
      pending.delete(fieldset);
      var saved = fieldset.querySelector(".save-state.is-saved");
      fieldset.classList.toggle("is-unanswered", !saved);
      if (saved) fieldset.classList.remove("is-unanswered");
    } else {
      // Server error or no connection: the answer stays in the page; retry shortly.
      showError(fieldset, message("msgNotSaved", "Not saved yet. Your answer is kept here and will be retried."));
      scheduleRetry(fieldset);
    }
  });

  // Save section / Save and next post every answer of the page: a save still in flight is not a loss.
  var submitting = false;
  document.addEventListener("submit", function (event) {
    if (event.target.hasAttribute && event.target.hasAttribute("data-questionnaire")) submitting = true;
  });

  window.addEventListener("beforeunload", function (event) {
    if (pending.size > 0 && !submitting) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
