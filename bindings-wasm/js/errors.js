// The error classes, one per core ErrorKind code (documented in errors.d.ts);
// src/errors.rs builds every thrown error through makeError(). Also the one
// other piece of plain JS the package ships: eventStream(), `onEvent` as an
// async iterator.
export class MapsIndoorsAuthError extends Error {
  constructor(message, fields) {
    super(message);
    this.name = new.target.name;
    this.code = fields.code;
    this.status = fields.status ?? null;
    this.retryAfter = fields.retryAfter ?? null;
    this.retryAfterAt = fields.retryAfterAt ?? null;
    this.oauthError = fields.oauthError ?? null;
    this.oauthDescription = fields.oauthDescription ?? null;
    this.stage = fields.stage ?? null;
    this.storeKind = fields.storeKind ?? null;
    this.transportKind = fields.transportKind ?? null;
    this.field = fields.field ?? null;
    if (fields.cause != null) this.cause = fields.cause;
  }
}
export class InvalidClientError extends MapsIndoorsAuthError {}
export class InvalidGrantError extends MapsIndoorsAuthError {}
export class OAuthError extends MapsIndoorsAuthError {}
export class UnauthorizedError extends MapsIndoorsAuthError {}
export class ForbiddenError extends MapsIndoorsAuthError {}
export class NotFoundError extends MapsIndoorsAuthError {}
export class RateLimitedError extends MapsIndoorsAuthError {}
export class BadRequestError extends MapsIndoorsAuthError {}
export class ServerError extends MapsIndoorsAuthError {}
export class UnexpectedResponseError extends MapsIndoorsAuthError {}
export class InvalidInputError extends MapsIndoorsAuthError {}
export class TransportError extends MapsIndoorsAuthError {}
export class StoreError extends MapsIndoorsAuthError {}
export class RotationIncompleteError extends MapsIndoorsAuthError {}

export class StoreConflictError extends StoreError {
  constructor(message = "store error (conflict): the store holds another generation", fields = {}) {
    super(message, { ...fields, code: "store", storeKind: "conflict" });
  }
}

// Also across copies of this module.
export function isConflict(e) {
  return e instanceof StoreConflictError
    || (e !== null && typeof e === "object" && e.code === "store" && e.storeKind === "conflict");
}

const CLASSES = {
  invalid_client: InvalidClientError,
  invalid_grant: InvalidGrantError,
  oauth_error: OAuthError,
  unauthorized: UnauthorizedError,
  forbidden: ForbiddenError,
  not_found: NotFoundError,
  rate_limited: RateLimitedError,
  bad_request: BadRequestError,
  server_error: ServerError,
  unexpected_response: UnexpectedResponseError,
  invalid_input: InvalidInputError,
  transport: TransportError,
  store: StoreError,
  rotation_incomplete: RotationIncompleteError,
};

export function errorClass(code) {
  return Object.hasOwn(CLASSES, code) ? CLASSES[code] : MapsIndoorsAuthError;
}

export function makeError(code, message, fields) {
  if (code === "store" && fields.storeKind === "conflict") return new StoreConflictError(message, fields);
  const Class = errorClass(code);
  return new Class(message, { ...fields, code });
}

// An `onEvent` callback and the async iterator of what it was told: events wait
// in the stream until read; `close()` (or leaving a `for await`) ends it.
export function eventStream() {
  const queue = [];
  const readers = [];
  let closed = false;
  const done = () => ({ value: undefined, done: true });
  const close = () => {
    closed = true;
    queue.length = 0;
    for (const read of readers.splice(0)) read(done());
  };
  const next = () => {
    if (queue.length) return Promise.resolve({ value: queue.shift(), done: false });
    return closed ? Promise.resolve(done()) : new Promise((read) => readers.push(read));
  };
  return {
    onEvent(event) {
      if (closed) return;
      if (readers.length) readers.shift()({ value: event, done: false });
      else queue.push(event);
    },
    close,
    [Symbol.asyncIterator]: () => ({ next, return: () => (close(), Promise.resolve(done())) }),
  };
}
