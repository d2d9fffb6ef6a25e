// Browser tests in real headless Chromium (Debian's, via playwright-core):
//  1. every conformance vector through the --target web build (vectors.html),
//     and every flow vector (tests/flows) through the client's own drive loop;
//  2. the example admin page end to end against the emulator, served from a
//     different loopback origin so CORS is really exercised;
//  3. the package's fetch against hostile servers (tests/hostile.mjs);
//  4. the hostile corpus (tests/hostile/cases.json, tests/hostile-corpus.mjs)
//     against its own emulator, with the web build's fetch.
// Screenshots go to target/wasm/screenshots/. Exits non-zero on any failure.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { startEmulator } from "./emulator.mjs";
import { serve } from "./serve.mjs";
import { startHostile } from "./hostile.mjs";
import { runHostileCorpus } from "./hostile-corpus.mjs";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");
const tools = process.env.MIA_TOOLS ?? path.join(os.homedir(), ".cache/mapsindoors-auth-tools");
const { chromium } = createRequire(path.join(tools, "node/node_modules/"))("playwright-core");
const shots = path.join(root, "target/wasm/screenshots");
fs.mkdirSync(shots, { recursive: true });

const emu = await startEmulator();
const server = await serve(0);
const site = `http://127.0.0.1:${server.address().port}`;
const profile = fs.mkdtempSync(path.join(os.tmpdir(), "mia-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const logs = [];
let failed = 0;
const step = async (name, fn) => {
  const t0 = Date.now();
  try {
    await fn();
    console.log(`ok   ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    failed += 1;
    console.log(`FAIL ${name}\n  ${String(e && e.stack || e).split("\n").join("\n  ")}`);
  }
};

try {
  const page = context.pages()[0] ?? (await context.newPage());
  page.on("console", (m) => logs.push(m.text()));
  page.on("pageerror", (e) => logs.push(String(e)));

  await step("conformance vectors in Chromium", async () => {
    await page.goto(`${site}/tests/vectors.html`);
    await page.waitForFunction(() => window.__results !== undefined, null, { timeout: 60000 });
    const results = await page.evaluate(() => window.__results);
    assert.ok(!results.crashed, results.crashed);
    const bad = results.filter((r) => r.failures.length);
    console.log(`     ${results.length - bad.length}/${results.length} vectors passed`);
    assert.deepEqual(bad, []);
  });

  await step("flow vectors in Chromium", async () => {
    const dir = process.env.MIA_FLOWS_DIR ?? path.join(root, "tests/flows");
    const vectors = {};
    for (const f of fs.readdirSync(dir).filter((f) => f.endsWith(".json")).sort()) {
      vectors[f] = JSON.parse(fs.readFileSync(path.join(dir, f), "utf8"));
    }
    const results = await page.evaluate(async (vectors) => {
      const lib = await import("/pkg/web/index.js");
      await lib.default();
      const { replayFlows } = await import("/tests/flows.mjs");
      return replayFlows(lib, vectors);
    }, vectors);
    const bad = results.filter((r) => r.failures.length);
    assert.deepEqual(bad, []);
    assert.ok(results.length >= 10, `too few flow vectors in ${dir}: ${results.length}`);
    console.log(`flow vectors: ${results.length} passed (chromium)`);
  });

  const admin = `${site}/example/?authUrl=${encodeURIComponent(emu.url)}`;
  const signIn = async (method, fields) => {
    await page.getByLabel(method === "client" ? "Client ID and secret" : "Username and password").check();
    for (const [label, value] of Object.entries(fields)) await page.getByLabel(label, { exact: true }).fill(value);
    await page.getByRole("button", { name: "Sign in" }).click();
  };
  const errorText = async () => {
    await page.locator("#error").waitFor({ state: "visible", timeout: 20000 });
    return page.locator("#error").innerText();
  };
  let createdSecret = "";
  let createdId = "";

  await step("admin page: sign in with username and password", async () => {
    await page.goto(admin);
    await signIn("password", { Username: "admin@example.com", Password: "demo-password" });
    await page.getByRole("heading", { name: /Secrets of demo-customer/ }).waitFor();
    assert.ok((await page.locator("#secret-rows tr").count()) >= 1);
  });

  await step("admin page: create shows the secret once, with copy and warning", async () => {
    // Signed in as a user, the page names the client: pre-filled from the listed secrets.
    const clientField = page.getByLabel("Client of a new secret");
    assert.equal(await clientField.inputValue(), "demo-client");
    assert.match(await page.locator("#secret-rows tr").first().innerText(), /demo-client/);
    // A client this login may not add to: the server's 400 is a bad_request, shown readably.
    await clientField.fill("no-such-client");
    await page.getByRole("button", { name: "Create secret" }).click();
    assert.match(await errorText(), /refused the request \(HTTP 400\).*\(bad_request\)$/s);
    await clientField.fill("demo-client");
    await emu.admin("DELETE", "log");
    await page.getByLabel("Description of a new secret").fill("e2e key");
    await page.getByRole("button", { name: "Create secret" }).click();
    const panel = page.locator("#new-secret");
    await panel.waitFor({ state: "visible" });
    assert.match(await panel.innerText(), /cannot be shown again/);
    createdSecret = await page.locator("#new-secret-value").inputValue();
    assert.match(createdSecret, /^[A-Za-z0-9]{96}$/);
    createdId = (await page.locator("#new-secret-id").innerText()).replace(/^\(id |\)$/g, "");
    const create = (await emu.admin("GET", "log")).find((e) => e.route === "create");
    // The log redacts the value; the secret's owner below shows which client it named.
    assert.match(create?.query ?? "", /(^|&)clientId=/, "the create named its client");
    const held = (await emu.admin("GET", "secrets?customerId=demo-customer")).find((x) => x.id === createdId);
    assert.equal(held?.client_id, "demo-client");
    await page.getByRole("button", { name: "Copy" }).click();
    await page.locator("#status").filter({ hasText: /Copied|Ctrl\+C/ }).waitFor();
    await page.screenshot({ path: path.join(shots, "admin-created.png"), fullPage: true });
    await page.getByRole("button", { name: /I have saved it/ }).click();
    await panel.waitFor({ state: "hidden" });
    assert.equal((await page.content()).includes(createdSecret), false, "secret gone from the DOM");
    // The secret really works.
    const r = await fetch(`${emu.url}/connect/token`, { method: "POST", body: new URLSearchParams({ grant_type: "client_credentials", client_id: "demo-client", client_secret: createdSecret }) });
    assert.equal(r.status, 200);
  });

  await step("admin page: the list shows the new secret", async () => {
    const row = page.locator(`#secret-rows tr[data-id="${createdId}"]`);
    await row.waitFor();
    const text = await row.innerText();
    assert.match(text, /e2e key/);
    assert.match(text, /demo-client/);
    assert.match(text, new RegExp(createdId));
  });

  await step("admin page: delete asks for confirmation, cancel keeps it, confirm deletes", async () => {
    await page.getByRole("button", { name: "Delete secret e2e key" }).click();
    await page.getByRole("dialog").waitFor();
    await page.getByRole("button", { name: "Cancel" }).click();
    assert.equal(await page.locator(`#secret-rows tr[data-id="${createdId}"]`).count(), 1);
    await page.getByRole("button", { name: "Delete secret e2e key" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Delete secret" }).click();
    await page.locator(`#secret-rows tr[data-id="${createdId}"]`).waitFor({ state: "detached" });
    await page.locator("#status").filter({ hasText: `Deleted secret ${createdId}` }).waitFor();
  });

  await step("admin page: a wrong secret gives a readable error", async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await signIn("client", { "Client ID": "demo-client", "Client secret": "CANARY-wrong-secret-e2e" });
    const text = await errorText();
    assert.match(text, /client ID or secret was rejected/);
    assert.match(text, /invalid_client/);
    assert.equal(text.includes("CANARY"), false);
    await page.screenshot({ path: path.join(shots, "admin-wrong-secret.png"), fullPage: true });
  });

  await step("admin page: rotate the signed-in client's secret", async () => {
    const before = await emu.admin("GET", "secrets?customerId=demo-customer");
    await signIn("client", { "Client ID": "demo-client", "Client secret": emu.demoSecret });
    await page.getByRole("heading", { name: /Secrets of demo-customer/ }).waitFor();
    assert.equal(await page.locator("#new-client-field").isVisible(), false, "a client creates for itself");
    await page.getByLabel(/used only here/).check();
    await page.getByRole("button", { name: "Rotate my secret" }).click();
    await page.locator("#status").filter({ hasText: /^Rotated: new secret/ }).waitFor({ timeout: 30000 });
    const fresh = await page.locator("#new-secret-value").inputValue();
    assert.match(fresh, /^[A-Za-z0-9]{96}$/);
    assert.notEqual(fresh, emu.demoSecret);
    const after = await emu.admin("GET", "secrets?customerId=demo-customer");
    assert.equal(after.length, before.length, "one created, one deleted");
    const login = (s) => fetch(`${emu.url}/connect/token`, { method: "POST", body: new URLSearchParams({ grant_type: "client_credentials", client_id: "demo-client", client_secret: s }) });
    assert.equal((await login(emu.demoSecret)).status, 400, "old secret deleted");
    assert.equal((await login(fresh)).status, 200, "new secret works");
    await page.screenshot({ path: path.join(shots, "admin-rotated.png"), fullPage: true });
    // The page keeps working with the rotated secret.
    await page.getByRole("button", { name: "Refresh" }).click();
    await page.locator("#status").filter({ hasText: /secret\(s\)/ }).waitFor();
    emu.demoSecret = fresh;
  });

  await step("Web Locks: two concurrent rotate() calls in one page run one after the other", async () => {
    const out = await page.evaluate(async ({ authUrl, secret }) => {
      const lib = await import("/pkg/web/index.js");
      await lib.default();
      const store = {
        text: null, generation: 0, conflicts: 0,
        async load() { return store.text; },
        async save(record, expected) {
          await new Promise((r) => setTimeout(r, 5));
          if (store.generation !== expected) { store.conflicts += 1; throw new lib.StoreConflictError(); }
          store.text = record.toStorageString();
          store.generation = record.generation;
        },
      };
      const client = new lib.Client({ authUrl, customerId: "demo-customer", clientId: "demo-client", clientSecret: secret });
      await client.seed({ store, claim: true });
      const runs = await Promise.allSettled([client.rotate({ store }), client.rotate({ store })]);
      const record = lib.StoreRecord.fromStorageString(store.text);
      return {
        locks: typeof navigator.locks?.request === "function",
        outcomes: runs.map((r) => r.status === "fulfilled" ? "ok" : `${r.reason.name}: ${r.reason.message}`),
        conflicts: store.conflicts,
        // EXPOSE: handed back to the test, which logs in with it (never printed).
        current: record.exposeCurrentSecret(),
      };
    }, { authUrl: emu.url, secret: emu.demoSecret });
    assert.equal(out.locks, true);
    assert.deepEqual(out.outcomes, ["ok", "ok"]);
    assert.equal(out.conflicts, 0, "the lock serialised the runs");
    const login = (s) => fetch(`${emu.url}/connect/token`, { method: "POST", body: new URLSearchParams({ grant_type: "client_credentials", client_id: "demo-client", client_secret: s }) });
    assert.equal((await login(out.current)).status, 200);
    emu.demoSecret = out.current;
  });

  await step("README stores (memory, IndexedDB, localStorage) compare and swap; a rotation runs on IndexedDB", async () => {
    // The store examples are taken from the README itself, so the README stays honest.
    const readme = fs.readFileSync(path.join(root, "bindings-wasm/README.md"), "utf8");
    const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
    const pick = (marker) => {
      const block = blocks.find((b) => b.includes(marker));
      assert.ok(block, `README has ${marker}`);
      return block.replace(/^import .*$/m, "");
    };
    const source = [pick("function memoryStore"), pick("function indexedDbStore"), pick("const localStore")].join("\n");
    const out = await page.evaluate(async ({ authUrl, secret, source }) => {
      const lib = await import("/pkg/web/index.js");
      await lib.default();
      const make = new Function("StoreRecord", "StoreConflictError", `${source}\nreturn { memoryStore, indexedDbStore, localStore };`);
      const stores = make(lib.StoreRecord, lib.StoreConflictError);
      localStorage.clear();
      const results = {};
      for (const [name, store] of [["memory", stores.memoryStore()], ["indexedDB", stores.indexedDbStore("mia-e2e-contract")], ["localStorage", stores.localStore("mia-e2e")]]) {
        const conflict = (p) => p.then(() => "saved", (e) => (e instanceof lib.StoreConflictError ? "conflict" : `error: ${e}`));
        const first = lib.StoreRecord.create({ authUrl, customerId: "demo-customer", clientId: "demo-client", clientSecret: "x".repeat(96), secretId: "s-1" });
        const second = first.claim("s-1");
        results[name] = [
          (await store.load()) === null ? "empty" : "not empty",
          await conflict(store.save(second, 1)),
          await conflict(store.save(first, 0)),
          await conflict(store.save(first, 0)),
          await conflict(store.save(second, 1)),
          await conflict(store.save(second, 1)),
          lib.StoreRecord.fromStorageString(await store.load()).generation,
        ];
      }
      localStorage.clear();
      const store = stores.indexedDbStore("mia-e2e-rotation");
      const client = new lib.Client({ authUrl, customerId: "demo-customer", clientId: "demo-client", clientSecret: secret });
      await client.seed({ store, claim: true });
      const report = await client.rotate({ store });
      const record = lib.StoreRecord.fromStorageString(await store.load());
      // EXPOSE: handed back to the test, which logs in with it (never printed).
      return { results, deleted: report.deleted.length, generation: record.generation, current: record.exposeCurrentSecret() };
    }, { authUrl: emu.url, secret: emu.demoSecret, source });
    const expected = ["empty", "conflict", "saved", "conflict", "saved", "conflict", 2];
    assert.deepEqual(out.results, { memory: expected, indexedDB: expected, localStorage: expected });
    assert.equal(out.deleted, 1, "the claimed seed secret is deleted");
    assert.ok(out.generation > 1);
    const login = (s) => fetch(`${emu.url}/connect/token`, { method: "POST", body: new URLSearchParams({ grant_type: "client_credentials", client_id: "demo-client", client_secret: s }) });
    assert.equal((await login(out.current)).status, 200);
    emu.demoSecret = out.current;
  });

  await step("admin page: the emulator being down gives a readable error", async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByLabel("Auth server URL").fill("http://127.0.0.1:9");
    await signIn("password", { Username: "admin@example.com", Password: "demo-password" });
    const text = await errorText();
    assert.match(text, /Cannot reach the auth server at http:\/\/127\.0\.0\.1:9/);
    await page.screenshot({ path: path.join(shots, "admin-server-down.png"), fullPage: true });
  });

  await step("hostile servers in Chromium: no redirect followed, one deadline, body capped", async () => {
    const attempt = (url, call, timeoutMs = 1000, retries = 0) => page.evaluate(async ({ url, call, timeoutMs, retries }) => {
      const lib = await import("/pkg/web/index.js");
      await lib.default();
      const client = new lib.Client({ authUrl: url, customerId: "c", clientId: "demo-client", clientSecret: "hostile-secret-never-sent-on", retries, timeoutMs });
      const t0 = performance.now();
      try {
        await (call === "delete" ? client.deleteSecret("s-1") : client.token());
        return { ok: true };
      } catch (e) {
        return { ok: false, ms: performance.now() - t0, name: e.name, kind: e.transportKind, status: e.status, message: e.message };
      }
    }, { url, call, timeoutMs, retries });
    const settle = () => new Promise((r) => setTimeout(r, 300));
    for (const [mode, status, call] of [["redirect-token", 307, "token"], ["redirect-token", 302, "token"], ["redirect-delete", 302, "delete"]]) {
      const h = await startHostile(mode, { status });
      try {
        // Retries allowed: a redirect (which the browser hides) must still never be tried again.
        const out = await attempt(h.url, call, 1000, 3);
        await settle();
        assert.equal(h.far.stats.connections, 0, `${mode} ${status} reached the far server: ${h.far.stats.requests}`);
        assert.equal(out.ok, false, `${mode} ${status} counted as success`);
        assert.equal(out.name, "UnexpectedResponseError", out.message);
        assert.equal(out.status, 300, "a redirect whose code the browser hides");
        assert.match(out.message, /redirect to an unreadable host refused/);
        const redirected = h.stats.requests.filter((r) => r.startsWith(call === "delete" ? "DELETE " : "POST "));
        assert.equal(redirected.length, 1, `a redirect is never retried: ${h.stats.requests}`);
      } finally {
        await h.close();
      }
    }
    for (const mode of ["drip", "hang"]) {
      const h = await startHostile(mode);
      try {
        const out = await attempt(h.url, "token");
        await settle();
        console.log(`     hostile ${mode} (chromium): ${out.name} after ${out.ms?.toFixed(0)} ms for a 1000 ms deadline`);
        assert.equal(out.kind, "timeout", out.message);
        assert.ok(out.ms < 1500, `took ${out.ms} ms`);
        assert.equal(h.stats.open, 0, "an abandoned request is still open");
      } finally {
        await h.close();
      }
    }
    const h = await startHostile("endless");
    try {
      const out = await attempt(h.url, "token", 20000);
      await settle();
      console.log(`     hostile endless (chromium): ${out.name} after ${out.ms?.toFixed(0)} ms, server wrote ${(h.sent.bytes / 2 ** 20).toFixed(1)} MiB`);
      assert.equal(out.name, "UnexpectedResponseError", out.message);
      assert.match(out.message, /exceeds the 1048576-byte cap/);
      assert.equal(h.stats.open, 0, "the capped response is still being read");
    } finally {
      await h.close();
    }
  });

  await step("hostile corpus in Chromium (tests/hostile/cases.json, the web build's fetch)", async () => {
    const corpusEmu = await startEmulator();
    try {
      const corpus = JSON.parse(fs.readFileSync(path.join(root, "tests/hostile/cases.json"), "utf8"));
      const readme = fs.readFileSync(path.join(root, "bindings-wasm/README.md"), "utf8");
      const localStoreSource = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]).find((b) => b.includes("const localStore"));
      assert.ok(localStoreSource, "README has the localStorage store");
      const out = await page.evaluate(async ({ url, secret, corpus, localStoreSource }) => {
        const lib = await import("/pkg/web/index.js");
        await lib.default();
        const { runHostileCorpus: run } = await import("/tests/hostile-corpus.mjs");
        const make = new Function("StoreRecord", "StoreConflictError", `${localStoreSource}\nreturn localStore;`);
        const localStore = make(lib.StoreRecord, lib.StoreConflictError);
        const admin = async (method, route, body) => {
          const r = await fetch(`${url}/_emulator/${route}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
          const text = await r.text();
          return text ? JSON.parse(text) : null;
        };
        localStorage.clear();
        const result = await run(lib, {
          url, admin, secret, corpus, opaqueRedirects: true,
          makeStore: (name) => localStore(`mia-hostile ${name}`),
        });
        localStorage.clear();
        return result;
      }, { url: corpusEmu.url, secret: corpusEmu.demoSecret, corpus, localStoreSource });
      for (const r of out.results) if (r.failures.length) console.log(`     FAIL ${r.name} (${r.ms.toFixed(0)} ms)\n       ${r.failures.join("\n       ")}`);
      console.log(`hostile: slowest ${out.slowest.ms} ms (${out.slowest.name}, deadline ${corpus.settings.timeout_ms} ms) (chromium)`);
      console.log(`hostile: ${out.passed} passed, ${out.failed} failed (chromium)`);
      // Each case's outcome and time, for the case x binding table.
      const logs = path.join(process.env.MIA_TARGET ?? path.join(root, "target"), "wasm/logs");
      fs.mkdirSync(logs, { recursive: true });
      fs.writeFileSync(path.join(logs, "hostile-chromium.json"), JSON.stringify(out.results, null, 1));
      assert.equal(out.results.length, corpus.cases.length);
      assert.equal(out.failed, 0);
    } finally {
      await corpusEmu.stop();
    }
  });

  await step("no secret reached the console", async () => {
    for (const s of [createdSecret, emu.demoSecret, "CANARY"]) assert.equal(logs.some((l) => s && l.includes(s)), false);
  });
} finally {
  await context.close();
  server.close();
  await emu.stop();
  fs.rmSync(profile, { recursive: true, force: true });
}
console.log(failed ? `${failed} browser step(s) failed` : "all browser steps passed");
process.exit(failed ? 1 : 0);
