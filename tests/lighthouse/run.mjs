// Lighthouse over the built site, for `cargo xtask bench`: the four category scores
// and FCP, LCP, TBT, CLS, total bytes for the overview and every widget page, with the
// desktop and mobile presets. Debian's Chromium, offline flags, 127.0.0.1 only,
// files gzip-encoded as a static host sends them.
// Reported, never asserted: the machine is shared and timings are noisy.
import fs from "node:fs";
import lighthouse from "lighthouse";
import desktop from "lighthouse/core/config/desktop-config.js";
import * as chromeLauncher from "chrome-launcher";
import { serve, CHROMIUM_ARGS, widgetPages } from "../browser/harness.mjs";

// The overview and every page that carries a widget.
// LH_PAGES=a.html,b.html limits the run to those pages (for a quick look by hand).
const PAGES = process.env.LH_PAGES?.split(",") ?? ["index.html", ...widgetPages()];
const CATEGORIES = ["performance", "accessibility", "best-practices", "seo"];

// Compressed as a static host (GitHub Pages) sends it: the mobile preset's
// simulated slow network otherwise charges for bytes no reader downloads.
const srv = await serve({ gzip: true });
const chrome = await chromeLauncher.launch({
  chromePath: "/usr/bin/chromium",
  chromeFlags: [...CHROMIUM_ARGS, `--user-data-dir=${fs.mkdtempSync("/tmp/lh-profile-")}`],
});
const results = [];
try {
  for (const page of PAGES) {
    for (const [preset, config] of [["desktop", desktop], ["mobile", undefined]]) {
      const r = await lighthouse(srv.base + page, { port: chrome.port, output: "json", logLevel: "error", onlyCategories: CATEGORIES }, config);
      const lhr = r.lhr;
      const score = (c) => Math.round((lhr.categories[c]?.score ?? NaN) * 100);
      const audit = (a) => lhr.audits[a]?.numericValue;
      const row = {
        page, preset,
        performance: score("performance"), accessibility: score("accessibility"),
        best_practices: score("best-practices"), seo: score("seo"),
        fcp_ms: Math.round(audit("first-contentful-paint")),
        lcp_ms: Math.round(audit("largest-contentful-paint")),
        total_bytes: audit("total-byte-weight"),
        tbt_ms: Math.round(audit("total-blocking-time")),
        cls: Number((audit("cumulative-layout-shift") ?? NaN).toFixed(3)),
        // What kept a category below 100, for the reader of the numbers.
        // The elements behind a failed accessibility audit, to find them without rerunning.
        a11y_nodes: Object.fromEntries(lhr.categories.accessibility.auditRefs.map((a) => lhr.audits[a.id]).filter((a) => a.score === 0)
          .map((a) => [a.id, (a.details?.items ?? []).map((i) => i.node?.selector ?? i.node?.snippet ?? "").slice(0, 5)])),
        failing: Object.values(lhr.audits).filter((a) => a.score !== null && a.score < 0.9 && a.scoreDisplayMode === "binary").map((a) => a.id),
        foreign_requests: (lhr.audits["network-requests"]?.details?.items ?? []).map((i) => i.url).filter((u) => !u.startsWith(srv.base) && !u.startsWith("data:")),
      };
      results.push(row);
      console.log(`${page.padEnd(28)} ${preset.padEnd(8)} perf ${row.performance} FCP ${row.fcp_ms} ms ${Math.round(row.total_bytes / 1024)} KiB a11y ${row.accessibility} bp ${row.best_practices} seo ${row.seo}  LCP ${row.lcp_ms} ms  TBT ${row.tbt_ms} ms  CLS ${row.cls}${row.failing.length ? "  below 90: " + row.failing.join(", ") : ""}`);
    }
  }
} finally {
  await chrome.kill();
  srv.server.close();
}
if (process.env.OUT) fs.writeFileSync(process.env.OUT, JSON.stringify(results, null, 2));
