// The nodejs build under Node 20 against a real emulator over loopback
// (node:test), plus the conformance vectors through the same build.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import util from "node:util";
import os from "node:os";
import { startEmulator } from "./emulator.mjs";
import { runVectors } from "./vectors.mjs";
import { replayFlows } from "./flows.mjs";

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

/**
 * A compare-and-swap store that keeps the storage string in memory, as a real
 * store would keep it on disk. `delay` (ms, or a function) makes load and save
 * take time, so concurrent runs interleave.
 */
function memoryStore(initial = null, { delay = 0 } = {}) {
  const pause = () => new Promise((r) => setTimeout(r, typeof delay === "function" ? delay() : delay));
  const store = {
    text: initial,
    generation: initial === null ? 0 : lib.StoreRecord.fromStorageString(initial).generation,
    saves: 0,
    conflicts: 0,
    async load() { await pause(); return store.text; },
    async save(record, expectedGeneration) {
      await pause();
      // Check and write with no await in between: atomic on the JS thread.
      if (store.generation !== expectedGeneration) {
        store.conflicts += 1;
        throw new lib.StoreConflictError(`holds generation ${store.generation}, not ${expectedGeneration}`);
      }
      store.text = record.toStorageString();
      store.generation = record.generation;
      store.saves += 1;
    },
  };
  return store;
}
const loginWorks = async (secret) => {
  const r = await fetch(`${emu.url}/connect/token`, { method: "POST", body: new URLSearchParams({ grant_type: "client_credentials", client_id: "demo-client", client_secret: secret }) });
  return r.status === 200;
};

test("conformance vectors through the nodejs build", async () => {
  const files = {};
  for (const f of ["requests", "responses"]) files[f] = JSON.parse(fs.readFileSync(path.join(root, "tests/vectors", `${f}.json`), "utf8"));
  const results = await runVectors(lib, files);
  const failed = results.filter((r) => r.failures.length);
  assert.ok(results.length > 0);
  assert.deepEqual(failed, [], failed.map((r) => `${r.name}: ${r.failures.join("; ")}`).join("\n"));
});

test("flow vectors: every transcript through the client's own drive loop", async () => {
  const dir = process.env.MIA_FLOWS_DIR ?? path.join(root, "tests/flows");
  const vectors = {};
  for (const f of fs.readdirSync(dir).filter((f) => f.endsWith(".json")).sort()) {
    vectors[f] = JSON.parse(fs.readFileSync(path.join(dir, f), "utf8"));
  }
  const results = await replayFlows(lib, vectors);
  const failed = results.filter((r) => r.failures.length);
  assert.deepEqual(failed, [], failed.map((r) => `${r.name}: ${r.failures.join("; ")}`).join("\n"));
  assert.ok(results.length >= 10, `too few flow vectors in ${dir}: ${results.length}`);
  console.log(`flow vectors: ${results.length} passed (node)`);
});

