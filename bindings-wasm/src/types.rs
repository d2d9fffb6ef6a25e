//! TypeScript declarations the generator cannot infer: the options objects,
//! the transport contract, the plain result objects and the error classes.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** How to log in, where, and (optionally) how to send requests. */
export type ClientOptions = {
  /** Base URL of the auth server; default `https://auth.mapsindoors.com`. Plain http only for loopback. */
  authUrl?: string;
  /** The customer whose secrets are managed; needed by the secrets methods. */
  customerId?: string;
  /** Retries of idempotent requests after the first attempt (0–10); default 3. */
  retries?: number;
  /** Replaces `fetch`: gets each request, resolves with the response, rejects when none arrived. */
  transport?: Transport;
} & (
  | { clientId: string; clientSecret: string; username?: undefined; password?: undefined }
  | { username: string; password: string; clientId?: string; clientSecret?: undefined }
);

/** A request the client asks its transport to send. */
export interface TransportRequest {
  method: "GET" | "POST" | "DELETE";
  url: string;
  headers: [string, string][];
  body: string;
}

/** What a transport resolves with. */
export interface TransportResponse {
  status: number;
  headers?: [string, string][] | Record<string, string>;
  body?: string;
}

/** A custom transport. Reject (optionally with `kind: "connect" | "timeout" | "interrupted"`) when no response arrived. */
export type Transport = (request: TransportRequest) => Promise<TransportResponse>;

/** Options of `createSecret`. */
export interface CreateSecretOptions {
  description?: string;
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

/** Where a rotation keeps its record. `save` must resolve only once the record is durable. */
export interface SecretStore {
  /** The saved record (or its storage string), or null when empty. */
  load(): Promise<StoreRecord | string | null | undefined>;
  save(record: StoreRecord): Promise<void>;
}

/** Options of `rotate` and `loginAndRotate`. */
export interface RotateOptions {
  store: SecretStore;
  /** Description of the new secret (a lineage tag is appended). */
  description?: string;
}

/** What a rotation did. */
export interface RotationReport {
  rotated: boolean;
  resumed: boolean;
  oldId: string | null;
  newId: string | null;
  deleted: string[];
  swept: string[];
  kept: { id: string | null; reason: string }[];
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
