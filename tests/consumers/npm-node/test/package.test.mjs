// A Node project's view of the installed tarball: "mapsindoors-auth" imported by
// name resolves to the package's node build, which is ready on import (no init());
// it gets a token and lists, creates and deletes secrets against the emulator.
// Needs MIA_REPO (the repo, for its emulator helper) and MIA_EMULATOR_BIN. Run: node --test
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Client, InvalidClientError, MapsIndoorsAuthError, Token } from "mapsindoors-auth";

const repo = process.env.MIA_REPO ?? assert.fail("MIA_REPO is not set");
const { startEmulator } = await import(pathToFileURL(path.join(repo, "bindings-wasm/tests/emulator.mjs")));
const here = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const installed = path.join(here, "node_modules/mapsindoors-auth");

let emu;
before(async () => { emu = await startEmulator(); });
after(async () => { await emu?.stop(); });

test("the name resolves to the installed tarball's node build", async () => {
  assert.equal(fs.lstatSync(installed).isSymbolicLink(), false, "a copy, not a link into the repo");
  assert.equal(fileURLToPath(import.meta.resolve("mapsindoors-auth")), path.join(installed, "node/index.js"));
  assert.equal(fileURLToPath(import.meta.resolve("mapsindoors-auth/manual")), path.join(installed, "node/index.js"));
  const manifest = (await import("mapsindoors-auth/package.json", { with: { type: "json" } })).default;
  assert.equal(manifest.name, "mapsindoors-auth");
  assert.equal(manifest.engines.node, ">=20");
  assert.equal(fileURLToPath(import.meta.resolve("mapsindoors-auth/mapsindoors_auth_bg.wasm")), path.join(installed, "web/mapsindoors_auth_bg.wasm"));
  // What the exports map does not name stays private.
  assert.throws(() => import.meta.resolve("mapsindoors-auth/node/mapsindoors_auth.js"), { code: "ERR_PACKAGE_PATH_NOT_EXPORTED" });
});

test("init() from either specifier is a no-op under Node, kept for code shared with pages", async () => {
  const auto = await import("mapsindoors-auth");
  const manual = await import("mapsindoors-auth/manual");
  assert.equal(manual.Client, Client, "one module, one wasm instance");
  await auto.default();
  await manual.default();
});

test("a token and the secrets list, by client secret, with no init()", async () => {
  const client = new Client({ authUrl: emu.url, customerId: "demo-customer", clientId: "demo-client", clientSecret: emu.demoSecret });
  const token = await client.token();
  assert.ok(token instanceof Token);
  assert.equal(String(token).includes(token.exposeAccessToken()), false, "redacted");
  const list = await client.listSecrets();
  assert.ok(list.length >= 1);
  assert.ok(list.every((s) => typeof s.id === "string" && s.clientId === "demo-client"));
});

test("create then delete a secret, by username and password", async () => {
  const client = new Client({ authUrl: emu.url, customerId: "demo-customer", username: "admin@example.com", password: "demo-password" });
  const created = await client.createSecret({ description: "node consumer", clientId: "demo-client" });
  assert.match(created.exposeSecret(), /^[A-Za-z0-9]{96}$/);
  assert.ok((await client.listSecrets()).some((s) => s.id === created.id));
  await client.deleteSecret(created.id);
  assert.equal((await client.listSecrets()).some((s) => s.id === created.id), false);
});

test("a wrong secret rejects with the package's error class", async () => {
  const client = new Client({ authUrl: emu.url, customerId: "demo-customer", clientId: "demo-client", clientSecret: "CANARY-wrong" });
  await assert.rejects(client.token(), (e) => e instanceof InvalidClientError && e instanceof MapsIndoorsAuthError
    && e.code === "invalid_client" && !e.message.includes("CANARY"));
});
