// Compiled with `tsc --noEmit --strict` against the built package's .d.ts:
// the public API must type-check without `any`.
import init, {
  Client, StoreRecord, MapsIndoorsAuthError, InvalidClientError, RateLimitedError, BadRequestError, StoreConflictError,
  eventStream,
  type SecretInfo, type SecretStore, type RotationReport, type ErrorCode, type TransportRequest, type KeptSecret, type StepEvent,
  type ClientEvent, type EventStream, type Status, type StatusCheck, type Health, type RotationDecision, type RotateOptions,
} from "mapsindoors-auth";
import manualInit, { Client as ManualClient, initSync } from "mapsindoors-auth/manual";

await init(); // the automatic entry: already loaded, kept idempotent
// The manual entry has the same API; init() takes the .wasm's URL.
const manualClass: typeof Client = ManualClient;
await manualInit({ module_or_path: new URL("https://cdn.example/mapsindoors_auth_bg.wasm") });
const syncInit: typeof initSync = initSync;
const client = new Client({ authUrl: "http://127.0.0.1:5080", customerId: "demo-customer", clientId: "demo-client", clientSecret: "s",
  retries: 2, propagationWaitMs: 10_000, timeoutMs: 5_000, description: "nightly",
  onProgress: (e: StepEvent) => console.log(e.step, e.purpose ?? e.reason ?? ""),
  onEvent: (e: ClientEvent) => {
    const ms: number = e.durationMs;
    if (e.event === "send") {
      const purpose: "login" | "verify" | "list" | "create" | "delete" | "delete_old" | "delete_orphan" | "delete_abandoned" = e.purpose;
      const status: number | null = e.status;
      console.log(purpose, status, e.outcome, ms);
    } else if (e.event === "persist") {
      const generation: number = e.generation;
      console.log(e.reason, generation, e.error);
    }
  } });
const stream: EventStream = eventStream();
const streamed = new Client({ clientId: "a", clientSecret: "b", onEvent: stream.onEvent });
void (async () => { for await (const e of stream) console.log(e.event, e.outcome, e.durationMs); })();
stream.close();
const admin = new Client({ customerId: "c", username: "u", password: "p", retries: 0 });
const token = await client.token();
const header: string = `Bearer ${token.exposeAccessToken()}`;
const lifetime: number | undefined = token.expiresIn;
const list: SecretInfo[] = await admin.listSecrets();
const first: string | null = list[0]?.description ?? null;
const created = await client.createSecret({ description: "job" });
const once: string = created.exposeSecret();
await client.deleteSecret(created.id);
const bare = await client.createSecret({});
await client.deleteSecret(bare.id);
const forClient = await admin.createSecret({ description: "job", clientId: list[0]?.clientId ?? "demo-client" });
await admin.deleteSecret(forClient.id);
let saved: string | null = null;
let savedGeneration = 0;
const store: SecretStore = {
  async load() { return saved; },
  async save(record: StoreRecord, expectedGeneration: number) {
    if (savedGeneration !== expectedGeneration) throw new StoreConflictError();
    saved = record.toStorageString();
    savedGeneration = record.generation;
  },
};
const seeded: StoreRecord = await client.seed({ store, claim: true });
const fromStore: Client = await Client.fromStore({ store, retries: 0 });
const unfinished: boolean = seeded.hasUnfinishedRotation;
const owned: boolean = seeded.currentOwned;
let report: RotationReport;
try {
  report = await client.rotate({ store, lockName: "my-store" });
} catch (e) {
  if (e instanceof StoreConflictError) {
    const storeKind: "conflict" = e.storeKind;
    console.log(storeKind);
  }
  report = await fromStore.rotate({ lock: false });
}
const ids: string[] = report.deleted;
const due: RotationReport = await client.rotate({ store, maxAgeDays: 30 });
const decision: RotationDecision = due.decision;
const dueAt: number | null = due.dueAtMs;
const inMs: RotateOptions = { store, maxAgeMs: 86_400_000, lock: false };
await client.rotate(inMs);
await client.loginAndRotate({ store, maxAgeDays: 7 });
// @ts-expect-error: a maximum age in days or in ms, not both
await client.rotate({ store, maxAgeDays: 30, maxAgeMs: 1 });
const status: Status = await client.status({ store, probe: true, maxAgeDays: 30 });
const health: Health = status.health;
const exit: 0 | 1 | 2 = status.exitCode;
const findings: string[] = status.findings;
const check: StatusCheck | null = status.check;
const refused: boolean = check !== null && !check.accepted;
const age: number | null = status.ageMs;
const stageNow: "verify" | "delete_old" | "delete" | "sweep" | null = status.unfinished;
const plainStatus: Status = await fromStore.status();
const noOptions: RotationReport = await fromStore.rotate(); // the options object is optional
await client.deleteSecret((await client.createSecret()).id);
console.log(decision, dueAt, health, exit, findings, refused, age, stageNow, plainStatus.kept.length, streamed);
const kept: KeptSecret[] = report.kept;
const advice: string[] = kept.map((k) => `${k.id ?? k.candidates.map((c) => c.id).join("|")}: ${k.advice} (${k.reason}, ${k.createdAt ?? "?"})`);
const claimed: StoreRecord = await client.claim({ store, id: kept[0]?.id ?? "s-1" });
const record = StoreRecord.fromStorageString(saved ?? "");
const gen: number = record.generation;
const stage: string | undefined = record.unfinishedStage;
const next: StoreRecord = record.claim("s-1");
const recordKept: KeptSecret[] = record.kept;
const custom = new Client({
  clientId: "a", clientSecret: "b",
  transport: async (req: TransportRequest) => ({ status: 200, headers: [["Content-Type", "application/json"]], body: req.body }),
});
try {
  await custom.token();
} catch (e) {
  if (e instanceof RateLimitedError) {
    const wait: number | null = e.retryAfter;
    console.log(wait);
  } else if (e instanceof BadRequestError) {
    const code: "bad_request" = e.code;
    console.log(code, e.status);
  } else if (e instanceof InvalidClientError) {
    const code: "invalid_client" = e.code;
    console.log(code);
  } else if (e instanceof MapsIndoorsAuthError) {
    const code: ErrorCode = e.code;
    const status: number | null = e.status;
    const stage: string | null = e.stage;
    const oauth: string | null = e.oauthError;
    console.log(code, status, stage, oauth);
  }
}
// @ts-expect-error: credentials are required
new Client({ authUrl: "https://auth.mapsindoors.com" });
console.log(unfinished, header, lifetime, first, once, ids, gen, owned, advice, claimed, stage, next, recordKept);
