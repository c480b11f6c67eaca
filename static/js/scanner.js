/* Scan screens: keep the scan field focused, answer each scan with colour, icon, words and a
   tone, tell a scanner from typing, and run the on-screen shortcuts. No dependencies besides
   htmx, which the base template loads. */
(function () {
  "use strict";

  var SCAN_GAP_MS = 40; // a keyboard-wedge scanner types faster than this between keys
  var MIN_SCAN_LENGTH = 4;
  var FLASH_MS = 700;
  var keyTimes = [];
  // Scans sent and not answered yet (oldest first), and their form values as they were when
  // Enter was pressed: a scan waiting behind another must not pick up the next code typed.
  var pending = [];
  var unsent = [];
  var audioContext = null;

  function scanInput() {
    return document.querySelector("[data-scan-input]");
  }

  function isEditable(element) {
    if (!element || element === document.body) return false;
    if (element.isContentEditable) return true;
    var tag = element.tagName;
    return tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA";
  }

  /* Put the cursor back in the scan field, unless the user is typing into another field. */
  function focusScan(force) {
    var input = scanInput();
    if (!input) return;
    var active = document.activeElement;
    if (!force && active !== input && isEditable(active)) return;
    if (active !== input) input.focus({ preventScroll: true });
  }

  /* --- tones (WebAudio; the context starts on the first key or click) --- */
  function audio() {
    if (audioContext) return audioContext;
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return null;
    try {
      audioContext = new Context();
    } catch (error) {
      audioContext = null;
    }
    return audioContext;
  }

  function tone(frequency, start, duration, type) {
    var context = audio();
    if (!context) return;
    if (context.state === "suspended") context.resume();
    var oscillator = context.createOscillator();
    var gain = context.createGain();
    var at = context.currentTime + start;
    oscillator.type = type || "sine";
    oscillator.frequency.setValueAtTime(frequency, at);
    gain.gain.setValueAtTime(0.0001, at);
    gain.gain.exponentialRampToValueAtTime(0.35, at + 0.01);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + duration);
    oscillator.connect(gain);
    gain.connect(context.destination);
    oscillator.start(at);
    oscillator.stop(at + duration + 0.02);
  }

  function sound(status) {
    if (status === "ok") {
      tone(1320, 0, 0.12, "sine");
    } else if (status === "warn") {
      tone(880, 0, 0.12, "triangle");
      tone(880, 0.18, 0.12, "triangle");
    } else if (status === "error") {
      tone(220, 0, 0.45, "square");
    }
  }

  function flash(status) {
    var body = document.body;
    ["ok", "warn", "error"].forEach(function (name) {
      body.classList.remove("scan-flash-" + name);
    });
    if (status !== "ok" && status !== "warn" && status !== "error") return;
    void body.offsetWidth; // restart the animation when the same colour comes twice
    body.classList.add("scan-flash-" + status);
    window.setTimeout(function () {
      body.classList.remove("scan-flash-" + status);
    }, FLASH_MS);
  }

  /* Show a refusal that never reached the server (no connection, server error). */
  function showLocalError(message) {
    var box = document.getElementById("scan-answer");
    if (!box) return;
    box.className = "scan-answer scan-answer-error";
    box.setAttribute("data-scan-status", "error");
    box.setAttribute("role", "alert");
    box.innerHTML =
      '<span class="scan-answer-icon" aria-hidden="true">&#10006;</span>' +
      '<div class="scan-answer-body"><p class="scan-answer-label">Refused</p>' +
      '<p class="scan-answer-text" data-scan-message></p></div>';
    box.querySelector("[data-scan-message]").textContent = message;
  }

  /* Put a refused code back, unless the user has already started the next scan. */
  function restoreAfterError(code) {
    var input = scanInput();
    if (input && code && input.value === "" && !pending.length) {
      input.value = code;
      focusScan(true);
      input.select();
    }
  }

  function answer(status) {
    var code = pending.shift();
    flash(status);
    sound(status);
    if (status === "error") {
      restoreAfterError(code);
    } else {
      focusScan(true);
    }
  }

  /* Keep what the form holds at Enter and clear the field at once, so the next scan can
     be typed while this one is answered; runs before htmx sends (or queues) the request. */
  function onSubmit(event) {
    var form = event.target;
    if (!form.matches || !form.matches("[data-scan-form], [data-scan-command]")) return;
    var values = {};
    new FormData(form).forEach(function (value, key) {
      values[key] = value;
    });
    unsent.push(values);
    if (form.matches("[data-scan-command]")) {
      pending.push(""); // a button: nothing to put back if it is refused
      return;
    }
    pending.push(values.code || "");
    var field = scanInput();
    if (field) field.value = "";
  }

  /* --- scanner or person: a scanner's keys come a few milliseconds apart --- */
  function entryKind() {
    if (keyTimes.length < MIN_SCAN_LENGTH) return "typed";
    for (var i = 1; i < keyTimes.length; i++) {
      if (keyTimes[i] - keyTimes[i - 1] > SCAN_GAP_MS) return "typed";
    }
    return "scan";
  }

  function onScanKeydown(event) {
    var input = event.target;
    if (event.key === "Enter") {
      var entry = document.querySelector("[data-scan-entry]");
      if (entry) entry.value = entryKind();
      keyTimes = [];
      if (input.value.trim() === "" && window.htmx) {
        event.preventDefault(); // a stray Enter sends nothing
      }
      return;
    }
    if (event.key === "Escape") {
      input.value = "";
      keyTimes = [];
      return;
    }
    if (event.key && event.key.length === 1 && !event.ctrlKey && !event.metaKey && !event.altKey) {
      if (input.value === "" || input.selectionStart === 0) keyTimes = [];
      keyTimes.push(event.timeStamp || Date.now());
    }
  }

  function onShortcut(event) {
    if (!/^F\d{1,2}$/.test(event.key)) return;
    var button = document.querySelector('[data-scan-key="' + event.key + '"]');
    if (!button) return;
    event.preventDefault();
    button.click();
  }

  /* htmx sends its swap events once for every element swapped in, out-of-band ones too;
     errors come from the form. Answer each scan exactly once. */
  function isScanAnswer(event) {
    return event.target && event.target.id === "scan-panel";
  }

  function isScanForm(event) {
    var form = event.target;
    return form && form.matches && form.matches("[data-scan-form], [data-scan-command]");
  }

  function init() {
    var input = scanInput();
    if (!input) return;
    input.addEventListener("keydown", onScanKeydown);
    document.addEventListener("keydown", onShortcut);
    document.addEventListener("keydown", audio, { once: true });
    document.addEventListener("pointerdown", audio, { once: true });

    // Clicking anywhere that is not a field, button or link sends focus back to the scan field.
    document.addEventListener("click", function (event) {
      if (event.target.closest("input, select, textarea, label, a, [contenteditable]")) return;
      window.setTimeout(function () {
        focusScan(false);
      }, 0);
    });
    window.addEventListener("focus", function () {
      focusScan(false);
    });
    // A choice made beside the scan field (the pack bench's box) hands the focus back to it,
    // so the next scan lands in the scan field and not in the list.
    document.addEventListener("change", function (event) {
      var target = event.target;
      if (target && target.tagName === "SELECT" && target.closest("[data-scan-form]")) {
        focusScan(true);
      }
    });

    document.addEventListener("submit", onSubmit, true);
    document.body.addEventListener("htmx:configRequest", function (event) {
      var form = event.detail.elt;
      if (!form || !form.matches || !form.matches("[data-scan-form], [data-scan-command]")) return;
      var values = unsent.shift();
      if (!values) return;
      Object.keys(values).forEach(function (key) {
        event.detail.parameters[key] = values[key];
      });
    });
    document.body.addEventListener("htmx:afterSwap", function (event) {
      if (!isScanAnswer(event)) return;
      var box = document.getElementById("scan-answer");
      answer(box ? box.getAttribute("data-scan-status") : "idle");
    });
    document.body.addEventListener("htmx:sendError", function (event) {
      if (!isScanForm(event)) return;
      showLocalError("No connection: this scan was NOT saved. Check the network and scan again.");
      answer("error");
    });
    document.body.addEventListener("htmx:responseError", function (event) {
      if (!isScanForm(event)) return;
      var status = event.detail.xhr ? event.detail.xhr.status : 0;
      var message =
        status === 403
          ? "Not allowed, or your session expired: log in again, then scan again."
          : "The server could not answer (error " + status + "): this scan was NOT saved. Scan again.";
      showLocalError(message);
      answer("error");
    });
    focusScan(true);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
