/* Launchbook portal: live countdowns, the phone navigation toggle, self-sending selects. No framework. */
(function () {
  "use strict";

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function renderCountdown(el) {
    var target = Date.parse(el.getAttribute("data-countdown"));
    if (isNaN(target)) { return; }
    var seconds = Math.round((target - Date.now()) / 1000);
    var past = seconds < 0;
    seconds = Math.abs(seconds);
    var d = Math.floor(seconds / 86400);
    var h = Math.floor((seconds % 86400) / 3600);
    var m = Math.floor((seconds % 3600) / 60);
    var s = seconds % 60;
    var parts = [];
    if (d) { parts.push(d + '<span class="unit">d</span>'); }
    parts.push(pad(h) + '<span class="unit">h</span>');
    parts.push(pad(m) + '<span class="unit">min</span>');
    parts.push(pad(s) + '<span class="unit">s</span>');
    el.innerHTML = (past ? "T+ " : "T− ") + parts.join("");
    // Screen readers get a calm, minute-level summary instead of a ticking clock.
    el.setAttribute("aria-label", (past ? "launched " : "") + d + " days " + h + " hours " + m + " minutes" + (past ? " ago" : " to go"));
  }

  function tick() {
    var els = document.querySelectorAll("[data-countdown]");
    for (var i = 0; i < els.length; i++) { renderCountdown(els[i]); }
  }

  function setupNav() {
    var toggle = document.querySelector(".nav-toggle");
    var nav = document.getElementById("site-nav");
    var user = document.querySelector(".user-menu");
    if (!toggle || !nav) { return; }
    if (user) { user.classList.add("collapsed"); }
    toggle.addEventListener("click", function () {
      var open = nav.classList.toggle("open");
      if (user) { user.classList.toggle("collapsed", !open); }
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  // A <select data-autosubmit> sends its form when changed (no inline handlers: the CSP allows
  // scripts only from our own files).
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el && el.hasAttribute && el.hasAttribute("data-autosubmit") && el.form) {
      el.form.submit();
    }
  });

  // The add-ons shown are the chosen launch option's provider's: the other providers' groups are
  // hidden and their boxes disabled, so they are not sent. Capturing, so htmx (listening on the
  // form) reads the form after the switch.
  function showAddOnsFor(radio) {
    var form = radio.form;
    if (!form || !radio.hasAttribute("data-provider")) { return; }
    var provider = radio.getAttribute("data-provider");
    var groups = form.querySelectorAll("[data-add-ons-for]");
    for (var i = 0; i < groups.length; i++) {
      var shown = groups[i].getAttribute("data-add-ons-for") === provider;
      groups[i].hidden = !shown;
      var boxes = groups[i].querySelectorAll("input");
      for (var j = 0; j < boxes.length; j++) { boxes[j].disabled = !shown; }
    }
  }
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el && el.type === "radio" && el.name === "option" && el.checked) { showAddOnsFor(el); }
  }, true);

  // Read-only fields holding a key or an address select themselves to be copied.
  document.addEventListener("focusin", function (event) {
    var el = event.target;
    if (el && el.hasAttribute && el.hasAttribute("data-select-on-focus") && el.select) { el.select(); }
  });

  document.addEventListener("DOMContentLoaded", function () {
    setupNav();
    tick();
    setInterval(tick, 1000);
  });
  // Fragments swapped in by htmx may carry new countdowns.
  document.addEventListener("htmx:afterSwap", tick);
})();
