// The nodejs build's own fetch against hostile servers on 127.0.0.1 (issue 11):
// no redirect is ever followed, one deadline covers headers and body, and a
// body is capped at 1 MiB while it streams. Prints the measured worst cases.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { startHostile } from "./hostile.mjs";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");
const pkg = process.env.MIA_WASM_PKG ?? path.join(root, "target/wasm/pkg");
const lib = await import(path.join(pkg, "node/index.js"));
const SECRET = "hostile-secret-never-sent-on";
const DEADLINE_MS = 1000;

const client = (url, extra = {}) =>
  new lib.Client({ authUrl: url, customerId: "c", clientId: "demo-client", clientSecret: SECRET, retries: 0, timeoutMs: DEADLINE_MS, ...extra });

/** Runs `fn` and returns its rejection with the time it took and the peak RSS growth. */
async function failure(fn) {
  const rss0 = process.memoryUsage().rss;
  let peak = rss0;
  const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 10);
  const t0 = performance.now();
  try {
    await fn();
  } catch (error) {
    return { error, ms: performance.now() - t0, rssGrowthMiB: (peak - rss0) / 2 ** 20 };
  } finally {
    clearInterval(sampler);
  }
  assert.fail("the call succeeded against a hostile server");
}
const settle = () => new Promise((r) => setTimeout(r, 300));

for (const status of [301, 302, 303, 307, 308]) {
  test(`a ${status} from the token endpoint is refused, naming its host; nothing reaches the other server`, async () => {
    const h = await startHostile("redirect-token", { status });
    try {
      const { error } = await failure(() => client(h.url).token());
      await settle();
      assert.equal(h.far.stats.connections, 0, `reached the far server: ${h.far.stats.requests}`);
      assert.ok(error instanceof lib.UnexpectedResponseError, `${error.name}: ${error.message}`);
      assert.equal(error.status, status);
      assert.match(error.message, new RegExp(`redirect to host \`${new URL(h.far.url).host}\``));
      assert.doesNotMatch(error.message, /connect\/token/);
      assert.equal(h.stats.requests.length, 1, "a redirect is never retried");
    } finally {
      await h.close();
    }
  });
}

test("a DELETE answered with 302 is not counted as deleted and never reaches the other server", async () => {
  const h = await startHostile("redirect-delete", { status: 302 });
  try {
    const { error } = await failure(() => client(h.url).deleteSecret("s-1"));
    await settle();
    assert.equal(h.far.stats.connections, 0, `reached the far server: ${h.far.stats.requests}`);
    assert.ok(error instanceof lib.UnexpectedResponseError, `${error.name}: ${error.message}`);
    assert.equal(error.status, 302);
  } finally {
    await h.close();
  }
});

for (const mode of ["drip", "hang"]) {
  test(`${mode}: one whole-request deadline ends the call as a timeout within 1.5x timeoutMs, and the connection is closed`, async () => {
    const h = await startHostile(mode);
    try {
      let worst = 0;
      for (let i = 0; i < 3; i++) {
        const { error, ms } = await failure(() => client(h.url).token());
        worst = Math.max(worst, ms);
        assert.ok(error instanceof lib.TransportError, `${error.name}: ${error.message}`);
        assert.equal(error.transportKind, "timeout");
      }
      await settle();
      console.log(`hostile ${mode}: worst ${worst.toFixed(0)} ms for a ${DEADLINE_MS} ms deadline (3 runs)`);
      assert.ok(worst < DEADLINE_MS * 1.5, `took ${worst} ms`);
      assert.equal(h.stats.open, 0, "an abandoned request is still open");
      if (mode === "drip") {
        const before = h.sent.bytes;
        await settle();
        assert.equal(h.sent.bytes, before, "the server still drips into an abandoned request");
      }
    } finally {
      await h.close();
    }
  });
}

for (const mode of ["endless", "gzip-bomb"]) {
  test(`${mode}: the body is capped at 1 MiB while streaming, a typed error, bounded memory`, async () => {
    const h = await startHostile(mode);
    try {
      const { error, ms, rssGrowthMiB } = await failure(() => client(h.url, { timeoutMs: 20000 }).token());
      await settle();
      console.log(`hostile ${mode}: ${error.name} after ${ms.toFixed(0)} ms, server wrote ${(h.sent.bytes / 2 ** 20).toFixed(1)} MiB, peak RSS growth ${rssGrowthMiB.toFixed(1)} MiB`);
      assert.ok(error instanceof lib.UnexpectedResponseError, `${error.name}: ${error.message}`);
      assert.match(error.message, /exceeds the 1048576-byte cap/);
      assert.ok(ms < 5000, `took ${ms} ms`);
      assert.ok(rssGrowthMiB < 64, `RSS grew ${rssGrowthMiB} MiB`);
      assert.equal(h.stats.open, 0, "the capped response is still being read");
    } finally {
      await h.close();
    }
  });
}
