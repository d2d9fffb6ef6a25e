// The example admin page as a user's project builds it: page/ (a copy of
// bindings-wasm/example that imports "mapsindoors-auth" and never calls init())
// bundled by Vite (build, and the dev server) and by esbuild from the installed
// tarball, each served on its own loopback origin and driven in headless Chromium
// against the emulator: sign in, list, create, delete. manual/ is the manual way
// ("mapsindoors-auth/manual" and init()), under Vite.
// Needs MIA_REPO (the repo, for its emulator helper), MIA_EMULATOR_BIN and
// MIA_TOOLS (playwright-core lives in $MIA_TOOLS/node). Run: node --test
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { after, before, describe, test } from "node:test";
import { pathToFileURL } from "node:url";
import * as esbuild from "esbuild";
import { build, createServer, preview } from "vite";

const here = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const repo = process.env.MIA_REPO ?? assert.fail("MIA_REPO is not set");
const tools = process.env.MIA_TOOLS ?? path.join(os.homedir(), ".cache/mapsindoors-auth-tools");
const { chromium } = createRequire(path.join(tools, "node/node_modules/"))("playwright-core");
const { startEmulator } = await import(pathToFileURL(path.join(repo, "bindings-wasm/tests/emulator.mjs")));
const installed = path.join(here, "node_modules/mapsindoors-auth");
const shippedWasm = fs.readFileSync(path.join(installed, "web/mapsindoors_auth_bg.wasm"));

