// The flow-vector replayer (tests/flows/README.md), shared by the Node tests
// and the Chromium page: every transcript runs through the package's own
// Client and its drive loop, with a scripted transport, store, clock, sleep
// and randomness (the `transport`, `store` and `testHooks` options), and is
// compared step by step. A persist's reason is read from `onProgress`, which
// the driver calls right before it hands the record to the store. What
// `onEvent` reports after each step must match the transcript's step too
// (kind, purpose or reason, outcome, status, generation; a sleep's duration).

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
    this.expected = []; // what onEvent must report, step by step
    this.reported = []; // what it did report
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
    this.expected.push(eventOf(key, event));
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

  onEvent = (event) => {
    const { event: kind, purpose, reason, outcome, status, generation, durationMs } = event;
    if (!(Number.isInteger(durationMs) && durationMs >= 0)) this.fail(`onEvent: a duration of ${durationMs}`);
    // The fake clock moves only by sleeps: a sleep lasts its ms, every other step 0 ms.
    this.reported.push({ kind, purpose, reason, outcome, status, generation, durationMs });
  };
}

/** What onEvent must report for a transcript event. */
function eventOf(key, event) {
  const none = { purpose: null, reason: null, status: null, generation: null, durationMs: 0 };
  switch (key) {
    case "send": {
      const status = event.respond ? event.respond.status : null;
      const outcome = event.fail ? "transport_error" : status >= 200 && status < 300 ? "ok" : "http_error";
      return { ...none, kind: "send", purpose: event.send.purpose, outcome, status };
    }
    case "load": return { ...none, kind: "load", outcome: "ok", generation: event.load?.generation ?? null };
    case "persist": return {
      ...none, kind: "persist", reason: event.persist.reason, generation: event.persist.record.generation,
      outcome: event.result === "ok" ? "ok" : "conflict",
    };
    default: return { ...none, kind: "sleep", reason: event.sleep.reason, outcome: "ok", durationMs: event.sleep.ms };
  }
}

function invoke(client, call) {
  switch (call.call) {
    case "token": return client.token();
    case "list": return client.listSecrets();
    case "create": return client.createSecret({ description: call.description ?? null });
    case "delete": return client.deleteSecret(call.id);
    case "rotate": return client.rotate(call.max_age_ms == null ? undefined : { maxAgeMs: call.max_age_ms });
    case "status": return client.status({ probe: call.probe, maxAgeMs: call.max_age_ms });
    case "seed": return client.seed({ secretId: call.secret_id ?? null, claim: call.claim });
    case "claim": return client.claim({ id: call.id });
    default: throw new Error(`unknown call ${call.call}`);
  }
}

/** A call's outcome as the transcripts write it. */
function resultJson(lib, call, value, error) {
  const name = call.call;
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
    case "rotate": {
      const ok = {
        rotated: value.rotated, resumed: value.resumed, old_id: value.oldId, new_id: value.newId,
        deleted: value.deleted, swept: value.swept, kept: value.kept.map((k) => k.id),
        round_trips: value.roundTrips, persists: value.persists, generation: value.generation,
      };
      // Called with a maximum age: also why, and when the secret now current is due.
      if (call.max_age_ms != null) Object.assign(ok, { decision: value.decision, due_at_ms: value.dueAtMs });
      return { ok };
    }
    case "status": return {
      ok: {
        health: value.health, generation: value.generation, current_id: value.currentId, age_ms: value.ageMs,
        due_at_ms: value.dueAtMs, due: value.due, unfinished: value.unfinished, kept: value.kept.map((k) => k.id),
        last_rotation_ms: value.lastRotationMs,
        check: value.check && {
          accepted: value.check.accepted, refusal_kind: value.check.refusalKind, secret_count: value.check.secretCount,
        },
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
    onEvent: script.onEvent,
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
      return p.then((value) => resultJson(lib, c, value, undefined), (e) => resultJson(lib, c, undefined, e));
    }));
    if (script.mismatch) return [script.mismatch];
    group.forEach((c, i) => {
      if (!same(c.expect, {}) && !same(c.expect, results[i])) {
        failures.push(`${c.call}: expected ${canon(c.expect)}, got ${canon(results[i])}`);
      }
    });
    if (failures.length) return failures;
  }
  if (!same(script.reported, script.expected)) {
    const i = script.reported.findIndex((e, n) => !same(e, script.expected[n]));
    const at = i < 0 ? Math.min(script.reported.length, script.expected.length) : i;
    failures.push(`onEvent, step ${at}: expected ${canon(script.expected[at])}, reported ${canon(script.reported[at])}`);
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
