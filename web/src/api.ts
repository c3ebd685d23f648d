import type { FieldError, Problem } from '../../src/http/problem-document.js';
import type { Me, WriteAnswer } from './api-types';

export type { FieldError, Problem };

// The desk's one way to the service: same origin, the session's API key as a Bearer token,
// problem+json answers turned into ApiError.

/** The service answered with a problem. */
export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail);
  }

  get status(): number {
    return this.problem.status;
  }
}

/** No answer came back: the request may or may not have been recorded. */
export class NoAnswerError extends Error {}

export type Query = Record<string, string | number | undefined>;

export interface WriteRequest {
  method: 'POST' | 'PATCH' | 'DELETE';
  path: string;
  /** None for a DELETE. */
  body?: unknown;
  /** The version the editor's change was made against; the service answers 412 if it moved on. */
  ifMatch?: number;
  idempotencyKey: string;
}

/** `recorded`: 201 (or a DELETE's 204), the change was made; false: 200, it already held and nothing changed. */
export type WriteResult = WriteAnswer & { recorded: boolean };

export interface Api {
  get<T>(path: string, query?: Query): Promise<T>;
  write(request: WriteRequest): Promise<WriteResult>;
  /** An action on the service rather than a change to the record (an admin's rebuild): no body, nothing to retry safely by key. */
  act<T>(path: string): Promise<T>;
  /** A file the service makes (an export): its bytes, to hand to the browser. */
  download(path: string, query?: Query): Promise<Blob>;
  /** A long answer read as it comes (Server-Sent Events): the response, once the service has accepted the request. */
  stream(path: string, headers: Record<string, string>, signal: AbortSignal): Promise<Response>;
  /** The same API, its requests abandoned (AbortError) once `signal` aborts: a page's, or a superseded one's. */
  within(signal: AbortSignal): Api;
  /** What abandons this API's requests, if anything does. */
  signal: AbortSignal | undefined;
  /** Whether this session recorded a write to an entity `path` names (by its id): the read models may not show it yet, so a 404 there is not final. */
  wroteTo(path: string): boolean;
}

export function createApi(key: string, onUnauthorized: () => void = () => {}): Api {
  // Shared by every scoped copy of this API: a page's write is still this session's on the next page.
  const written = new Set<string>();
  return scopedApi(key, onUnauthorized, written);
}

function scopedApi(key: string, onUnauthorized: () => void, written: Set<string>, signal?: AbortSignal): Api {
  /** The service's answer when it is a success; a problem otherwise, as ApiError. */
  async function request(method: string, path: string, headers: Record<string, string>, body?: string, within = signal): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(path, { method, headers: { accept: 'application/json', authorization: `Bearer ${key}`, ...headers }, body, signal: within });
    } catch (error) {
      if (within?.aborted) throw within.reason;
      throw new NoAnswerError(`No answer from the service (${error instanceof Error ? error.message : String(error)}).`);
    }
    if (response.ok) return response;
    const problem = parseProblem(await response.text(), response);
    if (response.status === 401) onUnauthorized();
    throw new ApiError(problem);
  }

  async function send<T>(method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; body: T }> {
    const response = await request(method, path, headers, body);
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  return {
    get: async <T>(path: string, query?: Query) => (await send<T>('GET', withQuery(path, query), {})).body,
    write: async ({ method, path, body, ifMatch, idempotencyKey }) => {
      const answer = await send<WriteAnswer | undefined>(
        method,
        path,
        {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          'idempotency-key': idempotencyKey,
          ...(ifMatch === undefined ? {} : { 'if-match': `"${ifMatch}"` }),
        },
        body === undefined ? undefined : JSON.stringify(body),
      );
      // A DELETE answers 204 and no body: what it removed is what its path named.
      if (!answer.body) return { id: path.split('/').pop() ?? '', version: ifMatch ?? 0, recorded: true };
      for (const id of [answer.body.id, answer.body.newIncidentId]) if (id) written.add(id);
      return { ...answer.body, recorded: answer.status === 201 };
    },
    act: async <T>(path: string) => (await send<T>('POST', path, {})).body,
    download: async (path, query) => (await request('GET', withQuery(path, query), {})).blob(),
    stream: (path, headers, within) => request('GET', path, { accept: 'text/event-stream', ...headers }, undefined, signal ? AbortSignal.any([signal, within]) : within),
    signal,
    within: (other) => scopedApi(key, onUnauthorized, written, signal ? AbortSignal.any([signal, other]) : other),
    wroteTo: (path) => path.split(/[/?&=]/).some((part) => written.has(part)),
  };
}

/** Who the key belongs to; throws ApiError 401 for a key the service does not know. */
export function whoIs(key: string): Promise<Me> {
  return createApi(key).get<Me>('/me');
}

export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined && value !== '') params.set(name, String(value));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/**
 * The read models follow the ledger a moment behind the write: after a write of version
 * `version`, poll the entity's read route until it shows that version (or a later one).
 * A 404 means "not yet" only for an entity that exists for sure: one this session wrote to,
 * or (`exists`) one the caller has seen; otherwise no write is on its way and it is final.
 */
export async function waitForVersion<T extends { version: number }>(api: Api, path: string, version: number, { exists = false, timeoutMs = 10_000 } = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 50; ; delay = Math.min(delay * 2, 400)) {
    try {
      const entity = await api.get<T>(path);
      if (entity.version >= version) return entity;
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404 && (exists || api.wroteTo(path)))) throw error;
    }
    if (Date.now() > deadline) throw new NoAnswerError('The change was recorded, but the view has not caught up yet: reload in a moment.');
    await pause(delay, api.signal);
  }
}

/** Waits `ms`, or throws as soon as `signal` aborts: a poll ends with its page. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => (signal?.removeEventListener('abort', stop), resolve()), ms);
    const stop = () => (clearTimeout(timer), reject(signal?.reason));
    signal?.addEventListener('abort', stop, { once: true });
  });
}

/** A fresh Idempotency-Key. */
export function newIdempotencyKey(): string {
  return `desk-${newUuid()}`;
}

/** A random (v4) UUID. crypto.randomUUID needs a secure context (https or localhost); getRandomValues does not. */
export function newUuid(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function parseProblem(text: string, response: Response): Problem {
  try {
    const body = JSON.parse(text) as Partial<Problem>;
    if (typeof body.status === 'number' && typeof body.code === 'string') return body as Problem;
  } catch {
    // not problem+json: describe the answer itself
  }
  return { type: 'about:blank', title: response.statusText, status: response.status, detail: `The service answered ${response.status} ${response.statusText}.`, code: `http_${response.status}` };
}
