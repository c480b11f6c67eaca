/* Camera scanning for every scan screen. The base template loads this script on every page;
   it does nothing unless the page has a scan field ([data-scan-input] in a [data-scan-form]).
   It adds a Camera button beside the scan field; the camera reads a barcode with the
   browser's BarcodeDetector where it has one, else with the vendored zxing-wasm decoder
   (scan-decoders.js), and hands each code to the scan field exactly as a keyboard-wedge scanner would: the code in the
   field, entry "scan", the form submitted, so the answer, tone, colour and log are the same.
   The wedge keeps working while the camera is open. */
(function () {
  "use strict";

  var GONE_MS = 1500; // the same code counts again once it has been out of view this long
  var FRAME_MS = 120; // at most about eight reads a second
  var REMEMBER = "oms-scan-camera"; // sessionStorage: the camera was left open
  var CAMERA_ICON =
    '<svg class="scan-camera-icon" aria-hidden="true" focusable="false" viewBox="0 0 24 24"><path fill="currentColor" d="M9 4 7.2 6H4a2 2 0 0 0-2 2v10a2 2 0 0 0 2 2h16a2 2 0 0 0 2-2V8a2 2 0 0 0-2-2h-3.2L15 4H9zm3 4.5a4.5 4.5 0 1 1 0 9 4.5 4.5 0 0 1 0-9zm0 2a2.5 2.5 0 1 0 0 5 2.5 2.5 0 0 0 0-5z"/></svg>';
  var TORCH_ICON =
    '<svg class="scan-camera-icon" aria-hidden="true" focusable="false" viewBox="0 0 24 24"><path fill="currentColor" d="M7 2h10v4l-3 4v12h-4V10L7 6V2zm2 2v1h6V4H9z"/></svg>';

  var state = {
    open: false,
    stream: null,
    read: null,
    timer: null,
    lastCode: "",
    lastSeenAt: 0,
    torch: false,
    resume: false,
  };
  var ui = {};

  function scanInput() {
    return document.querySelector("[data-scan-form] [data-scan-input]");
  }

  function say(message, kind) {
    ui.status.textContent = message;
    ui.panel.setAttribute("data-camera-state", kind);
  }

  /* --- a read: debounced, then sent the way a wedge scanner sends it --- */
  function isNew(code, now) {
    var fresh = code !== state.lastCode || now - state.lastSeenAt > GONE_MS;
    state.lastCode = code;
    state.lastSeenAt = now;
    return fresh;
  }

  function send(code) {
    var input = scanInput();
    if (!input || !input.form) return;
    // A wedge types into the field: after what is there (a "5*" typed first), or over it
    // when it is all selected (a refused code put back).
    var all = input.selectionStart === 0 && input.selectionEnd === input.value.length;
    input.value = input.value && !all ? input.value + code : code;
    var entry = input.form.querySelector("[data-scan-entry]");
    if (entry) entry.value = "scan";
    if (input.form.requestSubmit) input.form.requestSubmit();
    else input.form.dispatchEvent(new Event("submit", { bubbles: true, cancelable: true }));
  }

  function printable(code) {
    return code.replace(/[\x00-\x1f]/g, function (char) {
      return "<" + ("0" + char.charCodeAt(0).toString(16).toUpperCase()).slice(-2) + ">";
    });
  }

  function tick() {
    state.timer = null;
    if (!state.open || !state.read) return;
    var video = ui.video;
    var started = Date.now();
    var reading = video.readyState >= 2 ? state.read(video) : Promise.resolve([]);
    reading
      .then(function (codes) {
        if (!state.open) return;
        if (!codes.length || !isNew(codes[0].text, Date.now())) return null;
        return window.OMSScanDecoders.complete(codes[0], video).then(function (code) {
          if (!state.open) return;
          send(code);
          say("Read " + printable(code) + ". Take it out of view to scan it again.", "read");
        });
      })
      .catch(function () {
        /* one unreadable frame: try the next */
      })
      .then(function () {
        if (!state.open) return;
        var wait = Math.max(0, FRAME_MS - (Date.now() - started));
        state.timer = window.setTimeout(tick, wait);
      });
  }

  /* --- opening and closing the camera --- */
  function refusal(error) {
    var name = error && error.name;
    if (name === "NotAllowedError" || name === "SecurityError") {
      return "The camera was not allowed. Allow the camera for this site in the browser settings, or use the scanner.";
    }
    if (name === "NotFoundError" || name === "OverconstrainedError") {
      return "No camera found on this device. Use the scanner or type the code.";
    }
    if (name === "NotReadableError" || name === "AbortError") {
      return "The camera is busy in another app. Close it there and try again.";
    }
    if (error && error.message === "decoder") {
      return "The barcode reader could not be loaded. Reload the page and try again.";
    }
    return "The camera could not start. Use the scanner or type the code.";
  }

  function showPanel(open) {
    ui.panel.hidden = false;
    ui.button.setAttribute("aria-pressed", open ? "true" : "false");
    ui.buttonText.textContent = open ? "Close camera" : "Camera";
    ui.video.hidden = !open;
  }

  function open() {
    showPanel(false);
    if (!window.isSecureContext) {
      say(
        "The camera works only over HTTPS: open this page at its https:// address. The scanner and the keyboard work as usual.",
        "insecure"
      );
      return;
    }
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      say("This browser cannot use a camera. Use the scanner or type the code.", "error");
      return;
    }
    state.open = true;
    showPanel(true);
    say("Starting the camera…", "starting");
    var constraints = {
      audio: false,
      video: {
        facingMode: { ideal: "environment" },
        width: { ideal: 1280 },
        height: { ideal: 720 },
      },
    };
    navigator.mediaDevices
      .getUserMedia(constraints)
      .then(function (stream) {
        if (!state.open) {
          stopTracks(stream);
          return null;
        }
        state.stream = stream;
        ui.video.srcObject = stream;
        return Promise.all([ui.video.play(), window.OMSScanDecoders.choose()]);
      })
      .then(function (ready) {
        if (!ready || !state.open) return;
        state.read = ready[1].read;
        ui.panel.setAttribute("data-camera-decoder", ready[1].name);
        offerTorch();
        setFieldKeyboard(true);
        say("Point the camera at a barcode.", "on");
        tick();
      })
      .catch(function (error) {
        close();
        showPanel(false);
        remember(false);
        say(refusal(error), "error");
      });
  }

  function stopTracks(stream) {
    stream.getTracks().forEach(function (track) { track.stop(); }); // prettier-ignore
  }

  function close() {
    state.open = false;
    if (state.timer) window.clearTimeout(state.timer);
    state.timer = null;
    if (state.stream) stopTracks(state.stream);
    state.stream = null;
    state.torch = false;
    state.lastCode = "";
    ui.video.srcObject = null;
    ui.torch.hidden = true;
    ui.torch.setAttribute("aria-pressed", "false");
    setFieldKeyboard(false);
  }

  /* The button's choice holds for this tab: the next scan screen, or a reload, opens the
     camera again (the browser asks no more once the camera is allowed). */
  function remember(on) {
    try {
      if (on) window.sessionStorage.setItem(REMEMBER, "1");
      else window.sessionStorage.removeItem(REMEMBER);
    } catch (error) {
      /* storage off: the camera opens on each click */
    }
  }

  function remembered() {
    try {
      return window.sessionStorage.getItem(REMEMBER) === "1";
    } catch (error) {
      return false;
    }
  }

  function toggle() {
    if (state.open) {
      close();
      showPanel(false);
      ui.panel.hidden = true;
      remember(false);
      // The wedge has its field back at once, not after the page's click handler runs.
      var input = scanInput();
      if (input) input.focus({ preventScroll: true });
    } else {
      remember(true);
      open();
    }
  }

  /* --- the torch, where the camera has one --- */
  function videoTrack() {
    return state.stream ? state.stream.getVideoTracks()[0] : null;
  }

  function offerTorch() {
    var track = videoTrack();
    var capabilities = track && track.getCapabilities ? track.getCapabilities() : {};
    ui.torch.hidden = !capabilities.torch;
  }

  function toggleTorch() {
    var track = videoTrack();
    if (!track) return;
    var wanted = !state.torch;
    track
      .applyConstraints({ advanced: [{ torch: wanted }] })
      .then(function () {
        state.torch = wanted;
        ui.torch.setAttribute("aria-pressed", wanted ? "true" : "false");
      })
      .catch(function () {
        ui.torch.hidden = true;
      });
  }

  /* While the camera is open, the scan field keeps the focus for the wedge without bringing up
     a phone's on-screen keyboard; a tap in the field brings it back for typing. */
  function setFieldKeyboard(cameraOpen) {
    var input = scanInput();
    if (!input) return;
    if (cameraOpen) {
      if (!input.hasAttribute("data-inputmode")) {
        input.setAttribute("data-inputmode", input.getAttribute("inputmode") || "");
      }
      input.setAttribute("inputmode", "none");
    } else if (input.hasAttribute("data-inputmode")) {
      var previous = input.getAttribute("data-inputmode");
      if (previous) input.setAttribute("inputmode", previous);
      else input.removeAttribute("inputmode");
      input.removeAttribute("data-inputmode");
    }
  }

  function build(input) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-outline-dark btn-lg scan-button scan-camera-button";
    button.setAttribute("aria-pressed", "false");
    button.setAttribute("aria-controls", "scan-camera");
    button.setAttribute("data-scan-camera", "");
    button.innerHTML = CAMERA_ICON + ' <span data-camera-label>Camera</span>';
    var row = input.closest(".scan-input-row") || input.parentNode;
    row.appendChild(button);

    var panel = document.createElement("section");
    panel.id = "scan-camera";
    panel.className = "scan-camera";
    panel.hidden = true;
    panel.setAttribute("aria-label", "Camera");
    panel.setAttribute("data-camera-state", "off");
    panel.innerHTML =
      '<div class="scan-camera-view"><video class="scan-camera-video" playsinline muted hidden></video>' +
      '<div class="scan-camera-aim" aria-hidden="true"></div></div>' +
      '<div class="scan-camera-bar"><p class="scan-camera-status" role="status" aria-live="polite"></p>' +
      '<button type="button" class="btn btn-outline-dark scan-button" aria-pressed="false" hidden data-camera-torch>' +
      TORCH_ICON +
      " Torch</button></div>";
    input.form.parentNode.insertBefore(panel, input.form.nextSibling);

    ui = {
      button: button,
      buttonText: button.querySelector("[data-camera-label]"),
      panel: panel,
      video: panel.querySelector("video"),
      status: panel.querySelector(".scan-camera-status"),
      torch: panel.querySelector("[data-camera-torch]"),
    };
    ui.video.muted = true;
    button.addEventListener("click", toggle);
    ui.torch.addEventListener("click", toggleTorch);
    input.addEventListener("pointerdown", function () {
      if (state.open) setFieldKeyboard(false);
    });
  }

  function init() {
    var input = scanInput();
    if (!input || !input.form) return;
    build(input);
    // A camera left running in a hidden tab drains the battery: stop it, and start it again
    // when the page is back.
    document.addEventListener("visibilitychange", function () {
      if (document.hidden && state.open) {
        state.resume = true;
        close();
      } else if (!document.hidden && state.resume) {
        state.resume = false;
        open();
      }
    });
    window.addEventListener("pagehide", close);
    if (remembered() && window.isSecureContext) open();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
