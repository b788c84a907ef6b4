// Autosave feedback for the questionnaire (htmx does the saving). No inline script anywhere: the CSP forbids it.
(function () {
  "use strict";
  var pending = new Set();
  // Messages come translated from the page (data-msg-* on <body>).
  function message(name, fallback) {
    var form = document.querySelector("[data-questionnaire]");
    return (form && form.dataset[name]) || (document.body && document.body.dataset[name]) || fallback;
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

  // Signed out meanwhile (logged out in another tab, password changed, session expired): the save was
  // redirected to the sign-in page. Keep the page and the typed answer, say so, and offer a retry.
  function signedOut(fieldset, signInUrl) {
    var state = stateFor(fieldset);
    if (!state) return;
    state.innerHTML = "";
    var span = document.createElement("span");
    span.className = "save-state is-error";
    span.setAttribute("role", "alert");
    span.textContent = message("msgSignedOut", "You were signed out; this answer was not saved.") + " ";
    var link = document.createElement("a");
    link.href = signInUrl;
    link.target = "_blank";
    link.rel = "noopener";
    link.textContent = message("msgSignIn", "Sign in again (new tab)");
    var retry = document.createElement("button");
    retry.type = "button";
    retry.className = "btn btn-sm btn-outline-primary ms-2";
    retry.textContent = message("msgRetry", "Retry");
    retry.addEventListener("click", function () { window.htmx.trigger(fieldset, "change"); });
    span.appendChild(link);
    span.appendChild(retry);
    state.appendChild(span);
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    // Here detail.elt is the swap target (the state line); the card that asked is requestConfig.elt.
    var fieldset = (event.detail.requestConfig && event.detail.requestConfig.elt) || event.detail.elt;
    if (!fieldset.classList || !fieldset.classList.contains("question-card")) return;
    var xhr = event.detail.xhr;
    var asked = new URL(event.detail.requestConfig.path, window.location.href).pathname;
    if (xhr && xhr.responseURL && new URL(xhr.responseURL).pathname !== asked) {
      event.detail.shouldSwap = false;
      event.detail.signedOut = true;
      fieldset.dataset.signedOut = "1";
      signedOut(fieldset, xhr.responseURL);
    }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var fieldset = event.detail.elt;
    if (!fieldset.classList || !fieldset.classList.contains("question-card")) return;
    if (fieldset.dataset.signedOut) {
      delete fieldset.dataset.signedOut;  // still pending: leaving now would lose the answer
    } else if (event.detail.successful) {
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

  // Bulk export: select all, only the submitted assessments, or none.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-bulk-select] [data-select]");
    if (!button) return;
    var which = button.dataset.select;
    button.closest("[data-bulk-select]").querySelectorAll("input[name=assessments]").forEach(function (box) {
      box.checked = which === "all" || (which === "submitted" && box.dataset.status === "submitted");
    });
  });

  // Tables marked data-sortable sort by a column's data-* value; [data-filters-for] selects filter the rows.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("table[data-sortable] [data-sort]");
    if (!button) return;
    var key = button.dataset.sort;
    var body = button.closest("table").tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var numeric = key === "rank";
    rows.sort(function (a, b) {
      var x = a.dataset[key], y = b.dataset[key];
      var order = numeric ? Number(x) - Number(y) : x.localeCompare(y);
      return order || Number(a.dataset.rank) - Number(b.dataset.rank);
    });
    rows.forEach(function (row) { body.appendChild(row); });
  });

  document.addEventListener("change", function (event) {
    var box = event.target.closest && event.target.closest("[data-filters-for]");
    if (!box) return;
    var table = document.getElementById(box.dataset.filtersFor);
    var wanted = {};
    box.querySelectorAll("select[data-filter]").forEach(function (select) {
      if (select.value) wanted[select.dataset.filter] = select.value;
    });
    var shown = 0;
    Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
      var match = Object.keys(wanted).every(function (key) { return row.dataset[key] === wanted[key]; });
      row.hidden = !match;
      if (match) shown += 1;
    });
    var count = box.querySelector("[data-filter-count]");
    if (count) count.textContent = shown + " / " + table.tBodies[0].rows.length;
  });

  // Forms that end something ask first (e.g. submitting locks the answers); without JavaScript they just post.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) event.preventDefault();
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
