// The nodejs build under Node 20 against a real emulator over loopback
// (node:test), plus the conformance vectors through the same build.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import util from "node:util";
import { startEmulator } from "./emulator.mjs";
import { runVectors } from "./vectors.mjs";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");
const pkg = process.env.MIA_WASM_PKG ?? path.join(root, "target/wasm/pkg");
const lib = await import(path.join(pkg, "node/index.js"));
const CANARY = "CANARY-wasm-7f3a9c1e-never-print";
let emu;

before(async () => {
  emu = await startEmulator();
});
after(async () => {
  await emu?.stop();
});

const client = (extra = {}) =>
  new lib.Client({ authUrl: emu.url, customerId: "demo-customer", clientId: "demo-client", clientSecret: emu.demoSecret, ...extra });
const admin = () =>
  new lib.Client({ authUrl: emu.url, customerId: "demo-customer", username: "admin@example.com", password: "demo-password" });
const tokenRequests = async () => (await emu.admin("GET", "log")).filter((e) => e.route === "token").length;

/** A store that keeps the storage string in memory, as a real store would keep it on disk. */
function memoryStore(initial = null) {
  const store = {
    text: initial,
    saves: 0,
    async load() { return store.text; },
    async save(record) { store.text = record.toStorageString(); store.saves += 1; },
  };
  return store;
}

test("conformance vectors through the nodejs build", async () => {
  const files = {};
  for (const f of ["requests", "responses"]) files[f] = JSON.parse(fs.readFileSync(path.join(root, "tests/vectors", `${f}.json`), "utf8"));
  const results = await runVectors(lib, files);
  const failed = results.filter((r) => r.failures.length);
  assert.ok(results.length > 0);
  assert.deepEqual(failed, [], failed.map((r) => `${r.name}: ${r.failures.join("; ")}`).join("\n"));
});

test("token, list, create, delete against the emulator", async () => {
  const c = client();
  const t = await c.token();
  assert.equal(t.tokenType, "Bearer");
  assert.ok(t.exposeAccessToken().length > 10);
  const created = await c.createSecret({ description: "node test" });
  assert.equal(created.description, "node test");
  assert.equal(created.exposeSecret().length, 96);
  const listed = await c.listSecrets();
  const mine = listed.find((s) => s.id === created.id);
  assert.ok(mine, "the new secret is listed");
  assert.equal(mine.description, "node test");
  assert.ok(Math.abs(mine.createdAtMs - Date.now()) < 60_000);
  assert.equal(JSON.stringify(listed).includes(created.exposeSecret()), false);
  // The new secret logs in by itself.
  const other = client({ clientSecret: created.exposeSecret() });
  await other.token();
  await c.deleteSecret(created.id);
  assert.equal((await c.listSecrets()).some((s) => s.id === created.id), false);
  await assert.rejects(c.deleteSecret(created.id), (e) => e instanceof lib.NotFoundError && e.status === 404);
});

test("password login manages secrets too", async () => {
  const c = admin();
  const s = await c.createSecret({ description: "by admin" });
  assert.ok((await c.listSecrets()).some((x) => x.id === s.id));
  await c.deleteSecret(s.id);
});

test("concurrent token() calls share one login (single flight)", async () => {
  await emu.admin("DELETE", "log");
  const c = client();
  await emu.admin("POST", "faults", { route: "token", action: { delay_ms: 300 } });
  const tokens = await Promise.all([c.token(), c.token(), c.token(), c.listSecrets()]);
  assert.equal(await tokenRequests(), 1);
  assert.equal(tokens[0].exposeAccessToken(), tokens[2].exposeAccessToken());
  await c.token();
  assert.equal(await tokenRequests(), 1, "cached token reused");
});

test("transient 503 is retried; retries: 0 reports it at once with status and retryAfter", async () => {
  await emu.admin("POST", "faults", { route: "list", action: { status: { code: 503, retry_after: "1" } } });
  assert.ok(Array.isArray(await client().listSecrets()));
  await emu.admin("POST", "faults", { route: "list", action: { status: { code: 503, retry_after: "7" } } });
  await assert.rejects(client({ retries: 0 }).listSecrets(), (e) => {
    assert.ok(e instanceof lib.ServerError && e instanceof lib.MapsIndoorsAuthError && e instanceof Error);
    assert.equal(e.name, "ServerError");
    assert.equal(e.code, "server_error");
    assert.equal(e.status, 503);
    return true;
  });
  await emu.admin("POST", "faults", { route: "list", action: { status: { code: 429, retry_after: "9" } } });
  await assert.rejects(client({ retries: 0 }).listSecrets(), (e) => e instanceof lib.RateLimitedError && e.retryAfter === 9 && e.status === 429);
});

