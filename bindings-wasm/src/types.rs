//! TypeScript declarations the generator cannot infer: the options objects,
//! the transport contract, the plain result objects and the error classes.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/**
 * The knobs, the same names and units in every binding (checked by the core):
 * `retries`, `propagationWaitMs`, `timeoutMs`, `description`; and the host parts.
 */
export interface SessionOptions {
  /** Retries of idempotent requests after the first attempt (0–10); default 3. A create is never retried. */
  retries?: number;
  /** How long a rotation waits for a new secret to be accepted, in ms (at most 600 000); default 30 000. */
  propagationWaitMs?: number;
  /** One deadline per request, headers and body together, in ms (1–600 000); default 30 000. */
  timeoutMs?: number;
  /** Description of the secrets rotations create (a lineage tag is appended); default: the store's. */
  description?: string | null;
  /** Replaces `fetch`: gets each request, resolves with the response, rejects when none arrived. */
  transport?: Transport;
  /** Told what each step is for (read from the core's step, never guessed), before it is taken. Its errors are ignored. */
  onProgress?: (event: StepEvent) => void;
  /**
   * Told after each step what it did and how long it took (the core's event, one shape in every
   * binding; never a secret, token, URL or body). Its errors are ignored. For `for await`, pass an
   * `eventStream()`'s `onEvent`.
   */
  onEvent?: (event: ClientEvent) => void;
  /** Replaces the clock, sleep and randomness (the flow-vector replays); not for production. */
  testHooks?: TestHooks;
}

/** How to log in, where, and (optionally) the store `rotate`, `seed` and `claim` use by default. */
export type ClientOptions = SessionOptions & {
  /** Base URL of the auth server; default `https://auth.mapsindoors.com`. Plain http only for loopback. */
  authUrl?: string;
  /** The customer whose secrets are managed; needed by the secrets methods. */
  customerId?: string;
  /** The store `rotate`, `seed` and `claim` use when the call names none. */
  store?: SecretStore;
} & (
  | { clientId: string; clientSecret: string; username?: undefined; password?: undefined }
  | { username: string; password: string; clientId?: string; clientSecret?: undefined }
);

/** `Client.fromStore`: logs in with the store's current secret, at its server and customer. */
export type FromStoreOptions = SessionOptions & { store: SecretStore };

/** What a step of the client is for, as `onProgress` is told it. */
export type StepEvent =
  | { step: "send"; purpose: Purpose; reason?: undefined }
  | { step: "load"; purpose?: undefined; reason?: undefined }
  | { step: "persist"; reason: PersistReason; generation: number; purpose?: undefined }
  | { step: "sleep"; reason: SleepReason; ms: number; purpose?: undefined };

/** What a request was for. */
export type Purpose = "login" | "verify" | "list" | "create" | "delete" | "delete_old" | "delete_orphan" | "delete_abandoned";
/** Why a record was saved. */
export type PersistReason = "seed" | "claim" | "intent" | "intent_cleared" | "pending" | "promote" | "fence" | "deleted" | "forget";
/** Why the client slept. */
export type SleepReason = "backoff" | "retry_after" | "propagation";

/**
 * A step the client took and how it went, as `onEvent` is told it (after the step).
 * `outcome`: `ok` (a 2xx, a load or save that worked, a sleep), `http_error` (`status` says which),
 * `transport_error` (no response: `error` is the transport kind), `conflict` (a compare-and-swap
 * lost) or `store_error` (`error` is the store kind). Fields that do not apply are `null`.
 */
export type ClientEvent = {
  outcome: "ok" | "http_error" | "transport_error" | "conflict" | "store_error";
  /** The HTTP status, when a response came (`send`). */
  status: number | null;
  /** The transport or store error kind, for a failure without a status. */
  error: string | null;
  /** How long the step took, in ms (for `sleep`: how long was slept). */
  durationMs: number;
} & (
  | { event: "send"; purpose: Purpose; reason: null; generation: null }
  /** `generation`: the one read; `null` for an empty store. */
  | { event: "load"; purpose: null; reason: null; generation: number | null }
  /** `generation`: the one saved. */
  | { event: "persist"; purpose: null; reason: PersistReason; generation: number }
  | { event: "sleep"; purpose: null; reason: SleepReason; generation: null }
);

