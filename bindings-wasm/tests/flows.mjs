// The flow-vector replayer (tests/flows/README.md), shared by the Node tests
// and the Chromium page: every transcript runs through the package's own
// Client and its drive loop, with a scripted transport, store, clock, sleep
// and randomness (the `transport`, `store` and `testHooks` options), and is
// compared step by step. A persist's reason is read from `onProgress`, which
// the driver calls right before it hands the record to the store.

/** JSON with object keys sorted, so equal values compare equal as text. */
function canon(v) {
  if (Array.isArray(v)) return `[${v.map(canon).join(",")}]`;
  if (v !== null && typeof v === "object") {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canon(v[k])}`).join(",")}}`;
  }
  return JSON.stringify(v ?? null);
}
const same = (a, b) => canon(a) === canon(b);

function hexBytes(hex) {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** The transcript's events, consumed in order by every hook. */
class Script {
  constructor(lib, vector) {
    this.lib = lib;
    this.events = [...vector.events];
    this.store = vector.store;
    this.now = vector.start_ms;
    this.random = [...vector.random];
    this.building = false; // fromStore's own load is not a step
    this.reason = null; // the reason of the persist step under way
    this.mismatch = null;
  }

  fail(message) {
    this.mismatch ??= message;
    return new Error(`flow mismatch: ${message}`);
  }

  next(key, asked) {
    if (!this.events.length) throw this.fail(`the client asked ${key} ${canon(asked)}, but the transcript has ended`);
    const event = this.events.shift();
    if (!(key in event) || !same(event[key], asked)) {
      throw this.fail(`${key}:\n  expected ${canon(event)}\n  asked    ${canon(asked)}`);
    }
    return event;
  }

  transport = async (req) => {
    const asked = { purpose: req.purpose, method: req.method, url: req.url, headers: req.headers, body: req.body };
    const event = this.next("send", asked);
    if ("store_now" in event) this.store = event.store_now; // another writer saved this meanwhile
    if (event.fail) throw Object.assign(new Error(event.fail.message), { kind: event.fail.kind });
    const r = event.respond;
    return { status: r.status, headers: r.headers, body: r.body };
  };

  storeObject() {
    return {
      load: async () => {
        if (!this.building) this.next("load", this.store);
        return this.store === null ? null : JSON.stringify(this.store);
      },
      save: async (record, expectedGeneration) => {
        const asked = { reason: this.reason, record: JSON.parse(record.toStorageString()) };
        const event = this.next("persist", asked);
        if (expectedGeneration !== record.generation - 1) {
          throw this.fail(`saved generation ${record.generation} expecting ${expectedGeneration}`);
        }
        if (event.result === "ok") {
          this.store = asked.record;
          return;
        }
        if ("store_now" in event) this.store = event.store_now;
        throw new this.lib.StoreConflictError();
      },
    };
  }

  hooks() {
    return {
      now: () => this.now,
      sleep: (ms, reason) => {
        this.next("sleep", { ms, reason });
        this.now += ms;
      },
      random: (n) => {
        const chunk = this.random.shift();
        if (!chunk || chunk.length !== 2 * n) throw this.fail(`asked ${n} random bytes, the transcript has ${chunk}`);
        return hexBytes(chunk);
      },
    };
  }

  onProgress = (event) => {
    if (event.step === "persist") this.reason = event.reason;
  };
}

function invoke(client, call) {
  switch (call.call) {
    case "token": return client.token();
    case "list": return client.listSecrets();
    case "create": return client.createSecret({ description: call.description ?? null });
    case "delete": return client.deleteSecret(call.id);
    case "rotate": return client.rotate();
    case "seed": return client.seed({ secretId: call.secret_id ?? null, claim: call.claim });
    case "claim": return client.claim({ id: call.id });
    default: throw new Error(`unknown call ${call.call}`);
  }
}

/** A call's outcome as the transcripts write it. */
function resultJson(lib, name, value, error) {
  if (error !== undefined) {
    if (!(error instanceof lib.MapsIndoorsAuthError)) return { thrown: String(error && error.stack || error) };
    const e = { kind: error.code, status: error.status, code: error.oauthError };
    if (error.code === "rotation_incomplete") e.stage = error.stage;
    return { error: e };
  }
  switch (name) {
    case "token": return { ok: { access_token: value.exposeAccessToken(), expires_in: value.expiresIn ?? null } };
    case "list": return { ok: value.map((s) => s.id) };
    case "create": return { ok: { id: value.id, secret: value.exposeSecret() } };
    case "rotate": return {
      ok: {
        rotated: value.rotated, resumed: value.resumed, old_id: value.oldId, new_id: value.newId,
        deleted: value.deleted, swept: value.swept, kept: value.kept.map((k) => k.id),
        round_trips: value.roundTrips, persists: value.persists, generation: value.generation,
      },
    };
    case "seed": case "claim": return { ok: { generation: value.generation } };
    default: return { ok: value ?? null };
  }
}

/** Replays one transcript; resolves with a list of failure messages (empty = pass). */
export async function replayFlow(lib, vector) {
  const script = new Script(lib, vector);
  const s = vector.session;
  const options = {
    retries: s.settings.retries,
    propagationWaitMs: s.settings.propagation_wait_ms,
    timeoutMs: s.settings.timeout_ms,
    description: s.settings.description,
    store: script.storeObject(),
    transport: script.transport,
    onProgress: script.onProgress,
    testHooks: script.hooks(),
  };
  const failures = [];
  let client;
  try {
    if (s.from_store) {
      script.building = true;
      client = await lib.Client.fromStore(options);
      script.building = false;
    } else {
      const c = s.credentials;
      Object.assign(options, { authUrl: s.base_url, customerId: s.customer_id });
      if (c.grant === "client_credentials") Object.assign(options, { clientId: c.client_id, clientSecret: c.client_secret });
      else Object.assign(options, { username: c.username, password: c.password });
      client = new lib.Client(options);
    }
  } catch (e) {
    return [`building the client failed: ${e && e.stack || e}`];
  }
  for (const call of vector.calls) {
    if (call.call === "advance") {
      script.now += call.ms;
      continue;
    }
    const group = call.concurrent ?? [call];
    const results = await Promise.all(group.map((c) => {
      let p;
      try {
        p = Promise.resolve(invoke(client, c));
      } catch (e) {
        p = Promise.reject(e);
      }
      return p.then((value) => resultJson(lib, c.call, value, undefined), (e) => resultJson(lib, c.call, undefined, e));
    }));
    if (script.mismatch) return [script.mismatch];
    group.forEach((c, i) => {
      if (!same(c.expect, {}) && !same(c.expect, results[i])) {
        failures.push(`${c.call}: expected ${canon(c.expect)}, got ${canon(results[i])}`);
      }
    });
    if (failures.length) return failures;
  }
  if (script.events.length) failures.push(`${script.events.length} events never happened: ${canon(script.events[0])}`);
  if (!same(script.store, vector.store_after)) failures.push(`the store at the end differs: ${canon(script.store)}`);
  return failures;
}

/** Replays every transcript: [{name, failures}]. */
export async function replayFlows(lib, vectors) {
  const results = [];
  for (const [name, vector] of Object.entries(vectors)) results.push({ name, failures: await replayFlow(lib, vector) });
  return results;
}
