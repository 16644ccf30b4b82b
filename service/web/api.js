// The public JSON API of this origin: bearer session, problem documents, rate limits.

const TOKEN_KEY = "nfx.session";
const USER_KEY = "nfx.user";
const NEEDS_SESSION = /^\/v1\/(me|auth)([/?]|$)/;

/** An API answer that was not a success: `message` is readable by people. */
export class ApiError extends Error {
  constructor(status, detail, retryAfter) {
    const sentence = /[.!?]$/.test(detail) ? detail : `${detail}.`;
    super(retryAfter !== null ? `${sentence} Try again in ${retryAfter} s.` : detail);
    this.status = status;
    this.retryAfter = retryAfter;
  }
}

export const session = {
  get token() { return sessionStorage.getItem(TOKEN_KEY); },
  get userId() { return sessionStorage.getItem(USER_KEY); },
  save(token, userId) {
    sessionStorage.setItem(TOKEN_KEY, token);
    sessionStorage.setItem(USER_KEY, userId);
  },
  clear() {
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(USER_KEY);
  },
};

/**
 * Takes the session the sign-in put in the URL fragment (`#session_token=...&user_id=...`),
 * keeps it in sessionStorage and removes it from the address bar and history.
 */
export function takeSessionFromFragment() {
  const fields = new URLSearchParams(location.hash.slice(1));
  const token = fields.get("session_token");
  if (!token) return false;
  session.save(token, fields.get("user_id") ?? "");
  history.replaceState(null, "", location.pathname + location.search + "#/home");
  return true;
}

/** Where the sign-in button sends the browser: the proxy starts the sign-in and redirects. */
export function signInUrl() {
  const returnTo = location.origin + location.pathname;
  return `/v1/auth/start?redirect=true&return_to=${encodeURIComponent(returnTo)}`;
}

let pending = 0;
const listeners = new Set();

/** Calls `listener(busy)` whenever requests start or all of them end. */
export function onBusyChange(listener) { listeners.add(listener); }

function busy(delta) {
  pending += delta;
  for (const listener of listeners) listener(pending > 0);
}

/** One API call; answers the parsed JSON (or null for 204), throws ApiError otherwise. */
export async function api(method, path, body) {
  const headers = { Accept: "application/json" };
  // Catalog reads need no session: without the token they can be answered by the front cache.
  if (session.token && NEEDS_SESSION.test(path)) headers.Authorization = `Bearer ${session.token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  busy(1);
  try {
    let answer;
    try {
      answer = await fetch(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new ApiError(0, "The proxy cannot be reached; check the connection.", null);
    }
    if (answer.status === 204) return null;
    const type = answer.headers.get("Content-Type") ?? "";
    const data = type.includes("json") ? await answer.json() : null;
    if (answer.ok) return data;
    const retry = answer.headers.get("Retry-After");
    const detail = data?.detail ?? data?.title ?? `The proxy answered ${answer.status}.`;
    const text = answer.status === 429 ? `Too many requests: ${detail}` : detail;
    throw new ApiError(answer.status, text, retry === null ? null : Number(retry));
  } finally {
    busy(-1);
  }
}

/** The path of a title under the API (`movies/60020435` → `/v1/titles/movies/60020435`). */
export function titlePath(id) {
  return `/v1/titles/${id.split("/").map(encodeURIComponent).join("/")}`;
}
