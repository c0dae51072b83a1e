import { accountCalls } from "./account-api";
import { type ApiClientOptions, apiCall } from "./api-request";
import { authCalls } from "./auth-api";
import { passkeyCalls } from "./passkeys-api";

/**
 * All HTTP between the web client and the API, in one place (seed 000: "the client server makes
 * an API call to the register endpoint"): one client of the calls per feature (auth-api.ts,
 * account-api.ts, passkeys-api.ts), each call one request (api-request.ts). The base URL is
 * configurable, so the pages and the API can run in one process (the default) or apart.
 */

function createApiClient(options: ApiClientOptions) {
  const call = apiCall(options);
  return { ...authCalls(call), ...accountCalls(call), ...passkeyCalls(call) };
}

export type ApiClient = ReturnType<typeof createApiClient>;

/**
 * The API client for this page request, set up from what the mount passed in. With the request,
 * the browser's User-Agent goes along (the API records it with each session and security event).
 */
export function apiClientFor(locals: App.Locals, request?: Request): ApiClient {
  return createApiClient({
    baseUrl: locals.apiBaseUrl,
    clientAddress: locals.clientAddress,
    clientProof: locals.clientProof,
    userAgent: request?.headers.get("user-agent") ?? undefined,
    requestId: locals.requestId,
    onFailure: (details, message) => locals.log?.warn(details, message),
  });
}