/** Scripted clock, sleep and randomness. */
export interface TestHooks {
  /** Unix milliseconds. */
  now?: () => number;
  sleep?: (ms: number, reason: string) => void | Promise<void>;
  /** `n` random bytes. */
  random?: (n: number) => Uint8Array;
}

/** A request the client asks its transport to send. */
export interface TransportRequest {
  method: "GET" | "POST" | "DELETE";
  url: string;
  headers: [string, string][];
  body: string;
  /** What the request is for. */
  purpose: string;
}

/** What a transport resolves with. */
export interface TransportResponse {
  status: number;
  headers?: [string, string][] | Record<string, string>;
  body?: string;
}

/**
 * A custom transport. Reject (optionally with `kind: "connect" | "timeout" | "interrupted"`) when no response arrived.
 * Never follow a redirect: resolve with the 3xx as it came (the core refuses it).
 */
export type Transport = (request: TransportRequest) => Promise<TransportResponse>;

/** Options of `createSecret`. */
export interface CreateSecretOptions {
  description?: string;
  /**
   * The client the new secret is for. Needed when signed in as a user
   * (`username`/`password`), who may manage several clients; a client
   * signed in with its own secret may leave it out.
   */
  clientId?: string;
}

/** A secret as listed: its metadata, never its value. */
export interface SecretInfo {
  id: string;
  description: string | null;
  clientId: string | null;
  /** As the server wrote it. */
  createdAt: string;
  /** Unix milliseconds. */
  createdAtMs: number;
}

/**
 * Where a rotation keeps its record. Both methods may be async.
 *
 * `save` is a compare-and-swap: store `record` only if the store still holds
 * the record of generation `expectedGeneration` (always `record.generation - 1`;
 * 0 means "only if the store is empty"), atomically, and resolve once it is
 * durable. On a mismatch change nothing and reject with `new StoreConflictError()`:
 * the rotation then stops with that error ("run again"), having deleted nothing
 * since its last save. This check is what makes two rotations of one store safe
 * (two tabs, a double click, a background job); no lock is needed for safety.
 * Store `record.toStorageString()` and compare `generation`s.
 */
export interface SecretStore {
  /** The saved record (or its storage string), or null when empty. */
  load(): Promise<StoreRecord | string | null | undefined>;
  save(record: StoreRecord, expectedGeneration: number): Promise<void>;
}

/** The store, and how to lock it: shared by `rotate`, `seed` and `claim`. */
export interface StoreOptions {
  /** This call's store; default: the client's. */
  store?: SecretStore;
  /**
   * Hold an exclusive Web Lock (`navigator.locks`) while working on the store,
   * where the host has Web Locks (browsers; not Node 20). Default true. An
   * optimisation only: without it, compare-and-swap keeps the store safe.
   */
  lock?: boolean;
  /** The lock's name; default: named after the store's server, customer and client. */
  lockName?: string;
}

/**
 * A maximum age of the current secret: `maxAgeDays` (any number of days, such as 30 or 0.5) or
 * `maxAgeMs`, not both (an `InvalidInputError`). From 1 ms to 10 years (else an
 * `InvalidInputError` with `field: "max_age"`).
 */
export type MaxAge =
  | { maxAgeDays?: number | null; maxAgeMs?: undefined | null }
  | { maxAgeMs?: number | null; maxAgeDays?: undefined | null };

/**
 * Options of `rotate` and `loginAndRotate`. With a maximum age a new secret is created only when
 * the current one is at least that old; an unfinished rotation is finished either way.
 */
export type RotateOptions = StoreOptions & MaxAge;

/** Options of `status`. */
export type StatusOptions = {
  /** This call's store; default: the client's. */
  store?: SecretStore;
  /** Also log in once with the store's current secret and list once (`check`). Default false. */
  probe?: boolean;
} & MaxAge;

/** The Nagios-style verdict: exit codes 0, 1 and 2. */
export type Health = "ok" | "warning" | "critical";

/** What the server said of the store's current secret (`status({ probe: true })`). */
export interface StatusCheck {
  /** Whether a login with the current secret succeeded. */
  accepted: boolean;
  /** The refusal's text when it did not (never a secret). */
  refusal: string | null;
  /** The refusal's error code (`invalid_client`, ...). */
  refusalKind: string | null;
  /** How many secrets the client has, when the listing worked. */
  secretCount: number | null;
}

