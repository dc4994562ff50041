// Answer first: on every widget page the first figure starts on the first
// screen of a 1280×800 window and within one and a half screens of a
// 390×844 phone, the service page's verdict likewise, and nothing in a
// figure runs past the phone's right edge (a table's rows stand as lists,
// each cell labelled with its column).
// Positions are read once every widget is ready, so they are the page a
// reader sees, not its loading placeholders.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { serve, launch, widgetPages } from "./harness.mjs";

// The figure a page answers with: a chart, the cards, the verdict, a dashboard panel or a figure's table.
const FIGURE = "[data-widget] :is(canvas.widget-canvas, .widget-cards, [data-verdict], .dash-panel, table)";
const SCREENS = [
  { name: "desktop", width: 1280, height: 800, screens: 1 },
  { name: "phone", width: 390, height: 844, screens: 1.5 },
];

let browser, srv;
before(async () => { srv = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); srv?.server.close(); });

for (const s of SCREENS) {
  test(`${s.name} (${s.width}×${s.height}): each widget page's first figure starts within ${s.screens} screen${s.screens > 1 ? "s" : ""}`, async () => {
    const context = await browser.newContext({ viewport: { width: s.width, height: s.height } });
    const page = await context.newPage();
    page.setDefaultTimeout(0);
    const late = [];
    let answered = 0;
    const pages = widgetPages();
    assert.ok(pages.length >= 15, `widget pages found: ${pages.length}`);
    for (const p of pages) {
      await page.goto(srv.base + p);
      await page.waitForFunction(() => [...document.querySelectorAll("[data-widget]")].every((e) => e.dataset.state === "ready"));
      const at = await page.evaluate(([sel]) => {
        const top = (el) => (el ? Math.round(el.getBoundingClientRect().top + scrollY) : null);
        return {
          figure: top(document.querySelector(sel)),
          verdict: top(document.querySelector("[data-verdict]")),
          // The sentence a figure opens with, where its widget has one: said, and above its figure.
          answers: [...document.querySelectorAll("[data-answer]")].filter((el) => el.getClientRects().length > 0).map((el) => ({
            top: top(el),
            text: el.textContent,
            figure: top(el.closest(".widget-body").querySelector("canvas.widget-canvas")),
          })),
          scrollWidth: document.scrollingElement.scrollWidth,
          // A table standing as a list must label each of its cells with its column.
          unlabelled: [...document.querySelectorAll("[data-widget] table")]
            .filter((t) => t.getClientRects().length > 0 && getComputedStyle(t).display === "block")
            .flatMap((t) => [...t.querySelectorAll("td:not([data-label])")].filter((td) => td.getClientRects().length > 0))
            .slice(0, 3).map((td) => `${td.closest("table").className} "${td.textContent}"`),
          // Anything drawn in a figure past the right edge, scroll boxes included
          // (a header row kept only for screen readers is out of sight by design).
          sideways: [...document.querySelectorAll("[data-widget] *")]
            .filter((el) => !el.closest("thead, details:not([open]), [hidden]"))
            .filter((el) => { const b = el.getBoundingClientRect(); return b.width > 0 && b.height > 0 && b.right > innerWidth + 1; })
            .slice(0, 3)
            .map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].join(".")} to ${Math.round(el.getBoundingClientRect().right)} px`),
        };
      }, [FIGURE]);
      const limit = s.height * s.screens;
      assert.notEqual(at.figure, null, `${p}: no figure found`);
      if (at.figure >= limit) late.push(`${p}: figure at ${at.figure} px`);
      if (at.verdict !== null && at.verdict >= limit) late.push(`${p}: verdict at ${at.verdict} px`);
      const first = at.answers[0];
      if (first && first.top >= limit) late.push(`${p}: answer at ${first.top} px`);
      for (const a of at.answers) {
        if (!/ is ahead|keeps up|keep up|brings the executor|no pool/.test(a.text)) late.push(`${p}: an answer that says nothing: "${a.text}"`);
        if (a.figure !== null && a.top >= a.figure) late.push(`${p}: an answer below its figure`);
      }
      answered += at.answers.length > 0;
      if (at.scrollWidth > s.width) late.push(`${p}: the page is ${at.scrollWidth} px wide`);
      if (s.name === "phone" && at.sideways.length) late.push(`${p}: past the right edge: ${at.sideways.join(", ")}`);
      if (at.unlabelled.length) late.push(`${p}: cells with no column label: ${at.unlabelled.join(", ")}`);
    }
    assert.deepEqual(late, [], `over ${s.height * s.screens} px down, or sideways`);
    // The figures that compare the patterns at the reader's scenario: throughput, latency (twice), memory (twice), pools, batches, the map (twice), open load.
    assert.ok(answered >= 10, `pages that open with an answer: ${answered}`);
    await context.close();
  });
}

test("the service page has a verdict to place, and on a phone it stays in view while the form is edited", async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  page.setDefaultTimeout(0);
  await page.goto(srv.base + "service.html");
  await page.waitForFunction(() => document.querySelector("[data-widget]")?.dataset.complete === "true" || document.querySelector(".widget-body.service")?.dataset.complete === "true");
  assert.match(await page.locator("[data-verdict]").textContent(), /\S/);
  const first = await page.locator("[data-verdict] p").first().textContent();
  // Where each sits on the screen: the verdict, its copy, and the form's field in focus.
  const seen = () => page.evaluate(() => {
    const box = (el) => { const b = el.getBoundingClientRect(); return { top: Math.round(b.top), bottom: Math.round(b.bottom) }; };
    return { verdict: box(document.querySelector("[data-verdict]")), copy: box(document.querySelector("[data-testid=service-sticky]")), height: innerHeight };
  });
  const inView = (b, h) => b.top >= 0 && b.bottom <= h;
  // At the top the verdict is in view and its copy is not: no sentence twice on one screen.
  let at = await seen();
  assert.ok(inView(at.verdict, at.height) && !inView(at.copy, at.height), JSON.stringify(at));
  // Editing a field halfway down the form: the verdict has scrolled away, its copy sits at the bottom.
  const fields = page.locator(".service-form input[type=number]");
  const field = fields.nth(Math.floor((await fields.count()) / 2));
  await field.focus();
  await field.evaluate((el) => el.scrollIntoView({ block: "center" }));
  at = await seen();
  assert.ok(at.verdict.bottom < 0, `the verdict scrolled away: ${JSON.stringify(at)}`);
  assert.ok(inView(at.copy, at.height) && at.copy.bottom === at.height, `its copy at the bottom: ${JSON.stringify(at)}`);
  assert.equal(await page.getByTestId("service-sticky").textContent(), first);
  await context.close();
});
