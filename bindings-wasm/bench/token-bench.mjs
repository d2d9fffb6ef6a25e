// Token fetches from Node against the local emulator: this project's npm
// package (the nodejs build of the wasm; a fresh client per fetch, and a
// shared one) beside a raw `fetch` POST + `response.json()`, so the wasm's
// cost is known. Also: our client over a lean custom transport, and over
// canned answers (no network). Prints figures; not a test.
// The emulator runs with --token-lifetime 0, so a shared client fetches anew
// on every token() call (each contender checks that every token is new).
//   node token-bench.mjs [--n 300] [--rounds 9] [--warmup 1000] [--only WORD]
// The package comes from MIA_WASM_PKG (default <repo>/target/wasm/pkg).
import path from "node:path";
import { startEmulator } from "../tests/emulator.mjs";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");
const pkg = process.env.MIA_WASM_PKG ?? path.join(root, "target/wasm/pkg");
const lib = await import(path.join(pkg, "node/index.js"));

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? Number(process.argv[i + 1]) : fallback;
};
const n = arg("--n", 300);
const rounds = arg("--rounds", 9);
const warmup = arg("--warmup", 1000);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** The thinnest custom transport: one fetch, the body as text; no deadline, no cap. */
const leanTransport = async (req) => {
  const r = await fetch(req.url, { method: req.method, headers: req.headers, body: req.body || undefined, redirect: "manual" });
  return { status: r.status, headers: [...r.headers], body: await r.text() };
};

/** No network at all: a new token at once. What remains is the wasm, its JS glue and the core. */
let canned = 0;
const cannedTransport = async () => ({
  status: 200,
  headers: [["content-type", "application/json; charset=UTF-8"]],
  body: `{"access_token":"canned-${++canned}","expires_in":0,"token_type":"Bearer","scope":"mapsindoors.auth"}`,
});

function contenders(url, secret) {
  const options = { authUrl: url, clientId: "demo-client", clientSecret: secret };
  const tokenUrl = `${url}/connect/token`;
  const form = new URLSearchParams({ grant_type: "client_credentials", client_id: "demo-client", client_secret: secret }).toString();
  const rawHeaders = { "content-type": "application/x-www-form-urlencoded", accept: "application/json" };
  const take = async (client) => {
    const token = await client.token();
    const value = token.exposeAccessToken();
    token.free?.();
    return value;
  };
  const shared = new lib.Client(options);
  const sharedLean = new lib.Client({ ...options, transport: leanTransport });
  const sharedCanned = new lib.Client({ ...options, transport: cannedTransport });
  return [
    ["raw fetch POST + response.json() (baseline)", async () => {
      const r = await fetch(tokenUrl, { method: "POST", headers: rawHeaders, body: form });
      if (r.status !== 200) throw new Error(`token endpoint answered ${r.status}`);
      return (await r.json()).access_token;
    }],
    ["Client, fresh client per fetch (package's fetch)", async () => {
      const client = new lib.Client(options);
      try {
        return await take(client);
      } finally {
        client.free();
      }
    }],
    ["Client, shared client (package's fetch)", () => take(shared)],
    ["Client, shared client (lean fetch transport)", () => take(sharedLean)],
    ["Client, shared client, canned answers, no network (wasm + core alone)", () => take(sharedCanned)],
  ];
}

/** `count` fetches in a row, each checked to be a new token (a cached one would not be a fetch). */
async function batch([name, fetchToken], count) {
  let last = "";
  for (let i = 0; i < count; i++) {
    const token = await fetchToken();
    if (typeof token !== "string" || token === "" || token === last) throw new Error(`${name}: no new token (cached?)`);
    last = token;
  }
}

const emu = await startEmulator(["--token-lifetime", "0"]);
try {
  // --only WORD: the baseline and the contenders whose name holds WORD (to profile one).
  const only = process.argv.includes("--only") ? process.argv[process.argv.indexOf("--only") + 1] : null;
  const all = contenders(emu.url, emu.demoSecret).filter(([name], i) => i === 0 || only === null || name.includes(only));
  for (const c of all) await batch(c, warmup); // JIT and connection pool warm
  const samples = new Map(all.map((c) => [c, { rate: [], us: [], cpu: [] }]));
  for (let round = 0; round < rounds; round++) {
    // Interleaved, and each round starts with another contender, so that
    // load drift on a shared machine hits all alike.
    for (let i = 0; i < all.length; i++) {
      const c = all[(round + i) % all.length];
      const cpu0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      await batch(c, n);
      const wallNs = Number(process.hrtime.bigint() - t0);
      const cpu = process.cpuUsage(cpu0);
      const s = samples.get(c);
      s.rate.push(n / (wallNs / 1e9));
      s.us.push(wallNs / 1e3 / n);
      s.cpu.push((cpu.user + cpu.system) / n);
    }
  }
  const base = samples.get(all[0]);
  const baseRate = median(base.rate);
  const baseCpu = median(base.cpu);
  const pad = (v, w, digits) => v.toFixed(digits).padStart(w);
  console.log(`node token fetches: median of ${rounds} interleaved rounds x ${n} fetches, after ${warmup} warm-up fetches each;`);
  console.log(`Node ${process.version}, package ${path.join(pkg, "node")}, emulator at ${emu.url}`);
  console.log("CPU = process.cpuUsage() (user + system, this Node process) per fetch");
  console.log(`  ${"fetches/s".padStart(10)} ${"us/fetch".padStart(10)} ${"CPU us/fetch".padStart(12)} ${"rate x raw".padStart(11)} ${"CPU x raw".padStart(11)}  contender`);
  for (const c of all) {
    const s = samples.get(c);
    const rate = median(s.rate);
    const cpu = median(s.cpu);
    console.log(`  ${pad(rate, 10, 0)} ${pad(median(s.us), 10, 1)} ${pad(cpu, 12, 1)} ${pad(rate / baseRate, 11, 2)} ${pad(cpu / baseCpu, 11, 2)}  ${c[0]}`);
  }
} finally {
  await emu.stop();
}