test("a wrong secret is an InvalidClientError that never shows the secret", async () => {
  const c = client({ clientSecret: CANARY });
  const err = await c.token().catch((e) => e);
  assert.ok(err instanceof lib.InvalidClientError, String(err));
  assert.equal(err.code, "invalid_client");
  assert.equal(err.oauthError, "invalid_client");
  assert.equal(err.status, 400);
  for (const text of [String(err), err.message, err.stack, JSON.stringify(err), util.inspect(err), String(c), JSON.stringify(c), util.inspect(c)]) {
    assert.equal(text.includes(CANARY), false, text);
  }
  await assert.rejects(admin().token().then(() => new lib.Client({ authUrl: emu.url, username: "admin@example.com", password: "wrong" }).token()),
    (e) => e instanceof lib.InvalidGrantError);
});

test("the server being down is a TransportError", async () => {
  const down = new lib.Client({ authUrl: "http://127.0.0.1:9", clientId: "x", clientSecret: "y", retries: 0 });
  await assert.rejects(down.token(), (e) => e instanceof lib.TransportError && e.code === "transport" && e.detail === "connect");
});

test("bad options are InvalidInputError, thrown before any request", async () => {
  assert.throws(() => new lib.Client({ authUrl: "http://example.com", clientId: "a", clientSecret: "b" }), lib.InvalidInputError);
  assert.throws(() => new lib.Client({ authUrl: emu.url }), lib.InvalidInputError);
  assert.throws(() => new lib.Client({ authUrl: emu.url, clientId: "a", clientSecret: 5 }), lib.InvalidInputError);
  await assert.rejects(client({ customerId: undefined }).listSecrets(), (e) => e instanceof lib.InvalidInputError && e.detail === "customer_id");
  await assert.rejects(client().rotate({ store: {} }), lib.InvalidInputError);
});

test("rotate: seeds from the client, replaces the secret, keeps the client working", async () => {
  const before = await admin().listSecrets();
  const c = client();
  await c.listSecrets();
  const store = memoryStore();
  const report = await c.rotate({ store, description: "nightly" });
  assert.equal(report.rotated, true);
  assert.ok(report.newId);
  assert.ok(store.saves >= 2);
  const record = lib.StoreRecord.fromStorageString(store.text);
  assert.equal(record.currentId, report.newId);
  assert.notEqual(record.exposeCurrentSecret(), emu.demoSecret);
  // The old secret is gone and the new one works; the client switched to it.
  await assert.rejects(client().token(), lib.InvalidClientError);
  await client({ clientSecret: record.exposeCurrentSecret() }).token();
  const after = await c.listSecrets();
  assert.equal(after.length, before.length, "one created, one deleted");
  assert.ok(after.find((s) => s.id === report.newId).description.startsWith("nightly [mia:"));
  // A second rotation from the stored record; loginAndRotate gives the new secret's token.
  const token = await c.loginAndRotate({ store });
  assert.equal(token.tokenType, "Bearer");
  const third = lib.StoreRecord.fromStorageString(store.text);
  assert.notEqual(third.exposeCurrentSecret(), record.exposeCurrentSecret());
  emu.demoSecret = third.exposeCurrentSecret();
  // Redaction of the record and the report.
  for (const text of [String(third), JSON.stringify(third), util.inspect(third), JSON.stringify(report)]) {
    assert.equal(text.includes(third.exposeCurrentSecret()), false, text);
  }
});

test("rotate: an interrupted rotation is finished by the next one", async () => {
  const seed = lib.StoreRecord.create({ authUrl: emu.url, customerId: "demo-customer", clientId: "demo-client", clientSecret: emu.demoSecret });
  const store = memoryStore(seed.toStorageString());
  const c = client();
  await emu.admin("POST", "faults", { route: "delete", action: "drop_after", count: 10 });
  const err = await c.rotate({ store }).catch((e) => e);
  await emu.admin("DELETE", "faults");
  assert.ok(err instanceof lib.RotationIncompleteError, String(err));
  assert.ok(err.cause instanceof lib.TransportError);
  const mid = lib.StoreRecord.fromStorageString(store.text);
  assert.equal(mid.hasPendingWork, true);
  const report = await c.rotate({ store });
  assert.equal(report.resumed, true);
  const done = lib.StoreRecord.fromStorageString(store.text);
  emu.demoSecret = done.exposeCurrentSecret();
  await client().token();
});

test("store failures are StoreError; corrupt records are refused without echo", async () => {
  const failing = { async load() { return null; }, async save() { throw new Error("disk full"); } };
  const err = await client().rotate({ store: failing }).catch((e) => e);
  assert.ok(err instanceof lib.StoreError || err instanceof lib.RotationIncompleteError, String(err));
  assert.throws(() => lib.StoreRecord.fromStorageString(`{"format":"x","secret":"${CANARY}"}`), (e) => e instanceof lib.StoreError && !e.message.includes(CANARY));
});
