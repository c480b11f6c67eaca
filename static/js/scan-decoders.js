/* Barcode readers for the camera (scan-camera.js): the browser's BarcodeDetector where it reads
   every format the screens need, else zxing-wasm, vendored in static/vendor/zxing-wasm and
   loaded from this server only when a camera opens. A reader is a function(video) returning
   a Promise of [{text}], text being what a keyboard-wedge scanner would type: GS1 codes keep
   their symbology identifier (]C1 ...), so the server reads their application identifiers. */
(function () {
  "use strict";

  var script = document.currentScript;
  var DECODER_SRC = script ? script.getAttribute("data-decoder") : "";
  var WASM_SRC = script ? script.getAttribute("data-decoder-wasm") : "";
  // EAN-13, EAN-8, UPC-A, Code 128 (and GS1-128) and QR, named as each reader names them.
  var NATIVE_FORMATS = ["ean_13", "ean_8", "upc_a", "code_128", "qr_code"];
  var ZXING_FORMATS = ["EAN13", "EAN8", "UPCA", "Code128", "QRCode"];
  // Symbology identifiers of GS1 codes, sent in front of the data as a wedge scanner set to
  // send AIM identifiers does.
  var GS1_IDENTIFIERS = ["]C1", "]Q3", "]d2", "]e0"];
  var MAX_WIDTH = 1280; // frames are scaled down to this width before zxing reads them
  var zxingLoading = null;
  var zxingReader = null;
  var chosen = null;

  /* --- the decoders: each is a function(video) -> Promise of [{text, native128}] --- */
  function nativeDecoder() {
    if (!("BarcodeDetector" in window)) return Promise.resolve(null);
    return window.BarcodeDetector.getSupportedFormats()
      .then(function (supported) {
        var missing = NATIVE_FORMATS.filter(function (format) {
          return supported.indexOf(format) < 0;
        });
        if (missing.length) return null; // zxing reads them all
        var detector = new window.BarcodeDetector({ formats: NATIVE_FORMATS });
        var read = function (video) {
          return detector.detect(video).then(function (codes) {
            return codes.map(function (code) {
              // BarcodeDetector does not say whether a Code 128 starts with FNC1 (GS1-128).
              return { text: code.rawValue, native128: code.format === "code_128" };
            });
          });
        };
        return { name: "native", read: read };
      })
      .catch(function () {
        return null;
      });
  }

  function loadZxing() {
    if (window.ZXingWASM) return Promise.resolve(window.ZXingWASM);
    if (zxingLoading) return zxingLoading;
    zxingLoading = new Promise(function (resolve, reject) {
      var tag = document.createElement("script");
      tag.src = DECODER_SRC;
      tag.onload = function () {
        resolve(window.ZXingWASM);
      };
      tag.onerror = function () {
        reject(new Error("decoder"));
      };
      document.head.appendChild(tag);
    })
      .then(function (zxing) {
        // Fetch and compile the WebAssembly now, from this server, so a failure shows at once.
        return zxing
          .prepareZXingModule({
            overrides: {
              locateFile: function (path, prefix) {
                return path.slice(-5) === ".wasm" ? WASM_SRC : prefix + path;
              },
            },
            fireImmediately: true,
          })
          .then(function () {
            return zxing;
          });
      })
      .catch(function () {
        zxingLoading = null;
        throw new Error("decoder");
      });
    return zxingLoading;
  }

  function zxingDecoder() {
    if (zxingReader) return zxingReader;
    zxingReader = loadZxing().then(function (zxing) {
      var canvas = document.createElement("canvas");
      var context = canvas.getContext("2d", { willReadFrequently: true });
      var options = {
        formats: ZXING_FORMATS,
        tryHarder: true,
        maxNumberOfSymbols: 1,
        textMode: "Plain",
      };
      return function (video) {
        var width = video.videoWidth;
        var height = video.videoHeight;
        if (!width || !height) return Promise.resolve([]);
        var scale = Math.min(1, MAX_WIDTH / width);
        canvas.width = Math.round(width * scale);
        canvas.height = Math.round(height * scale);
        context.drawImage(video, 0, 0, canvas.width, canvas.height);
        var pixels = context.getImageData(0, 0, canvas.width, canvas.height);
        return zxing.readBarcodes(pixels, options).then(function (results) {
          return results
            .filter(function (result) {
              return result.isValid && result.text;
            })
            .map(function (result) {
              var gs1 = GS1_IDENTIFIERS.indexOf(result.symbologyIdentifier) >= 0;
              return { text: gs1 ? result.symbologyIdentifier + result.text : result.text };
            });
        });
      };
    });
    zxingReader.catch(function () {
      zxingReader = null;
    });
    return zxingReader;
  }

  /* The reader for this browser, once: Promise of {name: "native" or "zxing", read}. */
  function choose() {
    if (chosen) return chosen;
    chosen = nativeDecoder()
      .then(function (native) {
        if (native) return native;
        return zxingDecoder().then(function (read) {
          return { name: "zxing", read: read };
        });
      })
      .catch(function (error) {
        chosen = null;
        throw error;
      });
    return chosen;
  }

  /* A Code 128 read by BarcodeDetector is read once more by zxing, which tells a GS1-128
     (FNC1 first) from a plain one; when zxing cannot read the frame the code goes as read. */
  function complete(code, video) {
    if (!code.native128) return Promise.resolve(code.text);
    return zxingDecoder()
      .then(function (decode) {
        return decode(video);
      })
      .then(function (codes) {
        return codes.length ? codes[0].text : code.text;
      })
      .catch(function () {
        return code.text;
      });
  }

  window.OMSScanDecoders = { choose: choose, complete: complete };
})();