/** A store's status at one moment (`client.status()`): a plain object, no secret. */
export interface Status {
  /** `critical`: the server refuses the current secret; `warning`: due (or age unknown, with a max age) or a rotation unfinished; else `ok`. */
  health: Health;
  /** The Nagios plugin exit code of `health`: 0, 1 or 2. */
  exitCode: 0 | 1 | 2;
  /** What the verdict rests on, one sentence each (empty when ok). */
  findings: string[];
  /** The store's generation. */
  generation: number;
  /** When that generation was saved, Unix ms. */
  updatedAtMs: number;
  clientId: string;
  customerId: string;
  /** The current secret's id, if known. */
  currentId: string | null;
  /** Its `createdAt` as the server wrote it, if known. */
  currentCreatedAt: string | null;
  /** Whether it is the store's own (a rotation deletes it once replaced). */
  currentOwned: boolean;
  /** Its age in ms, if its date is known. */
  ageMs: number | null;
  /** The maximum age asked about, in ms; null without one. */
  maxAgeMs: number | null;
  /** When it is due (Unix ms): its date plus the maximum age, if both are known. */
  dueAtMs: number | null;
  /** With a maximum age: whether a rotation would create a new secret now (due, or age unknown). */
  due: boolean;
  /** The stage at which a rotation is unfinished, if one is: the next `rotate` finishes it. */
  unfinished: "verify" | "delete_old" | "delete" | "sweep" | null;
  /** Secrets kept for deletion by hand (or a claim). */
  kept: KeptSecret[];
  /** When the current secret was created by a rotation (Unix ms); null if this store never rotated. */
  lastRotationMs: number | null;
  /** The server's answer, with `probe: true`; else null. */
  check: StatusCheck | null;
}

/** Options of `seed`. */
export interface SeedOptions {
  /** The id of this client's secret, if known: it must exist, and naming it claims it (the first rotation deletes it). */
  secretId?: string | null;
  /**
   * Claim the secret when it is the client's only one: the first rotation deletes it.
   * Say so only when no other job or installation was given the same secret.
   * Unclaimed, it is kept (never deleted by a rotation) and reported in `kept`.
   */
  claim?: boolean;
}

/** Options of `seed`. */
export type SeedStoreOptions = StoreOptions & SeedOptions;

/** Options of `claim`. */
export interface ClaimOptions extends StoreOptions {
  /** A kept secret's id (or candidate), or the current secret's id (or candidate). */
  id: string;
}

/** A secret a kept entry may be (its id is unknown), as listed when the store was seeded. */
export interface SecretCandidate {
  id: string;
  createdAt: string | null;
}

/**
 * A secret the rotation will not delete because it is not provably the store's own
 * (handed in, shared, or of unknown id). Show `advice` to the user: delete it by
 * hand once nothing uses it, or claim it (`client.claim`) and the next rotation deletes it.
 */
export interface KeptSecret {
  id: string | null;
  createdAt: string | null;
  /** For an unknown id: the secrets it may be. */
  candidates: SecretCandidate[];
  reason: string;
  /** One sentence: how to delete it by hand or claim it. */
  advice: string;
}

/**
 * Why a rotation created a new secret or did not: `always` (no maximum age), `due`, `age_unknown`
 * (its date could not be learnt: rotated), `not_due` (nothing created) or `unfinished` (it finished
 * an earlier rotation, whose new secret is now current, and created nothing more).
 */
export type RotationDecision = "always" | "due" | "age_unknown" | "not_due" | "unfinished";

/** What a rotation did. */
export interface RotationReport {
  /** Whether this run created a secret and made it current. */
  rotated: boolean;
  /** Whether it first finished an earlier, interrupted rotation. */
  resumed: boolean;
  decision: RotationDecision;
  /** With a maximum age: when the secret now current is due (Unix ms), if its date is known. */
  dueAtMs: number | null;
  oldId: string | null;
  newId: string | null;
  deleted: string[];
  swept: string[];
  /** The store's kept secrets and those this run left: reported every run. */
  kept: KeptSecret[];
  roundTrips: number;
  persists: number;
  generation: number;
}

/** Input of `StoreRecord.create`. */
export interface StoreRecordInit {
  authUrl: string;
  customerId: string;
  clientId: string;
  clientSecret: string;
  secretId?: string;
  description?: string;
}

/** `StoreRecord.toJSON()`: no secret. */
export interface StoreRecordSummary {
  authUrl: string;
  customerId: string;
  clientId: string;
  generation: number;
  currentId: string | null;
  secret: "[redacted]";
}
"#;
