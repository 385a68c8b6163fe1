/* talentmatch web UI: small progressive enhancements, no framework and no build step.
 * Everything here also works as a plain form post without JavaScript; this file only avoids
 * full page reloads (saving a shortlist entry), follows a re-match's progress, and adds skill
 * rows to the requirement form. */
(function () {
  "use strict";

  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var HEADERS = { "X-CSRF-Token": csrf, "X-Requested-With": "talentmatch-ui" };

  function toast(text) {
    var el = document.getElementById("toast");
    if (!el) return;
    el.textContent = text;
    el.classList.add("show");
    clearTimeout(toast.timer);
    toast.timer = setTimeout(function () { el.classList.remove("show"); }, 2500);
  }

  function post(url, form) {
    return fetch(url, {
      method: "POST",
      headers: HEADERS,
      body: new URLSearchParams(new FormData(form)),
      credentials: "same-origin",
    });
  }

  function signInAgain() {
    window.location.href = "/?next=" + encodeURIComponent(window.location.pathname + window.location.search);
  }

  /* Saving a shortlist entry: swap the card for the server's rendering of it. */
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("[data-entry-form]")) return;
    event.preventDefault();
    var card = form.closest("li.card");
    var button = form.querySelector("button[type=submit]");
    var saved = form.querySelector("[data-saved]");
    button.disabled = true;
    saved.classList.remove("error");
    saved.textContent = "Saving…";
    post(form.action, form).then(function (response) {
      if (response.status === 401) { signInAgain(); return null; }
      if (!response.ok) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          throw new Error(body.error || "could not save (" + response.status + ")");
        });
      }
      return response.text();
    }).then(function (html) {
      if (html === null) return;
      var holder = document.createElement("ol");
      holder.innerHTML = html.trim();
      var fresh = holder.firstElementChild;
      card.replaceWith(fresh);
      var again = fresh.querySelector("[data-entry-form] button[type=submit]");
      if (again) again.focus();
      toast("Saved");
    }).catch(function (error) {
      button.disabled = false;
      saved.classList.add("error");
      saved.textContent = error.message;
    });
  });

  /* Re-match: start the run, then follow its progress. */
  var status = document.getElementById("run-status");

  function poll() {
    if (!status) return;
    var box = status.querySelector("[data-progress-box]");
    var bar = status.querySelector("[data-progress]");
    var text = status.querySelector("[data-progress-text]");
    var badge = status.querySelector("[data-freshness]");
    var started = Date.now();
    box.hidden = false;
    if (badge) {
      badge.textContent = "matching";
      badge.className = "badge fresh-matching";
    }
    function tick() {
      fetch(status.dataset.progressUrl, { headers: HEADERS, credentials: "same-origin" })
        .then(function (response) {
          if (response.status === 401) { signInAgain(); throw new Error("signed out"); }
          return response.json();
        })
        .then(function (data) {
          if (data.total) {
            bar.value = Math.round((100 * data.processed) / data.total);
            text.textContent = data.processed + " of " + data.total + " requirements";
          }
          if (data.finished) {
            bar.value = 100;
            text.textContent = "Done";
            window.location.replace(window.location.pathname + window.location.search.replace(/[?&]posted=1/, ""));
            return;
          }
          if (Date.now() - started < 10 * 60 * 1000) setTimeout(tick, 1000);
          else text.textContent = "Still running; reload the page later.";
        })
        .catch(function () { /* a failed poll ends polling; the page still works */ });
    }
    tick();
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("[data-rematch]")) return;
    event.preventDefault();
    var button = form.querySelector("button");
    button.disabled = true;
    post(form.action, form).then(function (response) {
      if (response.status === 401) { signInAgain(); return; }
      if (!response.ok) {
        return response.json().then(function (body) { throw new Error(body.error || "could not start"); });
      }
      return response.json().then(function () { poll(); });
    }).catch(function (error) {
      button.disabled = false;
      toast(error.message);
    });
  });

  if (status && status.dataset.polling) poll();

  /* A form came back with errors: move focus to their summary, so it is read first. */
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();

  /* Requirement form: one more empty skill row. */
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-add-skill]");
    if (!button) return;
    var block = button.closest("[data-skill-list]");
    var rows = block.querySelectorAll(".skill-row");
    var last = rows[rows.length - 1];
    var index = rows.length;
    var kind = block.dataset.skillList;
    var row = last.cloneNode(true);
    row.dataset.index = String(index);
    row.querySelectorAll(".field-error").forEach(function (el) { el.remove(); });
    row.querySelectorAll(".has-error").forEach(function (el) { el.classList.remove("has-error"); });
    row.querySelectorAll("input").forEach(function (input) {
      var part = input.name.split(".").pop();
      input.name = kind + "." + index + "." + part;
      input.id = "f-" + kind + "-" + index + "-" + part;
      input.value = "";
      input.removeAttribute("aria-invalid");
      input.removeAttribute("aria-describedby");
    });
    row.querySelectorAll("label").forEach(function (label) {
      var input = label.parentElement.querySelector("input");
      label.htmlFor = input.id;
      if (/^Skill \d+$/.test(label.textContent)) label.textContent = "Skill " + (index + 1);
    });
    block.querySelector(".skill-rows").appendChild(row);
    row.querySelector("input").focus();
  });
})();
