/* Launchbook operations console: polls the fleet timeline, opens the launch and step dialogs,
   narrows the schedule form to what fits. No framework; no inline handlers (the CSP allows
   scripts only from our own files). */
(function () {
  "use strict";

  function details() {
    var el = document.getElementById("launch-details");
    try { return el ? JSON.parse(el.textContent) : {}; } catch (e) { return {}; }
  }

  // --- fleet timeline: poll the lanes with the marker; swap only when the schedule changed ---
  function setupPolling() {
    var box = document.getElementById("fleet-lanes");
    if (!box || !window.fetch) { return; }
    var seconds = parseInt(box.getAttribute("data-poll-seconds"), 10) || 20;
    function poll() {
      if (document.hidden) { return; }
      fetch(box.getAttribute("data-poll-url"), {
        credentials: "same-origin",
        cache: "no-store",
        headers: { "If-None-Match": '"' + box.getAttribute("data-marker") + '"', "X-Requested-With": "fetch" }
      }).then(function (response) {
        if (response.status !== 200) { return null; }
        var etag = (response.headers.get("ETag") || "").replace(/"/g, "");
        return response.text().then(function (html) {
          box.innerHTML = html;
          if (etag) { box.setAttribute("data-marker", etag); }
          box.setAttribute("data-refreshed", new Date().toISOString());
        });
      }).catch(function () { /* offline for a moment: the next poll tries again */ });
    }
    setInterval(poll, seconds * 1000);
    box.pollNow = poll;  // the browser walk calls it instead of waiting
  }

  function openLaunch(id) {
    var dialog = document.getElementById("launch-dialog");
    var launch = details()[id];
    if (!dialog || !launch || !dialog.showModal) { return false; }
    dialog.querySelector("#launch-dialog-title").textContent = launch.name;
    ["status", "site", "window", "rocket"].forEach(function (key) {
      dialog.querySelector('[data-field="' + key + '"]').textContent = launch[key];
    });
    dialog.querySelector('a[data-field="url"]').setAttribute("href", launch.url);
    var actions = dialog.querySelector("form[data-operable]");
    if (actions) {
      actions.hidden = !launch.operable;
      actions.querySelector('input[name="_selected_action"]').value = id;
    }
    dialog.showModal();
    return true;
  }

  // --- readiness board: a step's chip opens the dialog to sign off, waive or fail it ---
  function openStep(chip) {
    var dialog = document.getElementById("step-dialog");
    if (!dialog || !dialog.showModal) { return false; }
    dialog.querySelector('input[name="step"]').value = chip.getAttribute("data-step");
    dialog.querySelector("#step-dialog-title").textContent = chip.getAttribute("data-launch") + ": " + chip.getAttribute("data-name");
    dialog.querySelector('[data-field="facts"]').textContent = chip.getAttribute("data-facts");
    var note = dialog.querySelector("textarea[name=note]");
    note.value = chip.getAttribute("data-note") || "";
    dialog.showModal();
    note.focus();
    return true;
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!target || !target.closest) { return; }
    var bar = target.closest("a.seg[data-launch]");
    if (bar && openLaunch(bar.getAttribute("data-launch"))) { event.preventDefault(); return; }
    var chip = target.closest("button.chip[data-step]");
    if (chip && openStep(chip)) { event.preventDefault(); }
  });

  // --- the schedule form: offer only the trucks, pads and rockets that fit the chosen model ---
  function narrow(form) {
    var model = form.querySelector("select[name=vehicle_model]");
    var site = form.querySelector("select[name=site]");
    if (!model) { return; }
    ["platform", "pad", "vehicle"].forEach(function (name) {
      var select = form.querySelector("select[name=" + name + "]");
      if (!select) { return; }
      Array.prototype.forEach.call(select.options, function (option) {
        var models = option.getAttribute("data-models");
        var sites = option.getAttribute("data-site");
        var fits = (!models || !model.value || (" " + models + " ").indexOf(" " + model.value + " ") >= 0) &&
          (!sites || !site || !site.value || sites === site.value);
        option.hidden = !fits;
        option.disabled = !fits;
        if (!fits && option.selected) { select.value = ""; }
      });
    });
  }

  document.addEventListener("change", function (event) {
    var el = event.target;
    if (!el || !el.hasAttribute) { return; }
    if (el.hasAttribute("data-autosubmit") && el.form) { el.form.submit(); return; }
    if (el.form && el.form.hasAttribute("data-narrow")) { narrow(el.form); }
  });

  document.addEventListener("DOMContentLoaded", function () {
    setupPolling();
    Array.prototype.forEach.call(document.querySelectorAll("form[data-narrow]"), narrow);
  });
})();
