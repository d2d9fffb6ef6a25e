import type { ClientEvent } from "../../../mapsindoors_auth.js";

/** The stable, language-neutral error codes (one per class below). */
export type ErrorCode =
  | "invalid_client" | "invalid_grant" | "oauth_error" | "unauthorized" | "forbidden"
  | "not_found" | "rate_limited" | "bad_request" | "server_error" | "unexpected_response"
  | "invalid_input" | "transport" | "store" | "rotation_incomplete";

/** Base class of every error this package throws. */
export declare class MapsIndoorsAuthError extends Error {
  /** The class name, e.g. `InvalidClientError`. */
  readonly name: string;
  /** Machine-readable code. */
  readonly code: ErrorCode;
  /** HTTP status, when a response arrived. */
  readonly status: number | null;
  /** Seconds to wait, when `Retry-After` was a number of seconds. */
  readonly retryAfter: number | null;
  /** Unix seconds to wait until, when `Retry-After` was an HTTP date. */
  readonly retryAfterAt: number | null;
  /** The RFC 6749 `error` from the token endpoint. */
  readonly oauthError: string | null;
  /** The RFC 6749 `error_description`, scrubbed. */
  readonly oauthDescription: string | null;
  /** For `rotation_incomplete`: the step that failed. */
  readonly stage: string | null;
  /** For `rotation_incomplete`: the error that stopped the rotation (its `code` is the cause's kind). */
  readonly cause?: MapsIndoorsAuthError;
  /** For `store`: how the store failed. */
  readonly storeKind: "io" | "corrupt" | "conflict" | "locked" | "missing" | null;
  /** For `transport`: how the request failed. */
  readonly transportKind: "connect" | "timeout" | "interrupted" | "other" | null;
  /** For `invalid_input`: the option or argument at fault. */
  readonly field: string | null;
}
/** The class of a core error code (see `errorKinds()`); the base class for an unknown code. */
export declare function errorClass(code: string): typeof MapsIndoorsAuthError;
/** The client id or secret was rejected. */
export declare class InvalidClientError extends MapsIndoorsAuthError { readonly code: "invalid_client"; }
/** The username or password was rejected. */
export declare class InvalidGrantError extends MapsIndoorsAuthError { readonly code: "invalid_grant"; }
/** Another OAuth error from the token endpoint. */
export declare class OAuthError extends MapsIndoorsAuthError { readonly code: "oauth_error"; }
/** The secrets endpoint refused the access token even after one new login; `oauthError` holds its `WWW-Authenticate` error (e.g. `invalid_token`). */
export declare class UnauthorizedError extends MapsIndoorsAuthError { readonly code: "unauthorized"; }
/** This login may not manage this customer's secrets. */
export declare class ForbiddenError extends MapsIndoorsAuthError { readonly code: "forbidden"; }
/** No such secret. */
export declare class NotFoundError extends MapsIndoorsAuthError { readonly code: "not_found"; }
/** Too many requests: see `retryAfter`. */
export declare class RateLimitedError extends MapsIndoorsAuthError { readonly code: "rate_limited"; }
/** The server refused the request as the caller's mistake: a 4xx with no class of its own (400, 405, 409, 413, 422, ...; not 408). */
export declare class BadRequestError extends MapsIndoorsAuthError { readonly code: "bad_request"; }
/** The server failed (5xx). */
export declare class ServerError extends MapsIndoorsAuthError { readonly code: "server_error"; }
/** The response was not what the API documents. */
export declare class UnexpectedResponseError extends MapsIndoorsAuthError { readonly code: "unexpected_response"; }
/** The caller passed something unusable; nothing was sent. */
export declare class InvalidInputError extends MapsIndoorsAuthError { readonly code: "invalid_input"; }
/** No response arrived (server down, CORS refused, network). */
export declare class TransportError extends MapsIndoorsAuthError { readonly code: "transport"; }
/** The secret store failed. */
export declare class StoreError extends MapsIndoorsAuthError { readonly code: "store"; }
/**
 * A compare-and-swap save found another generation in the store: another run
 * (tab, process, job) changed it meanwhile. Nothing was deleted after this run's
 * last save and the store holds a working secret: run again. A store's
 * `save(record, expectedGeneration)` rejects with `new StoreConflictError()` on a mismatch.
 */
export declare class StoreConflictError extends StoreError {
  constructor(message?: string);
  readonly code: "store";
  readonly storeKind: "conflict";
}
/** A rotation stopped part-way; the store still holds a working secret. Run rotate again. */
export declare class RotationIncompleteError extends MapsIndoorsAuthError { readonly code: "rotation_incomplete"; }

/**
 * `onEvent` as an async iterator: pass `stream.onEvent` in the client's options, then
 * `for await (const event of stream)`. Events wait in the stream until read; `close()`
 * (or leaving the loop) ends the iteration and drops what is unread.
 */
export interface EventStream extends AsyncIterable<ClientEvent> {
  /** The callback to pass as `onEvent`. */
  readonly onEvent: (event: ClientEvent) => void;
  /** Ends the iteration; later events are dropped. */
  close(): void;
}
/** A new `EventStream`. */
export declare function eventStream(): EventStream;
