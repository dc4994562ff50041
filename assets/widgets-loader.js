// Loads the widgets' WebAssembly module on pages that have a [data-widget]
// placeholder, and only there. `cargo xtask build` fills in the
// content-hashed file names and writes the result to assets/generated/.
//
// Over http(s) the module is fetched and compiled as it streams. Opened
// from disk (file://), browsers refuse to fetch a .wasm file, so the same
// bytes are read from a script that carries them as base64.
(function () {
  "use strict";
  var placeholders = document.querySelectorAll("[data-widget]");
  if (placeholders.length === 0) return;

  var root = typeof path_to_root === "string" ? path_to_root : "";
  var base = root + "widgets/";
  var files = { js: "@@WIDGETS_JS@@", wasm: "@@WIDGETS_WASM@@", inline: "@@WIDGETS_INLINE@@" };

  function fail(message) {
    placeholders.forEach(function (el) {
      if (el.getAttribute("data-state") === "error") return;
      var loading = el.querySelector(".widget-loading");
      if (loading) loading.remove();
      el.setAttribute("data-state", "error");
      var p = document.createElement("p");
      p.className = "widget-error";
      p.setAttribute("role", "alert");
      p.textContent = message;
      el.appendChild(p);
    });
  }

  function script(src) {
    return new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = src;
      s.onload = resolve;
      s.onerror = function () { reject(new Error("could not load " + src)); };
      document.head.appendChild(s);
    });
  }

  function moduleSource() {
    if (location.protocol !== "file:") return Promise.resolve(base + files.wasm);
    return script(base + files.inline).then(function () {
      var text = atob(window.__widgetsWasmBase64);
      var bytes = new Uint8Array(text.length);
      for (var i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
      delete window.__widgetsWasmBase64;
      return bytes;
    });
  }

  script(base + files.js)
    .then(moduleSource)
    .then(function (source) { return wasm_bindgen({ module_or_path: source }); })
    .catch(function (e) { fail("The interactive figures could not load: " + e.message); });
})();
