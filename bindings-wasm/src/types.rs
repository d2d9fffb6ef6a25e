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
  /** Told what each step is for (read from the core's step, never guessed). Its errors are ignored. */
  onProgress?: (event: StepEvent) => void;
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
  | { step: "send"; purpose: "login" | "verify" | "list" | "create" | "delete" | "delete_old" | "delete_orphan" | "delete_abandoned"; reason?: undefined }
  | { step: "load"; purpose?: undefined; reason?: undefined }
  | { step: "persist"; reason: "seed" | "claim" | "intent" | "intent_cleared" | "pending" | "promote" | "fence" | "deleted" | "forget"; generation: number; purpose?: undefined }
  | { step: "sleep"; reason: "backoff" | "retry_after" | "propagation"; ms: number; purpose?: undefined };

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

/** What a rotation did. */
export interface RotationReport {
  rotated: boolean;
  resumed: boolean;
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
