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
  carryScenario(placeholders.length > 0);
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

  // The reader's scenario follows them from page to page. The widgets keep it
  // in the address bar and in local storage once it is the reader's (a link
  // set it, or they changed a setting); every link to another page of the
  // book then carries it, so the next chapter opens with the same settings,
  // also where storage is refused (some pages opened from disk). The keys
  // come from widget_props::link, filled in by `cargo xtask build`.
  function carryScenario(widgets) {
    var KEYS = @@SCENARIO_KEYS@@;
    var STORE = "@@SCENARIO_STORAGE@@";
    function split(query) {
      return query.replace(/^\?/, "").split("&").filter(function (p) { return p !== ""; });
    }
    function isScenario(pair) { return KEYS.indexOf(pair.split("=")[0]) >= 0; }
    function saved() {
      try { return localStorage.getItem(STORE); } catch (e) { return null; }
    }
    // A link that sets a scenario wins over the one kept from earlier (on a
    // page with widgets, they check and keep it themselves).
    var fromLink = split(location.search).filter(isScenario);
    if (!widgets && fromLink.length > 0) {
      try { localStorage.setItem(STORE, fromLink.join("&")); } catch (e) { /* storage refused: links still carry it */ }
    }
    function rewrite() {
      var scenario = split(location.search).filter(isScenario).join("&") || saved();
      if (!scenario) return;
      var links = document.querySelectorAll("a[href]");
      for (var i = 0; i < links.length; i++) {
        var a = links[i];
        var href = a.getAttribute("href");
        // Only the book's own pages: relative links to an .html file (or a folder).
        if (!href || href.charAt(0) === "#" || href.indexOf("//") === 0 || /^[a-z][a-z0-9+.-]*:/i.test(href)) continue;
        var hashAt = href.indexOf("#");
        var hash = hashAt >= 0 ? href.slice(hashAt) : "";
        var rest = hashAt >= 0 ? href.slice(0, hashAt) : href;
        var queryAt = rest.indexOf("?");
        var path = queryAt >= 0 ? rest.slice(0, queryAt) : rest;
        if (!/(\.html|\/)$/.test(path)) continue;
        var own = queryAt >= 0 ? split(rest.slice(queryAt)).filter(function (p) { return !isScenario(p); }) : [];
        var next = path + "?" + [scenario].concat(own).join("&") + hash;
        if (next !== href) a.setAttribute("href", next);
      }
    }
    // Just before any way of following a link: a click or Enter, a middle
    // click, the context menu's "copy link", mdBook's arrow-key navigation.
    // A pointer or focus reaching a link shows its address with the scenario.
    ["click", "auxclick", "contextmenu", "keydown", "pointerover", "focusin"].forEach(function (type) {
      document.addEventListener(type, rewrite, true);
    });
    window.addEventListener("load", rewrite);
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", rewrite);
    else rewrite();
  }
})();