let emu;
let context;
before(async () => {
  emu = await startEmulator();
  context = await chromium.launchPersistentContext(fs.mkdtempSync(path.join(os.tmpdir(), "mia-consumer-")), {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});
after(async () => {
  await context?.close();
  await emu?.stop();
});

test("the package is the tarball's copy, not a link into the repo", () => {
  assert.equal(fs.lstatSync(installed).isSymbolicLink(), false);
  assert.equal(fs.existsSync(path.join(installed, "src")), false, "no sources in the package");
});

/** The admin page at `site`, driven like a user: sign in, list, create, delete. */
function adminPage(name, serveSite) {
  describe(`${name}: the admin page against the emulator`, () => {
    let site;
    let page;
    const wasmResponses = [];
    const errors = [];
    before(async () => {
      site = await serveSite();
      page = await context.newPage();
      page.setDefaultTimeout(15000);
      page.on("pageerror", (e) => errors.push(String(e)));
      page.on("response", (r) => {
        if (r.url().endsWith(".wasm")) wasmResponses.push(r);
        // Chromium asks every origin for a favicon; the page has none.
        if (r.status() >= 400 && new URL(r.url()).pathname !== "/favicon.ico") errors.push(`${r.status()} ${r.url()}`);
      });
    });
    after(async () => {
      await page?.close();
      await site?.close();
    });
    let createdId = "";
    let signedIn = false;

    test("sign in with username and password, and list the secrets", async () => {
      await page.goto(`${site.url}?authUrl=${encodeURIComponent(emu.url)}`);
      await page.getByLabel("Username and password").check();
      await page.getByLabel("Username", { exact: true }).fill("admin@example.com");
      await page.getByLabel("Password", { exact: true }).fill("demo-password");
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByRole("heading", { name: /Secrets of demo-customer/ }).waitFor({ timeout: 20000 });
      assert.ok((await page.locator("#secret-rows tr").count()) >= 1);
      assert.equal(wasmResponses.length, 1, "the page fetched one .wasm");
      assert.equal(wasmResponses[0].status(), 200);
      assert.equal(wasmResponses[0].headers()["content-type"], "application/wasm");
      assert.deepEqual(Buffer.from(await wasmResponses[0].body()), shippedWasm, "the package's .wasm, as shipped");
      signedIn = true;
    });

    test("create shows the new secret once, and it logs in", async (t) => {
      if (!signedIn) return t.skip("not signed in");
      await page.getByLabel("Description of a new secret").fill(`${name} key`);
      await page.getByRole("button", { name: "Create secret" }).click();
      await page.locator("#new-secret").waitFor({ state: "visible" });
      const secret = await page.locator("#new-secret-value").inputValue();
      assert.match(secret, /^[A-Za-z0-9]{96}$/);
      createdId = (await page.locator("#new-secret-id").innerText()).replace(/^\(id |\)$/g, "");
      await page.getByRole("button", { name: /I have saved it/ }).click();
      await page.locator(`#secret-rows tr[data-id="${createdId}"]`).waitFor();
      const login = await fetch(`${emu.url}/connect/token`, { method: "POST", body: new URLSearchParams({ grant_type: "client_credentials", client_id: "demo-client", client_secret: secret }) });
      assert.equal(login.status, 200);
    });

    test("delete asks for confirmation, then the secret is gone", async (t) => {
      if (!createdId) return t.skip("nothing created");
      await page.getByRole("button", { name: `Delete secret ${name} key` }).click();
      await page.getByRole("dialog").getByRole("button", { name: "Delete secret" }).click();
      await page.locator(`#secret-rows tr[data-id="${createdId}"]`).waitFor({ state: "detached" });
      const held = await emu.admin("GET", "secrets?customerId=demo-customer");
      assert.equal(held.some((s) => s.id === createdId), false);
      assert.deepEqual(errors, []);
    });
  });
}

const closer = (server) => () => new Promise((resolve) => server.close(resolve));
const config = path.join(here, "vite.config.js");
let built;
const viteBuild = () => (built ??= build({ configFile: config }));

/** The manual way (manual/): "mapsindoors-auth/manual", init() with the URL from "…?url". */
function manualPage(name, serveSite) {
  test(`${name}: the manual page loads the .wasm from init()'s URL and lists the secrets`, async () => {
    const site = await serveSite();
    const page = await context.newPage();
    try {
      const wasm = [];
      page.on("response", (r) => r.url().endsWith(".wasm") && wasm.push(r));
      await page.goto(`${site.base}manual/?authUrl=${encodeURIComponent(emu.url)}`);
      await page.locator("#out").filter({ hasNotText: "loading" }).waitFor({ timeout: 15000 });
      assert.match(await page.locator("#out").innerText(), /^listed [1-9][0-9]* secrets$/);
      assert.equal(wasm.length, 1);
      assert.deepEqual(Buffer.from(await wasm[0].body()), shippedWasm);
    } finally {
      await page.close();
      await site.close();
    }
  });
}

const vitePreview = async () => {
  const server = await preview({ configFile: config, preview: { port: 0, host: "127.0.0.1" } });
  const base = server.resolvedUrls.local[0];
  return { base, url: `${base}page/`, close: closer(server.httpServer) };
};
const viteDev = async () => {
  const server = await createServer({ configFile: config, server: { port: 0, host: "127.0.0.1" } });
  await server.listen();
  const base = server.resolvedUrls.local[0];
  return { base, url: `${base}page/`, close: () => server.close() };
};

test("vite build emits the package's .wasm once, as an asset", async () => {
  await viteBuild();
  const wasm = fs.readdirSync(path.join(here, "dist/assets")).filter((f) => f.endsWith(".wasm"));
  assert.equal(wasm.length, 1, `one .wasm for both pages: ${wasm}`);
  assert.deepEqual(fs.readFileSync(path.join(here, "dist/assets", wasm[0])), shippedWasm);
});
adminPage("vite build", async () => (await viteBuild(), vitePreview()));
manualPage("vite build", async () => (await viteBuild(), vitePreview()));
adminPage("vite dev server", viteDev);
manualPage("vite dev server", viteDev);

adminPage("esbuild", async () => {
  // esbuild leaves new URL("mapsindoors_auth_bg.wasm", import.meta.url) as it is: the
  // .wasm goes next to the bundle, by hand (bindings-wasm/README.md, "Bundlers").
  const out = path.join(here, "dist-esbuild");
  fs.rmSync(out, { recursive: true, force: true });
  await esbuild.build({ entryPoints: [path.join(here, "page/app.js")], bundle: true, format: "esm", minify: true, outdir: out, logLevel: "warning" });
  for (const f of ["index.html", "style.css"]) fs.copyFileSync(path.join(here, "page", f), path.join(out, f));
  fs.copyFileSync(path.join(installed, "web/mapsindoors_auth_bg.wasm"), path.join(out, "mapsindoors_auth_bg.wasm"));
  const server = await preview({ configFile: config, build: { outDir: out }, preview: { port: 0, host: "127.0.0.1" } });
  const base = server.resolvedUrls.local[0];
  return { base, url: base, close: closer(server.httpServer) };
});
