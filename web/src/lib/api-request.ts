/**
 * One request to the API and what came of it: SPEC's JSON, SPEC's error, or (network failure,
 * an answer that is not SPEC's JSON) SERVICE_UNAVAILABLE. The calls per feature (auth-api.ts,
 * account-api.ts, passkeys-api.ts) are built on `apiCall`.
 */

interface FieldProblem {
  field: string;
  code: string;
  message: string;
}

/** SPEC §1's error shape; a network failure becomes SERVICE_UNAVAILABLE. */
export interface ApiError {
  statusCode: number;
  code: string;
  message: string;
  details?: FieldProblem[];
}

export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: ApiError };

export interface ApiClientOptions {
  baseUrl: string;
  /** Sent as X-Forwarded-For: the API counts rate limits per person when it trusts this hop. */
  clientAddress?: string | undefined;
  /** Sent as X-Portico-Client: the API of this process takes the browser's address from it. */
  clientProof?: string | undefined;
  /** The browser's User-Agent, so that the sessions and security events name the person's device, not this server. */
  userAgent?: string | undefined;
  requestId?: string | undefined;
  /** Told when the API cannot be reached or answers something that is not SPEC's JSON. */
  onFailure?: (details: object, message: string) => void;
  timeoutMs?: number;
}

interface CallInit {
  body?: object;
  token?: string;
}

/** One API request: the method, the path below the base URL, and the JSON body and bearer token if any. */
export type ApiCall = <T>(method: "GET" | "POST" | "DELETE", path: string, init?: CallInit) => Promise<ApiResult<T>>;

const UNAVAILABLE: ApiError = {
  statusCode: 503,
  code: "SERVICE_UNAVAILABLE",
  message: "Service temporarily unavailable",
};

function isApiError(value: unknown): value is ApiError {
  const v = value as Partial<ApiError> | null;
  return typeof v?.code === "string" && typeof v.message === "string" && typeof v.statusCode === "number";
}

function headersFor(options: ApiClientOptions, init: CallInit): Record<string, string> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (init.body) headers["content-type"] = "application/json";
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (options.clientAddress) headers["x-forwarded-for"] = options.clientAddress;
  if (options.clientProof) headers["x-portico-client"] = options.clientProof;
  if (options.userAgent) headers["user-agent"] = options.userAgent;
  if (options.requestId) headers["x-request-id"] = options.requestId;
  return headers;
}

/** The `call` of one API client: every request goes to `options.baseUrl` with the same headers. */
export function apiCall(options: ApiClientOptions): ApiCall {
  const base = options.baseUrl.endsWith("/") ? options.baseUrl : `${options.baseUrl}/`;

  return async function call<T>(
    method: "GET" | "POST" | "DELETE",
    path: string,
    init: CallInit = {},
  ): Promise<ApiResult<T>> {
    const url = new URL(path, base);
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: headersFor(options, init),
        ...(init.body && { body: JSON.stringify(init.body) }),
        redirect: "error",
        signal: AbortSignal.timeout(options.timeoutMs ?? 20_000),
      });
    } catch (error) {
      options.onFailure?.({ err: error, api: url.origin }, "API unreachable");
      return { ok: false, error: UNAVAILABLE } as const;
    }
    if (response.status === 204) return { ok: true, value: undefined as T } as const;
    const payload: unknown = await response.json().catch(() => undefined);
    if (response.ok && payload !== undefined) return { ok: true, value: payload as T } as const;
    if (isApiError(payload)) return { ok: false, error: payload } as const;
    options.onFailure?.({ status: response.status, api: url.origin }, "unexpected API answer");
    return { ok: false, error: UNAVAILABLE } as const;
  };
}
