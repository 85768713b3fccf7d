// The public HTTP API, and the session: the access token lives in memory only; the refresh token
// in sessionStorage (this tab, gone when it closes, never localStorage) so a reload stays logged in.

const REFRESH_KEY = "photoshare.refresh_token";
let accessToken = null;
let refreshing = null;
let me = null;
const listeners = new Set();

/** An error answered by the API, carrying its RFC 9457 problem details. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

async function problemOf(response) {
  let body = {};
  try {
    body = await response.json();
  } catch {
    body = {};
  }
  return new ApiError(response.status, {
    status: response.status,
    title: body.title || response.statusText || "Error",
    detail: body.detail || `The server answered ${response.status}.`,
    ...body,
  });
}

function storedRefresh() {
  try {
    return sessionStorage.getItem(REFRESH_KEY);
  } catch {
    return null;
  }
}

function keepTokens(tokens) {
  accessToken = tokens.access_token;
  try {
    sessionStorage.setItem(REFRESH_KEY, tokens.refresh_token);
  } catch {
    /* storage disabled: memory only, a reload logs out */
  }
}

function dropTokens() {
  accessToken = null;
  try {
    sessionStorage.removeItem(REFRESH_KEY);
  } catch {
    /* nothing kept */
  }
}

/** Trade the refresh token for new tokens, once however many requests ask at the same time. */
async function refresh() {
  refreshing ||= (async () => {
    const token = storedRefresh();
    if (!token) return false;
    const response = await fetch("/api/auth/refresh", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ refresh_token: token }),
    });
    if (!response.ok) {
      dropTokens();
      setMe(null);
      return false;
    }
    keepTokens(await response.json());
    return true;
  })().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

/**
 * api("GET", "/api/photos", {query: {q}}) -> parsed JSON (or null for 204).
 * body: a plain object (sent as JSON) or FormData; headers: extra headers; anonymous: send no
 * token (a share link is the permission, and its 401 is about the password, not the session).
 */
export async function api(method, path, { query, body, headers = {}, raw = false, anonymous = false } = {}) {
  const url = new URL(path, location.origin);
  for (const [key, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.set(key, value);
  }
  const send = async () => {
    const hdrs = { accept: "application/json", ...headers };
    if (accessToken && !anonymous) hdrs.authorization = `Bearer ${accessToken}`;
    let payload = body;
    if (body && !(body instanceof FormData)) {
      hdrs["content-type"] = "application/json";
      payload = JSON.stringify(body);
    }
    return fetch(url, { method, headers: hdrs, body: payload });
  };
  let response = await send();
  if (response.status === 401 && !anonymous && (accessToken || storedRefresh()) && !path.startsWith("/api/auth/")) {
    if (await refresh()) {
      await response.body?.cancel(); // the refused answer is not read: release it
      response = await send();
    }
  }
  if (!response.ok) throw await problemOf(response);
  if (raw) return response;
  if (response.status === 204 || response.status === 202) return null;
  const type = response.headers.get("content-type") || "";
  return type.includes("json") ? response.json() : response.text();
}

/** Upload with XMLHttpRequest, the one browser API that reports upload progress. */
export function upload(path, formData, onProgress, method = "POST") {
  const attempt = () =>
    new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open(method, path);
      xhr.setRequestHeader("accept", "application/json");
      if (accessToken) xhr.setRequestHeader("authorization", `Bearer ${accessToken}`);
      xhr.upload.addEventListener("progress", (event) => {
        if (event.lengthComputable) onProgress(event.loaded / event.total);
      });
      xhr.addEventListener("load", () => {
        let body = {};
        try {
          body = JSON.parse(xhr.responseText || "{}");
        } catch {
          body = {};
        }
        if (xhr.status >= 200 && xhr.status < 300) resolve(body);
        else
          reject(
            new ApiError(xhr.status, {
              status: xhr.status,
              title: body.title || xhr.statusText || "Error",
              detail: body.detail || `The server answered ${xhr.status}.`,
              ...body,
            }),
          );
      });
      xhr.addEventListener("error", () =>
        reject(new ApiError(0, { status: 0, title: "Network error", detail: "The upload did not reach the server." })),
      );
      xhr.send(formData);
    });
  return attempt().catch(async (error) => {
    if (error.status === 401 && (await refresh())) return attempt();
    throw error;
  });
}

// --- the signed-in user -------------------------------------------------------------------

export function currentUser() {
  return me;
}

export function onUserChange(listener) {
  listeners.add(listener);
}

function setMe(value) {
  me = value;
  for (const listener of listeners) listener(me);
}

export async function restoreSession() {
  if (!storedRefresh()) return null;
  if (!(await refresh())) return null;
  return loadMe();
}

export async function loadMe() {
  try {
    setMe(await api("GET", "/api/users/me"));
  } catch (error) {
    if (error.status === 401) {
      dropTokens();
      setMe(null);
    } else throw error;
  }
  return me;
}

export async function login(username, password) {
  keepTokens(await api("POST", "/api/auth/login", { body: { username, password } }));
  return loadMe();
}

export async function logout() {
  const refreshToken = storedRefresh();
  try {
    await api("POST", "/api/auth/logout", { body: refreshToken ? { refresh_token: refreshToken } : {} });
  } finally {
    dropTokens();
    setMe(null);
  }
}

export const isStaff = (user) => !!user && (user.role === "moderator" || user.role === "admin");
export const isAdmin = (user) => !!user && user.role === "admin";

// --- what this server offers: read from its OpenAPI document, once ----------------------------

let operations = null;

/** Whether the server has METHOD PATH (path parameters written as {}), e.g. has("post", "/api/albums"). */
export async function has(method, path) {
  operations ||= fetch("/schema/openapi.json", { headers: { accept: "application/json" } })
    .then((r) => (r.ok ? r.json() : { paths: {} }))
    .then((doc) => {
      const ops = new Set();
      for (const [p, item] of Object.entries(doc.paths || {})) {
        for (const m of Object.keys(item)) ops.add(`${m} ${p.replace(/\{[^}]*\}/g, "{}")}`);
      }
      ops.schemas = doc.components?.schemas || {};
      return ops;
    })
    .catch(() => Object.assign(new Set(), { schemas: {} }));
  return (await operations).has(`${method.toLowerCase()} ${path}`);
}

/** Whether a schema of the OpenAPI document has a property (e.g. the photo's `visibility`). */
export async function schemaHas(property, schemaNameHint) {
  await has("get", "/");
  const schemas = (await operations).schemas;
  return Object.entries(schemas).some(
    ([name, schema]) => name.toLowerCase().includes(schemaNameHint) && schema.properties && property in schema.properties,
  );
}
