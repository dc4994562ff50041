// mdBook's page chrome, completed for keyboard and screen-reader use.
// The markup side is in xtask/src/chrome.rs; the colours in assets/chrome.css.
(function () {
  "use strict";

  // The sidebar toggle is a real button (mdBook ships a <label> for a hidden
  // checkbox, which a keyboard cannot reach). mdBook's book.js still owns the
  // sidebar: it listens to the checkbox, so the button flips the checkbox.
  var toggle = document.getElementById("mdbook-sidebar-toggle");
  var box = document.getElementById("mdbook-sidebar-toggle-anchor");
  if (toggle && box && toggle.tagName === "BUTTON") {
    toggle.addEventListener("click", function () {
      box.checked = !box.checked;
      box.dispatchEvent(new Event("change"));
    });
  }

  // Keyboard order starts at the top, with the skip link. mdBook's toc.js
  // scrolls the current chapter's entry into view at load, which in Chromium
  // also moves where the first Tab starts (just after that entry, past the
  // skip link and half the table of contents). Unless the reader already
  // focused something or followed a link to a fragment, start from the top.
  function startAtTop() {
    if (location.hash || (document.activeElement && document.activeElement !== document.body)) return;
    var body = document.body;
    var had = body.hasAttribute("tabindex");
    if (!had) body.setAttribute("tabindex", "-1");
    body.focus({ preventScroll: true });
    if (!had) body.removeAttribute("tabindex");
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", startAtTop);
  else startAtTop();

  // Back/forward cache. mdBook's book.js set an empty `onunload` (removed at
  // build, xtask/src/chrome.rs) that kept every page out of the browser's
  // back/forward cache so that going back re-ran the page and picked up a
  // theme chosen elsewhere. Going back is instant now; a page restored in
  // another theme than the stored one reloads.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    var stored = null;
    try { stored = localStorage.getItem("mdbook-theme"); } catch (e) { /* storage off: nothing to follow */ }
    if (stored && !document.documentElement.classList.contains(stored)) location.reload();
  });

  // A code block or table that scrolls sideways must be reachable by
  // keyboard (WCAG 2.1.1): exactly those have a tab stop, re-checked when the
  // width changes or a <details> opens to show one. (Table boxes arrive with one from the build, for readers
  // without JavaScript; here it stays only where the box scrolls.)
  var CANDIDATES = "main pre > code, main .table-wrapper";
  function markScrollers() {
    document.querySelectorAll(CANDIDATES).forEach(function (el) {
      if (el.closest("[data-widget]")) return;
      if (el.scrollWidth > el.clientWidth + 1) el.setAttribute("tabindex", "0");
      else el.removeAttribute("tabindex");
    });
  }
  var pending = false;
  function later() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(function () { pending = false; markScrollers(); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", markScrollers);
  else markScrollers();
  window.addEventListener("load", markScrollers);
  window.addEventListener("resize", later);
  // "toggle" does not bubble: listen in the capture phase.
  document.addEventListener("toggle", later, true);

  // A page's collapsed details (how to read a figure, the model's formulas)
  // print open: paper has no summary to click. Closed again afterwards.
  var printedOpen = [];
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("main details.more:not([open])").forEach(function (d) {
      d.setAttribute("open", "");
      printedOpen.push(d);
    });
  });
  window.addEventListener("afterprint", function () {
    printedOpen.forEach(function (d) { d.removeAttribute("open"); });
    printedOpen = [];
  });
})();
