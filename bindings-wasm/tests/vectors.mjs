// The conformance-vector runner (tests/vectors/README.md), shared by the
// browser page (vectors.html, in Chromium) and the Node tests: it drives the
// package's public Client with a recording transport and returns one result per case.

function body(response) {
  if (!response) return null;
  if (response.body_repeat) return response.body_repeat.text.repeat(response.body_repeat.times);
  return response.body ?? "";
}

const DEFAULT_OK = {
  token: { status: 200, headers: [["Content-Type", "application/json"]], body: '{"access_token":"tok-default","token_type":"Bearer","expires_in":3600}' },
  list: { status: 200, headers: [["Content-Type", "application/json"]], body: "[]" },
  create: { status: 200, headers: [["Content-Type", "application/json"]], body: '{"id":"id-1","description":"d","createdAt":"2024-05-27T14:26:36.9981013Z","secret":"s"}' },
  delete: { status: 200, headers: [], body: "" },
};

function same(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

function okValue(op, value) {
  switch (op) {
    case "token":
      return { access_token: value.exposeAccessToken(), token_type: value.tokenType, expires_in: value.expiresIn ?? null, scope: value.scope ?? null };
    case "list":
      return value.map((s) => ({ id: s.id, description: s.description, client_id: s.clientId, created_at_ms: s.createdAtMs }));
    case "create":
      return { id: value.id, description: value.description ?? null, created_at_ms: value.createdAtMs, secret: value.exposeSecret() };
    default:
      return value === undefined ? null : value;
  }
}

/** Runs one case; resolves with a list of failure messages (empty = pass). */
export async function runCase(lib, c) {
  const failures = [];
  const sent = [];
  const transport = async (req) => {
    sent.push(req);
    if (c.operation !== "token" && req.url.endsWith("/connect/token")) {
      return { status: 200, headers: [["Content-Type", "application/json"]], body: JSON.stringify({ access_token: c.access_token, token_type: "Bearer", expires_in: 3600 }) };
    }
    const r = c.response ?? DEFAULT_OK[c.operation];
    return { status: r.status, headers: r.headers ?? [], body: body(r) };
  };
  const cred = c.credentials ?? {};
  const options = { authUrl: c.base_url, retries: 0, transport };
  if (c.customer_id !== undefined) options.customerId = c.customer_id;
  if (cred.grant === "password") Object.assign(options, { username: cred.username, password: cred.password });
  else Object.assign(options, { clientId: cred.client_id, clientSecret: cred.client_secret });

  let value, error, threw = false;
  try {
    const client = new lib.Client(options);
    const args = c.args ?? {};
    if (c.operation === "token") value = await client.token();
    else if (c.operation === "list") value = await client.listSecrets();
    else if (c.operation === "create") {
      const options = {};
      if ("description" in args) options.description = args.description;
      if ("client_id" in args) options.clientId = args.client_id;
      value = await client.createSecret(options);
    }
    else if (c.operation === "delete") value = await client.deleteSecret(args.id);
    else failures.push(`unknown operation ${c.operation}`);
  } catch (e) {
    threw = true;
    error = e;
  }

  if (c.request) {
    const first = c.operation === "token" ? sent[0] : sent.find((r) => !r.url.endsWith("/connect/token"));
    if (!first) failures.push("no request was sent");
    else {
      const got = { method: first.method, url: first.url, headers: first.headers, body: first.body };
      const want = { method: c.request.method, url: c.request.url, headers: c.request.headers, body: c.request.body };
      for (const k of Object.keys(want)) if (!same(got[k], want[k])) failures.push(`request.${k}: got ${JSON.stringify(got[k])}, want ${JSON.stringify(want[k])}`);
    }
  }
  const expect = c.expect ?? {};
  if ("ok" in expect) {
    if (threw) failures.push(`expected ok, got ${error && error.name}: ${error && error.message}`);
    else {
      const got = okValue(c.operation, value);
      if (!same(got, expect.ok)) failures.push(`ok: got ${JSON.stringify(got)}, want ${JSON.stringify(expect.ok)}`);
    }
  }
  if (expect.error) {
    if (!threw) failures.push("expected an error, got success");
    else {
      if (!(error instanceof lib.MapsIndoorsAuthError) || !(error instanceof Error)) failures.push(`not a MapsIndoorsAuthError: ${error}`);
      const want = expect.error;
      const got = { kind: error.code, status: error.status, oauth_code: error.oauthError, retry_after_secs: error.retryAfter, retry_after_at: error.retryAfterAt };
      for (const k of Object.keys(want)) if (!same(got[k] ?? null, want[k])) failures.push(`error.${k}: got ${JSON.stringify(got[k])}, want ${JSON.stringify(want[k])}`);
      if (want.kind === "invalid_input" && sent.length) failures.push(`invalid_input but ${sent.length} request(s) were sent`);
    }
  }
  if (threw && !expect.error) failures.push(`unexpected error ${error && error.name}: ${error && error.message}`);
  const texts = [];
  if (threw) texts.push(String(error), error && error.message, JSON.stringify(error), error && error.stack);
  else if (value !== undefined) texts.push(String(value), JSON.stringify(value));
  for (const s of c.must_not_contain ?? []) for (const t of texts) if (t && t.includes(s)) failures.push(`output contains ${JSON.stringify(s)}: ${t.slice(0, 200)}`);
  return failures;
}

/** Runs every case of every file: [{file, name, failures}]. */
export async function runVectors(lib, files) {
  const results = [];
  for (const [file, doc] of Object.entries(files)) {
    for (const c of doc.cases) results.push({ file, name: c.name, failures: await runCase(lib, c) });
  }
  return results;
}
