// The hostile-server corpus (tests/hostile/cases.json) through the nodejs
// build and its own fetch, against the emulator's hostile mode
// (tests/hostile-corpus.mjs runs it; e2e.mjs runs the same in Chromium).
// Prints `hostile: N passed, F failed (node)` and the slowest case.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { startEmulator } from "./emulator.mjs";
import { runHostileCorpus } from "./hostile-corpus.mjs";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");
const pkg = process.env.MIA_WASM_PKG ?? path.join(root, "target/wasm/pkg");
const lib = await import(path.join(pkg, "node/index.js"));
const corpus = JSON.parse(fs.readFileSync(path.join(root, "tests/hostile/cases.json"), "utf8"));
let emu;

before(async () => {
  emu = await startEmulator();
});
after(async () => {
  await emu?.stop();
});

test("every hostile case ends in its typed error, in time, sending nothing on (node)", async () => {
  const out = await runHostileCorpus(lib, { url: emu.url, admin: emu.admin, secret: emu.demoSecret, corpus });
  for (const r of out.results) if (r.failures.length) console.log(`FAIL ${r.name} (${r.ms.toFixed(0)} ms)\n  ${r.failures.join("\n  ")}`);
  console.log(`hostile: slowest ${out.slowest.ms} ms (${out.slowest.name}, deadline ${corpus.settings.timeout_ms} ms) (node)`);
  console.log(`hostile: ${out.passed} passed, ${out.failed} failed (node)`);
  // Each case's outcome and time, for the case x binding table.
  const logs = path.join(process.env.MIA_TARGET ?? path.join(root, "target"), "wasm/logs");
  fs.mkdirSync(logs, { recursive: true });
  fs.writeFileSync(path.join(logs, "hostile-node.json"), JSON.stringify(out.results, null, 1));
  assert.equal(out.results.length, corpus.cases.length);
  assert.equal(out.failed, 0, out.results.filter((r) => r.failures.length).map((r) => `${r.name}: ${r.failures.join("; ")}`).join("\n"));
});