test("every core error kind has its own class, code and fields", () => {
  const kinds = lib.errorKinds();
  assert.ok(kinds.includes("unauthorized") && kinds.includes("rotation_incomplete"), String(kinds));
  const classes = new Set();
  for (const code of kinds) {
    const Class = lib.errorClass(code);
    assert.notEqual(Class, lib.MapsIndoorsAuthError, `no class for ${code}`);
    classes.add(Class);
    const e = new Class("m", { code, status: 401, retryAfter: 3, stage: "verify", oauthError: "invalid_token" });
    assert.ok(e instanceof lib.MapsIndoorsAuthError && e instanceof Error);
    assert.deepEqual([e.name, e.message, e.code, e.status, e.retryAfter, e.stage, e.oauthError], [Class.name, "m", code, 401, 3, "verify", "invalid_token"]);
  }
  assert.equal(classes.size, kinds.length, "one class per kind");
  assert.equal(lib.errorClass("a_new_kind"), lib.MapsIndoorsAuthError);
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

test("a user names the client a new secret is for; a client it may not add to is a BadRequestError", async () => {
  const c = admin();
  await emu.admin("DELETE", "log");
  const s = await c.createSecret({ description: "for demo-client", clientId: "demo-client" });
  const held = (await emu.admin("GET", "secrets?customerId=demo-customer")).find((x) => x.id === s.id);
  assert.equal(held?.client_id, "demo-client");
  assert.equal((await c.listSecrets()).find((x) => x.id === s.id)?.clientId, "demo-client");
  const create = (await emu.admin("GET", "log")).find((e) => e.route === "create");
  assert.match(create.query, /(^|&)clientId=/);
  await c.deleteSecret(s.id);
  await assert.rejects(c.createSecret({ clientId: "other-client" }), (e) => e instanceof lib.BadRequestError && e.code === "bad_request" && e.status === 400);
  await assert.rejects(c.createSecret({ clientId: 7 }), (e) => e instanceof lib.InvalidInputError && e.field === "clientId");
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

for (const jsonBody of [false, true]) {
  test(`a revoked token costs exactly one new login (401 ${jsonBody ? "with" : "without"} an invalid_token JSON body)`, async () => {
    await emu.admin("POST", "bearer-errors", { json_body: jsonBody });
    try {
      const c = client();
      await emu.admin("DELETE", "log");
      const revoked = (await c.token()).exposeAccessToken();
      assert.equal(await tokenRequests(), 1, "login 1");
      await emu.admin("POST", "revoke-tokens");
      assert.ok(Array.isArray(await c.listSecrets()), "listSecrets succeeds after the revocation");
      const log = await emu.admin("GET", "log");
      const logins = log.filter((e) => e.method === "POST" && e.path === "/connect/token");
      assert.equal(logins.length, 2, `exactly one new login: ${JSON.stringify(log)}`);
      const lists = log.filter((e) => e.route === "list");
      assert.deepEqual(lists.map((e) => e.status), [401, 200], "the revoked token is refused once, then the new one works");
      assert.ok(logins[1].seq > lists[0].seq && logins[1].seq < lists[1].seq, "the new login sits between the 401 and the retry");
      const fresh = (await c.token()).exposeAccessToken();
      assert.notEqual(fresh, revoked, "token() no longer hands out the revoked token");
      assert.equal(await tokenRequests(), 2, "no further login");
      assert.ok(Array.isArray(await c.listSecrets()));
      assert.equal(await tokenRequests(), 2, "the new token is reused");
    } finally {
      await emu.admin("POST", "bearer-errors", { json_body: false });
    }
  });
}

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
  await assert.rejects(down.token(), (e) => e instanceof lib.TransportError && e.code === "transport" && e.transportKind === "connect");
});

test("bad options are InvalidInputError, thrown before any request", async () => {
  assert.throws(() => new lib.Client({ authUrl: "http://example.com", clientId: "a", clientSecret: "b" }), lib.InvalidInputError);
  assert.throws(() => new lib.Client({ authUrl: emu.url }), lib.InvalidInputError);
  assert.throws(() => new lib.Client({ authUrl: emu.url, clientId: "a", clientSecret: 5 }), lib.InvalidInputError);
  await assert.rejects(client({ customerId: undefined }).listSecrets(), (e) => e instanceof lib.InvalidInputError && e.field === "customer_id");
  await assert.rejects(client().rotate({ store: {} }), lib.InvalidInputError);
});

test("a wrongly typed option is an InvalidInputError naming it, never quoting its value; unknown options are ignored", async () => {
  const base = { authUrl: emu.url, customerId: "demo-customer", clientId: "demo-client", clientSecret: emu.demoSecret };
  const wrong = [
    ["clientSecret", { clientSecret: 5 }],
    ["clientId", { clientId: [CANARY] }],
    ["authUrl", { authUrl: { href: CANARY } }],
    ["retries", { retries: CANARY }],
    ["retries", { retries: 1.5 }],
    ["retries", { retries: -1 }],
    ["timeoutMs", { timeoutMs: 2 ** 53 }],
    ["propagationWaitMs", { propagationWaitMs: 10n }],
    ["propagationWaitMs", { propagationWaitMs: "10" }],
    ["description", { description: 7 }],
    ["transport", { transport: CANARY }],
    ["onProgress", { onProgress: {} }],
    ["store", { store: { load: CANARY, async save() {} } }],
  ];
  for (const [field, extra] of wrong) {
    assert.throws(() => new lib.Client({ ...base, ...extra }), (e) =>
      e instanceof lib.InvalidInputError && e.field === field && !String(e.message).includes(CANARY), `${field}: ${JSON.stringify(String(extra[field]))}`);
  }
  for (const options of ["options", 5, true]) {
    assert.throws(() => new lib.Client(options), (e) => e instanceof lib.InvalidInputError && e.field === "options");
  }
  // null and undefined are absent; a key no call knows is ignored, as before.
  const c = new lib.Client({ ...base, retries: null, timeoutMs: undefined, clientSecretTypo: CANARY });
  assert.ok((await c.token()).exposeAccessToken().length > 10);
  const store = memoryStore();
  await assert.rejects(c.seed({ store, claim: "yes" }), (e) => e instanceof lib.InvalidInputError && e.field === "claim");
  await assert.rejects(c.rotate({ store, lock: 1 }), (e) => e instanceof lib.InvalidInputError && e.field === "lock");
  await assert.rejects(c.rotate({ store, lockName: CANARY.length }), (e) => e instanceof lib.InvalidInputError && e.field === "lockName");
  await assert.rejects(c.claim({ store, id: 3 }), (e) => e instanceof lib.InvalidInputError && e.field === "id");
  await assert.rejects(c.createSecret("description"), (e) => e instanceof lib.InvalidInputError && e.field === "options");
  assert.equal(store.saves, 0, "nothing was saved");
  assert.throws(() => lib.StoreRecord.create({ ...base, secretId: 9 }), (e) => e instanceof lib.InvalidInputError && e.field === "secretId");
  assert.throws(() => lib.StoreRecord.create({ ...base, clientSecret: undefined }), (e) => e instanceof lib.InvalidInputError && e.field === "clientSecret");
});

test("a custom transport's answer: header pairs or an object; what is not strings is skipped; no status is a TransportError", async () => {
  const token = JSON.stringify({ access_token: "tok-custom-transport", token_type: "Bearer", expires_in: 3600 });
  const seen = [];
  const answer = (a) => new lib.Client({ authUrl: emu.url, clientId: "x", clientSecret: "y", retries: 0, transport: async (req) => { seen.push(req); return a; } });
  for (const headers of [[["content-type", "application/json"], ["x-n", 5], ["only-name"]], { "content-type": "application/json", "x-n": 5 }]) {
    assert.equal((await answer({ status: 200, headers, body: token }).token()).exposeAccessToken(), "tok-custom-transport");
  }
  assert.deepEqual(Object.keys(seen[0]).sort(), ["body", "headers", "method", "purpose", "url"]);
  assert.equal(seen[0].purpose, "login");
  assert.ok(seen[0].headers.every((h) => Array.isArray(h) && h.length === 2 && h.every((x) => typeof x === "string")));
  for (const bad of [{}, { status: "200" }, { status: 42 }, null, "ok"]) {
    await assert.rejects(answer(bad).token(), (e) => e instanceof lib.TransportError && e.transportKind === "other", JSON.stringify(bad));
  }
  const thrower = (thrown) => new lib.Client({ authUrl: emu.url, clientId: "x", clientSecret: "y", retries: 0, transport: async () => { throw thrown; } });
  await assert.rejects(thrower(Object.assign(new Error("cut"), { kind: "interrupted" })).token(),
    (e) => e instanceof lib.TransportError && e.transportKind === "interrupted" && e.message.includes("cut"));
  await assert.rejects(thrower("a string").token(), (e) => e instanceof lib.TransportError && e.transportKind === "connect");
});

test("rotate: a claimed seed secret is replaced and the client keeps working", async () => {
  const before = await admin().listSecrets();
  const c = client({ description: "nightly" });
  await c.listSecrets();
  const store = memoryStore();
  const mine = before.filter((s) => s.clientId === "demo-client");
  // The seed names the secret handed in: claimed, so the first rotation deletes it.
  await c.seed({ store, secretId: mine.length === 1 ? undefined : mine[0].id, claim: mine.length === 1 });
  const report = await c.rotate({ store });
  assert.equal(report.rotated, true);
  assert.ok(report.newId);
  assert.deepEqual(report.kept, []);
  assert.ok(store.saves >= 2);
  const record = lib.StoreRecord.fromStorageString(store.text);
  assert.equal(record.currentId, report.newId);
  assert.equal(record.currentOwned, true);
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
  assert.equal(await loginWorks(record.exposeCurrentSecret()), false, "the store's own old secret is deleted");
  emu.demoSecret = third.exposeCurrentSecret();
  // Redaction of the record and the report.
  for (const text of [String(third), JSON.stringify(third), util.inspect(third), JSON.stringify(report)]) {
    assert.equal(text.includes(third.exposeCurrentSecret()), false, text);
  }
});

test("rotate: an interrupted rotation is finished by the next one", async () => {
  const mine = (await admin().listSecrets()).filter((s) => s.clientId === "demo-client");
  assert.equal(mine.length, 1);
  // A record made by hand, naming (claiming) the secret's id.
  const seed = lib.StoreRecord.create({ authUrl: emu.url, customerId: "demo-customer", clientId: "demo-client", clientSecret: emu.demoSecret, secretId: mine[0].id });
  const store = memoryStore(seed.toStorageString());
  const c = client();
  await emu.admin("POST", "faults", { route: "delete", action: "drop_after", count: 10 });
  const err = await c.rotate({ store }).catch((e) => e);
  await emu.admin("DELETE", "faults");
  assert.ok(err instanceof lib.RotationIncompleteError, String(err));
  assert.ok(err.cause instanceof lib.TransportError);
  const mid = lib.StoreRecord.fromStorageString(store.text);
  assert.equal(mid.hasUnfinishedRotation, true);
  assert.ok(mid.unfinishedStage, "names the unfinished stage");
  const report = await c.rotate({ store });
  assert.equal(report.resumed, true);
  const done = lib.StoreRecord.fromStorageString(store.text);
  assert.equal(done.hasUnfinishedRotation, false);
  assert.equal(await loginWorks(emu.demoSecret), false, "the claimed old secret is deleted");
  emu.demoSecret = done.exposeCurrentSecret();
  await client().token();
});

test("store failures are StoreError; corrupt records are refused without echo", async () => {
  const failing = { async load() { return null; }, async save() { throw new Error("disk full"); } };
  const err = await client().rotate({ store: failing }).catch((e) => e);
  assert.ok(err instanceof lib.StoreError, String(err));
  assert.equal(err instanceof lib.StoreConflictError, false);
  assert.equal(err.storeKind, "io");
  assert.throws(() => lib.StoreRecord.fromStorageString(`{"format":"x","secret":"${CANARY}"}`), (e) => e instanceof lib.StoreError && !e.message.includes(CANARY));
});

test("seed: an empty store keeps the handed-in secret unless claimed; claim makes the next rotation delete it", async () => {
  const c = client();
  const store = memoryStore();
  const seeded = await c.seed({ store });
  assert.equal(seeded.generation, 1);
  assert.equal(store.generation, 1);
  assert.equal(seeded.currentOwned, false, "not claimed");
  const handedIn = seeded.currentId;
  assert.ok(handedIn, "the client's only secret is identified");
  // Seeding a store that holds a record changes nothing and gives that record.
  const again = await c.seed({ store, claim: true });
  assert.deepEqual([again.generation, again.currentId, again.currentOwned], [1, handedIn, false]);
  assert.equal(store.generation, 1);
  // The first rotation keeps the handed-in secret and says so.
  const first = await c.rotate({ store });
  assert.equal(first.rotated, true);
  assert.deepEqual(first.deleted, []);
  assert.equal(first.kept.length, 1);
  const [kept] = first.kept;
  assert.equal(kept.id, handedIn);
  assert.ok(kept.reason.length > 0);
  assert.match(kept.advice, new RegExp(handedIn));
  assert.ok(Array.isArray(kept.candidates));
  assert.ok("createdAt" in kept);
  assert.equal(await loginWorks(emu.demoSecret), true, "the handed-in secret still works");
  const record = lib.StoreRecord.fromStorageString(store.text);
  assert.deepEqual(record.kept.map((k) => k.id), [handedIn]);
  // A second rotation deletes the first one's secret (its own) and still keeps the handed-in one.
  const second = await c.rotate({ store });
  assert.deepEqual(second.deleted, [first.newId]);
  assert.deepEqual(second.kept.map((k) => k.id), [handedIn]);
  assert.equal(await loginWorks(emu.demoSecret), true);
  // Claiming it (a compare-and-swap save) makes the next rotation delete it.
  const before = store.generation;
  const claimed = await c.claim({ store, id: handedIn });
  assert.equal(claimed.generation, before + 1);
  assert.equal(store.generation, before + 1);
  await assert.rejects(c.claim({ store, id: "no-such-secret" }), lib.InvalidInputError);
  const third = await c.rotate({ store });
  assert.ok(third.deleted.includes(handedIn), JSON.stringify(third));
  assert.deepEqual(third.kept, []);
  assert.equal(await loginWorks(emu.demoSecret), false, "the claimed secret is deleted");
  emu.demoSecret = lib.StoreRecord.fromStorageString(store.text).exposeCurrentSecret();
  assert.equal(await loginWorks(emu.demoSecret), true);
  await assert.rejects(c.claim({ store: memoryStore(), id: handedIn }), (e) => e instanceof lib.InvalidInputError && e.field === "store");
});

test("a generation mismatch at save rejects with StoreConflictError (run again), and the store still works", async () => {
  const c = client();
  const store = memoryStore();
  await c.seed({ store, claim: true });
  // Another writer bumps the store's generation after this run loaded it.
  const racing = {
    load: () => store.load(),
    async save(record, expected) {
      if (record.generation === store.generation + 1 && !racing.bumped) {
        racing.bumped = true;
        const other = lib.StoreRecord.fromStorageString(store.text).claim(lib.StoreRecord.fromStorageString(store.text).currentId);
        await store.save(other, store.generation);
      }
      return store.save(record, expected);
    },
  };
  const err = await c.rotate({ store: racing }).catch((e) => e);
  assert.ok(err instanceof lib.StoreConflictError, String(err));
  assert.ok(err instanceof lib.StoreError && err instanceof lib.MapsIndoorsAuthError);
  assert.equal(err.code, "store");
  assert.equal(err.storeKind, "conflict");
  assert.equal(err.name, "StoreConflictError");
  assert.match(err.message, /run again/);
  const held = lib.StoreRecord.fromStorageString(store.text);
  assert.equal(await loginWorks(held.exposeCurrentSecret()), true, "the store's secret still works");
  // Run again: it completes.
  const report = await c.rotate({ store });
  assert.equal(report.rotated, true);
  const done = lib.StoreRecord.fromStorageString(store.text);
  assert.equal(await loginWorks(done.exposeCurrentSecret()), true);
  emu.demoSecret = done.exposeCurrentSecret();
});

test("two concurrent rotate() calls on one CAS-only store (no lock) never delete the promoted secret", async () => {
  const c = client();
  const store = memoryStore(null, { delay: () => Math.floor(Math.random() * 15) });
  await c.seed({ store, claim: true, lock: false });
  const outcomes = { fulfilled: 0, conflict: 0, incomplete: 0, staleLogin: 0 };
  for (let round = 0; round < 8; round += 1) {
    // Two clients (two tabs, or an app and a background job) and one client twice.
    const other = client({ clientSecret: lib.StoreRecord.fromStorageString(store.text).exposeCurrentSecret() });
    // Staggered starts: later runs load a record a rotation is in the middle of.
    const later = (ms, run) => new Promise((r) => setTimeout(r, ms)).then(run);
    const stagger = () => Math.floor(Math.random() * 20 * round);
    const runs = await Promise.allSettled([
      c.rotate({ store, lock: false }),
      later(stagger(), () => other.rotate({ store, lock: false })),
      later(stagger(), () => c.rotate({ store, lock: false })),
    ]);
    for (const r of runs) {
      if (r.status === "fulfilled") outcomes.fulfilled += 1;
      else if (r.reason instanceof lib.StoreConflictError) outcomes.conflict += 1;
      else if (r.reason instanceof lib.RotationIncompleteError) outcomes.incomplete += 1;
      // A run that loaded the record before another replaced (and deleted) its secret.
      else if (r.reason instanceof lib.InvalidClientError) outcomes.staleLogin += 1;
      else assert.fail(`unexpected outcome: ${r.reason}`);
    }
    const held = lib.StoreRecord.fromStorageString(store.text);
    assert.equal(await loginWorks(held.exposeCurrentSecret()), true, `round ${round}: the store's current secret still logs in`);
  }
  assert.ok(outcomes.conflict > 0, `the runs did race: ${JSON.stringify(outcomes)}`);
  console.log(`concurrent rotations: ${JSON.stringify(outcomes)}`);
  // A clean run finishes whatever the races left (young orphans of runs that
  // lost a race wait for the sweep's grace period), and the current secret works.
  await c.rotate({ store });
  const done = lib.StoreRecord.fromStorageString(store.text);
  assert.ok([undefined, "sweep"].includes(done.unfinishedStage), String(done.unfinishedStage));
  assert.equal(await loginWorks(done.exposeCurrentSecret()), true);
  emu.demoSecret = done.exposeCurrentSecret();
});

// Rotation when due, status and events, against an emulator of their own whose
// client's secret is a canary created a day ago (its date is in the store once seeded).
const DAY = 86_400_000;
async function canaryEmulator() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mia-wasm-"));
  const seed = path.join(dir, "seed.json");
  const createdAt = new Date(Date.now() - DAY).toISOString();
  fs.writeFileSync(seed, JSON.stringify({
    customers: [{ id: "ops", clients: [{ client_id: "nightly", secrets: [{ id: "s-canary", createdAt, secret: CANARY }] }] }],
    users: [{ username: "ops@example.com", password: "ops-password", customers: ["ops"] }],
  }));
  const e = await startEmulator(["--seed", seed]);
  const make = (extra = {}) => new lib.Client({ authUrl: e.url, customerId: "ops", clientId: "nightly", clientSecret: CANARY, ...extra });
  const ops = () => new lib.Client({ authUrl: e.url, customerId: "ops", username: "ops@example.com", password: "ops-password" });
  const log = () => e.admin("GET", "log");
  return { emu: e, make, ops, log, createdMs: Date.parse(createdAt), stop: () => (e.stop(), fs.rmSync(dir, { recursive: true, force: true })) };
}
/** Every string a secret of the store or the client could leak as. */
const secretsOf = (store, ...more) => [CANARY, ...more, ...(store.text ? [lib.StoreRecord.fromStorageString(store.text).exposeCurrentSecret()] : [])];
const noSecretIn = (texts, secrets) => {
  for (const t of texts) for (const s of secrets) assert.equal(t.includes(s), false, `a secret in ${t}`);
};

test("rotate({ maxAgeDays }): not due sends nothing and creates nothing; due rotates; decision and dueAtMs", async () => {
  const w = await canaryEmulator();
  try {
    const c = w.make();
    const store = memoryStore();
    await c.seed({ store, claim: true });
    const seeded = lib.StoreRecord.fromStorageString(store.text);
    assert.equal(seeded.currentId, "s-canary");
    await w.emu.admin("DELETE", "log");
    const held = await w.emu.admin("GET", "secrets?customerId=ops");

    const notDue = await c.rotate({ store, maxAgeDays: 30 });
    assert.equal(notDue.rotated, false);
    assert.equal(notDue.decision, "not_due");
    assert.equal(notDue.dueAtMs, w.createdMs + 30 * DAY);
    assert.deepEqual([notDue.roundTrips, notDue.persists, notDue.newId, notDue.deleted], [0, 0, null, []]);
    assert.deepEqual(await w.log(), [], "not a single request");
    assert.deepEqual(await w.emu.admin("GET", "secrets?customerId=ops"), held, "nothing created or deleted");
    assert.equal(store.text, seeded.toStorageString(), "nothing saved");
    // The same in ms, and through loginAndRotate (which then only logs in).
    assert.equal((await c.rotate({ store, maxAgeMs: 2 * DAY })).decision, "not_due");
    assert.equal((await c.loginAndRotate({ store, maxAgeDays: 30 })).tokenType, "Bearer");
    assert.equal((await w.log()).filter((r) => r.route !== "token").length, 0, "only a login");

    const due = await c.rotate({ store, maxAgeDays: 0.5 });
    assert.equal(due.rotated, true);
    assert.equal(due.decision, "due");
    assert.equal(due.oldId, "s-canary");
    assert.deepEqual(due.deleted, ["s-canary"], "the claimed old secret is deleted");
    const record = lib.StoreRecord.fromStorageString(store.text);
    assert.equal(record.currentId, due.newId);
    const created = (await w.make({ clientSecret: record.exposeCurrentSecret() }).listSecrets()).find((s) => s.id === due.newId);
    assert.equal(due.dueAtMs, created.createdAtMs + DAY / 2, "the new secret is due half a day after its creation");
    // Just rotated: not due again; a plain rotate says why it rotated.
    assert.equal((await c.rotate({ store, maxAgeDays: 0.5 })).decision, "not_due");
    const always = await c.rotate({ store });
    assert.deepEqual([always.rotated, always.decision, always.dueAtMs], [true, "always", null]);
    noSecretIn([JSON.stringify([notDue, due, always])], secretsOf(store, record.exposeCurrentSecret()));
  } finally {
    await w.stop();
  }
});

test("maxAgeDays with maxAgeMs, or an unusable max age, is an InvalidInputError before anything is sent", async () => {
  const w = await canaryEmulator();
  try {
    const c = w.make();
    const store = memoryStore();
    await c.seed({ store, claim: true });
    await w.emu.admin("DELETE", "log");
    const saves = store.saves;
    const refused = [
      ["options", { maxAgeDays: 30, maxAgeMs: 1000 }],
      ["maxAgeDays", { maxAgeDays: -1 }],
      ["maxAgeDays", { maxAgeDays: "30" }],
      ["maxAgeDays", { maxAgeDays: Infinity }],
      ["maxAgeMs", { maxAgeMs: 1.5 }],
      ["max_age", { maxAgeMs: 0 }],
      ["max_age", { maxAgeDays: 0 }],
      ["max_age", { maxAgeDays: 11 * 366 }],
    ];
    for (const [field, extra] of refused) {
      for (const call of [() => c.rotate({ store, ...extra }), () => c.status({ store, ...extra }), () => c.loginAndRotate({ store, ...extra })]) {
        await assert.rejects(call(), (e) => e instanceof lib.InvalidInputError && e.code === "invalid_input" && e.field === field, `${field}: ${JSON.stringify(extra)}`);
      }
    }
    await assert.rejects(c.status({ store, probe: "yes" }), (e) => e instanceof lib.InvalidInputError && e.field === "probe");
    assert.deepEqual(await w.log(), [], "nothing sent");
    assert.equal(store.saves, saves, "nothing saved");
  } finally {
    await w.stop();
  }
});

test("status(): ok with a probe, warning when due, critical once the secret is deleted out of band; a plain object without secrets", async () => {
  const w = await canaryEmulator();
  try {
    const c = w.make();
    const empty = memoryStore();
    await assert.rejects(c.status({ store: empty }), (e) => e instanceof lib.StoreError && e.storeKind === "missing");
    const store = memoryStore();
    await c.seed({ store, claim: true });
    const fromStore = await lib.Client.fromStore({ store });

    const ok = await fromStore.status({ probe: true });
    assert.equal(Object.getPrototypeOf(ok), Object.prototype, "a plain object");
    assert.deepEqual([ok.health, ok.exitCode, ok.findings], ["ok", 0, []]);
    assert.deepEqual(ok.check, { accepted: true, refusal: null, refusalKind: null, secretCount: 1 });
    assert.deepEqual([ok.generation, ok.clientId, ok.customerId, ok.currentId, ok.currentOwned, ok.unfinished, ok.kept],
      [1, "nightly", "ops", "s-canary", true, null, []]);
    assert.equal(typeof ok.currentCreatedAt, "string");
    assert.ok(Math.abs(ok.ageMs - DAY) < 60_000, String(ok.ageMs));
    assert.deepEqual([ok.maxAgeMs, ok.dueAtMs, ok.due, ok.lastRotationMs], [null, null, false, null]);
    assert.ok(ok.updatedAtMs > 0);

    await w.emu.admin("DELETE", "log");
    const due = await c.status({ store, maxAgeDays: 0.5 });
    assert.deepEqual([due.health, due.exitCode, due.due, due.check, due.maxAgeMs, due.dueAtMs], ["warning", 1, true, null, DAY / 2, w.createdMs + DAY / 2]);
    assert.equal(due.findings.length, 1);
    assert.deepEqual(await w.log(), [], "without a probe, status sends nothing");
    const notDue = await c.status({ store, maxAgeDays: 30 });
    assert.deepEqual([notDue.health, notDue.due], ["ok", false]);

    // Someone deletes the store's secret by hand: the probe's login is refused.
    await w.ops().deleteSecret("s-canary");
    const critical = await c.status({ store, probe: true, maxAgeDays: 30 });
    assert.deepEqual([critical.health, critical.exitCode, critical.check.accepted, critical.check.refusalKind], ["critical", 2, false, "invalid_client"]);
    assert.match(critical.findings[0], /refuses the current secret/);
    noSecretIn([JSON.stringify([ok, due, critical]), util.inspect([ok, due, critical], { depth: 9 }), String(critical.check.refusal)], secretsOf(store));
  } finally {
    await w.stop();
  }
});

test("onEvent: each step of a rotation is reported after it, purposes in order, durations >= 0, never a secret; eventStream iterates them", async () => {
  const w = await canaryEmulator();
  try {
    const events = [];
    const progress = [];
    const stream = lib.eventStream();
    const onEvent = (e) => { events.push(e); stream.onEvent(e); };
    const c = w.make({ onEvent, onProgress: (p) => progress.push(p) });
    const store = memoryStore();
    await c.seed({ store, claim: true });
    const seeding = events.splice(0);
    assert.deepEqual(seeding.map((e) => e.purpose ?? e.event), ["load", "login", "list", "persist"]);
    const token = (await c.token()).exposeAccessToken();
    await w.emu.admin("POST", "faults", { route: "delete", action: { status: { code: 503 } }, count: 1 });
    progress.length = 0;
    const report = await c.rotate({ store });
    assert.equal(report.rotated, true);
    const sends = events.filter((e) => e.event === "send");
    assert.deepEqual(sends.map((e) => e.purpose), ["create", "verify", "delete_old", "delete_old"]);
    assert.deepEqual(sends.map((e) => [e.outcome, e.status]), [["ok", 200], ["ok", 200], ["http_error", 503], ["ok", 200]]);
    // One event after each step onProgress announced, in the same order.
    assert.deepEqual(events.map((e) => [e.event, e.purpose ?? e.reason]), progress.map((p) => [p.step, p.purpose ?? p.reason ?? null]));
    for (const e of events) {
      assert.ok(Number.isInteger(e.durationMs) && e.durationMs >= 0, JSON.stringify(e));
      assert.deepEqual(Object.keys(e).sort(), ["durationMs", "error", "event", "generation", "outcome", "purpose", "reason", "status"]);
    }
    const persisted = events.filter((e) => e.event === "persist");
    assert.ok(persisted.every((e) => e.outcome === "ok" && e.generation > 1 && e.reason), JSON.stringify(persisted));
    assert.equal(events[0].generation, 1, "the load read generation 1");
    assert.ok(events.some((e) => e.event === "sleep" && e.reason === "backoff"), "the 503 was backed off");
    const newSecret = lib.StoreRecord.fromStorageString(store.text).exposeCurrentSecret();
    noSecretIn([JSON.stringify(events), JSON.stringify(seeding)], [CANARY, newSecret, token]);

    stream.close();
    const iterated = [];
    for await (const e of stream) iterated.push(e);
    assert.deepEqual(iterated, [], "closed: unread events are dropped");
    const live = lib.eventStream();
    const other = w.make({ clientSecret: newSecret, onEvent: live.onEvent });
    const reading = (async () => { const got = []; for await (const e of live) { got.push(e); if (e.event === "send") break; } return got; })();
    await other.token();
    assert.deepEqual((await reading).map((e) => [e.event, e.purpose, e.outcome]), [["send", "login", "ok"]]);
    live.onEvent({ late: true }); // after the loop ended: dropped, no error
  } finally {
    await w.stop();
  }
});
