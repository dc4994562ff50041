// Loads the widgets' WebAssembly module on pages that have a [data-widget]
// placeholder, and only there, once the page has loaded: its build-time
// figures are the first paint. Every page loads the same module, so a
// reader downloads it once per visit. `cargo xtask build` fills in the
// modules' content-hashed file names and writes the result to
// assets/generated/.
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
  // `site` holds every widget; `all` adds the benchmark's entry points
  // (`window.__widgetsModule = "all"`, set before this script, asks for it;
  // `cargo xtask serve` after an edit to the module's sources builds only it).
  var MODULES = @@WIDGETS_MODULES@@;
  var key = typeof window.__widgetsModule === "string" && MODULES[window.__widgetsModule] ? window.__widgetsModule : "site";
  if (!MODULES[key]) key = "all";
  var files = MODULES[key];
  window.__widgetsModuleKey = key;
  printWhenDrawn();
  swapWhenDrawn();

  // A trap in the module that is not a Rust panic (the panic hook reports
  // those) leaves its state unknown and any figure it was computing
  // unfinished for ever: every widget says the figures stopped.
  function trapped(err) {
    if (typeof WebAssembly === "object" && err instanceof WebAssembly.RuntimeError) {
      fail("The interactive figures stopped: " + err.message);
    }
  }
  window.addEventListener("error", function (e) { trapped(e.error); });
  window.addEventListener("unhandledrejection", function (e) { trapped(e.reason); });

  // Printing waits for the figures. mdBook's print page asks to print about
  // 100 ms after load, before the module has compiled; a figure still loading
  // or simulating would print unfinished (and a print preview opened over the
  // page can stall its workers). So window.print, on a page with widgets,
  // prints once no widget is loading and every staged figure says it is
  // complete or sits in a widget that failed, with each figure's table open
  // and filled (a table is built only while open). The html element records
  // it: data-print="asked" while it waits, "printed" once it called the
  // browser's print (data-print-count times). The browser's own print command (Ctrl+P) opens the tables too,
  // but cannot wait for them.
  function printWhenDrawn() {
    var print = window.print;
    if (typeof print !== "function") return;
    var waiting = false;
    var opened = [];
    function openTables() {
      document.querySelectorAll("[data-widget] details.widget-data:not([open])").forEach(function (d) {
        d.setAttribute("open", "");
        opened.push(d);
      });
    }
    window.addEventListener("beforeprint", openTables);
    window.addEventListener("afterprint", function () {
      opened.forEach(function (d) { d.removeAttribute("open"); });
      opened = [];
    });
    function finished() {
      var all = document.querySelectorAll("[data-widget]");
      for (var i = 0; i < all.length; i++) if (all[i].getAttribute("data-state") === "loading") return false;
      // A figure in a widget that failed will not complete: it prints its error.
      var staged = document.querySelectorAll("[data-complete]");
      for (var j = 0; j < staged.length; j++) {
        if (staged[j].getAttribute("data-complete") === "true") continue;
        var owner = staged[j].closest("[data-widget]");
        if (!owner || owner.getAttribute("data-state") !== "error") return false;
      }
      return true;
    }
    function tablesFilled() {
      return opened.every(function (d) { return d.querySelector("tbody tr") !== null; });
    }
    window.print = function () {
      if (waiting) return;
      waiting = true;
      var html = document.documentElement;
      html.setAttribute("data-print", "asked");
      // Once finished: the tables opened, then at most 60 frames for them to
      // fill (a figure may have no rows), then one more so the last is drawn.
      // A figure that started again meanwhile (a widget mounted later moved
      // the page's shared scenario) is waited for again: the browser prints
      // only a page that is finished in the frame it prints.
      function go() {
        openTables();
        var frames = 0;
        (function frame() {
          requestAnimationFrame(function () {
            frames += 1;
            if (!tablesFilled() && frames < 60) { frame(); return; }
            requestAnimationFrame(function () {
              if (!finished()) { whenFinished(go); return; }
              waiting = false;
              html.setAttribute("data-print", "printed");
              html.setAttribute("data-print-count", String(Number(html.getAttribute("data-print-count") || 0) + 1));
              print.call(window);
            });
          });
        })();
      }
      whenFinished(go);
    };
    function whenFinished(then) {
      if (finished()) { then(); return; }
      var watch = new MutationObserver(function () {
        if (!finished()) return;
        watch.disconnect();
        then();
      });
      watch.observe(document.body, { attributes: true, childList: true, subtree: true, attributeFilter: ["data-state", "data-complete"] });
    }
  }

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

  // The compiled module: kept, so the simulation workers get it without compiling it again.
  function compiled() {
    if (location.protocol !== "file:") {
      var url = base + files.wasm;
      var bytes = function () {
        return fetch(url).then(function (r) {
          if (!r.ok) throw new Error("could not load " + url + " (" + r.status + ")");
          return r.arrayBuffer();
        }).then(function (b) { return WebAssembly.compile(b); });
      };
      // Streaming needs the server to say application/wasm; any other answer is read whole.
      if (typeof WebAssembly.compileStreaming !== "function") return bytes();
      return WebAssembly.compileStreaming(fetch(url)).catch(bytes);
    }
    return script(base + files.inline).then(function () {
      var text = atob(window.__widgetsWasmBase64);
      var bytes = new Uint8Array(text.length);
      for (var i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
      delete window.__widgetsWasmBase64;
      return WebAssembly.compile(bytes);
    });
  }

  // The page's build-time figures are its first paint; the module is asked
  // for once the page has loaded, so nothing it brings delays that.
  function load() {
    // A widget's data too large for the page (the build moved it to a
    // script of its own, xtask's bundles.rs) is put back where the module reads it.
    var moved = [].slice.call(document.querySelectorAll("script.widget-bundle[data-src]"));
    Promise.all(moved.map(function (el) {
      return script(root + el.getAttribute("data-src")).then(function () {
        var text = (window.__widgetBundles || {})[el.getAttribute("data-key")];
        if (typeof text !== "string") throw new Error(el.getAttribute("data-src") + " holds no data");
        el.textContent = text;
      });
    }))
      .then(function () { return script(base + files.js); })
      .then(compiled)
      .then(function (module) {
        window.__widgetsPool = pool(new URL(base + files.js, location.href).href, module);
        return wasm_bindgen({ module_or_path: module });
      })
      .catch(function (e) { fail("The interactive figures could not load: " + e.message); });
  }
  if (document.readyState === "complete") load();
  else window.addEventListener("load", load);

  // Each placeholder shows its figure as the build drew it until the live
  // widget, mounted beside it unseen (widgets.css), has drawn its first
  // frame: then the build's figure goes, in the same task, so the reader
  // sees one or the other, never both. A widget that fails keeps it.
  function swapWhenDrawn() {
    function swap(el) {
      if (el.getAttribute("data-state") !== "ready") return;
      var first = el.querySelector(":scope > .widget-first");
      if (first) first.remove();
    }
    var watch = new MutationObserver(function (changes) {
      changes.forEach(function (c) { if (c.target.hasAttribute("data-widget")) swap(c.target); });
    });
    placeholders.forEach(function (el) {
      watch.observe(el, { attributes: true, attributeFilter: ["data-state"] });
    });
  }

  // Simulations off the main thread: Web Workers, each running this same
  // module (compiled once, here, and handed over), as many as the machine
  // has cores (at most 8; `window.__widgetsWorkers` set before this script
  // overrides the count, for the benchmark). The widgets call
  // run(kind, input, jobs, onAnswer): every job goes to the next free
  // worker, one at a time, so a newer run (or cancel(id)) drops what has not
  // started and an old answer is dropped on arrival. onAnswer(i, numbers,
  // error) is called once per job; error "unavailable" means no worker
  // could take it (file://, no Worker, a worker that would not start), and
  // the widget computes that job itself, in tasks, as it does without workers.
  function pool(glueUrl, module) {
    var wanted = typeof window.__widgetsWorkers === "number" ? window.__widgetsWorkers : Math.min(8, navigator.hardwareConcurrency || 2);
    var usable = location.protocol !== "file:" && typeof Worker === "function" && typeof Blob === "function" && wanted > 0;
    var workers = [];
    var queue = [];
    var runs = 0;
    var live = {};
    var source = null;
    var body = [
      "importScripts(" + JSON.stringify(glueUrl) + ");",
      "var ready = null;",
      "onmessage = function (e) {",
      "  var m = e.data;",
      "  if (m.module) {",
      "    ready = wasm_bindgen({ module_or_path: m.module }).then(function () { postMessage({ ready: true }); }, function (err) { postMessage({ broken: String(err) }); });",
      "    return;",
      "  }",
      "  ready.then(function () {",
      "    try { postMessage({ run: m.run, i: m.i, out: wasm_bindgen.widgets_worker_job(m.kind, m.input, m.job) }); }",
      "    catch (err) { postMessage({ run: m.run, i: m.i, error: String(err && err.message || err) }); }",
      "  });",
      "};",
    ].join("\n");
    function start() {
      source = URL.createObjectURL(new Blob([body], { type: "text/javascript" }));
      for (var k = 0; k < wanted; k++) {
        (function () {
          var w = { worker: null, busy: null, ready: false };
          try { w.worker = new Worker(source); } catch (e) { return; }
          w.worker.onmessage = function (e) {
            var m = e.data;
            if (m.ready) { w.ready = true; feed(); return; }
            if (m.broken) { drop(w); return; }
            var job = w.busy;
            w.busy = null;
            var run = live[m.run];
            if (run && job) run.answer(m.i, m.out || null, m.error || null);
            feed();
          };
          w.worker.onerror = function (e) { e.preventDefault(); drop(w); };
          w.worker.postMessage({ module: module });
          workers.push(w);
        })();
      }
      if (workers.length === 0) usable = false;
    }
    // A worker that failed: its job goes back to the queue; with none left, every job is handed back.
    function drop(w) {
      var i = workers.indexOf(w);
      if (i >= 0) workers.splice(i, 1);
      try { w.worker.terminate(); } catch (e) { /* gone already */ }
      if (w.busy) queue.unshift(w.busy);
      w.busy = null;
      if (workers.length === 0) {
        usable = false;
        var back = queue;
        queue = [];
        back.forEach(function (j) { if (live[j.run]) live[j.run].answer(j.i, null, "unavailable"); });
      }
      feed();
    }
    function feed() {
      workers.forEach(function (w) {
        if (!w.ready || w.busy) return;
        while (queue.length && !live[queue[0].run]) queue.shift();
        var j = queue.shift();
        if (!j) return;
        w.busy = j;
        w.worker.postMessage(j);
      });
    }
    return {
      size: function () { return usable ? wanted : 0; },
      run: function (kind, input, jobs, onAnswer) {
        var id = ++runs;
        var left = jobs.length;
        live[id] = {
          answer: function (i, out, error) {
            if (--left <= 0) delete live[id];
            onAnswer(i, out, error);
          },
        };
        if (usable && workers.length === 0) start();
        if (!usable) {
          // Handed back later, never inside the caller's own call, and only while the run is wanted.
          setTimeout(function () {
            for (var i = 0; i < jobs.length && live[id]; i++) live[id].answer(i, null, "unavailable");
          }, 0);
          return id;
        }
        for (var k = 0; k < jobs.length; k++) queue.push({ run: id, i: k, kind: kind, input: input, job: jobs[k] });
        feed();
        return id;
      },
      cancel: function (id) { delete live[id]; },
    };
  }

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
    // The build drew the page's figures at its own starting point; where the
    // reader's scenario will replace it, they say so until it has (widgets.css).
    if (widgets && (fromLink.length > 0 || saved())) document.documentElement.setAttribute("data-scenario", "yours");
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
