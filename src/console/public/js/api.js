/* global sessionStorage, fetch, URLSearchParams */
const KEY_STORAGE = 'roomwatch.console.key';

/** The signed-in key lives in this tab's session storage only, never in a URL. */
export const session = {
  get key() {
    return sessionStorage.getItem(KEY_STORAGE);
  },
  set key(value) {
    if (value) sessionStorage.setItem(KEY_STORAGE, value);
    else sessionStorage.removeItem(KEY_STORAGE);
  },
  /** @type {{ role: string, merchantId: string | null } | null} */
  principal: null,
};

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/**
 * Calls the service's JSON API with the session's key.
 * @param {string} path
 * @param {{ method?: string, body?: unknown, key?: string }} [options]
 */
export async function api(path, options = {}) {
  const key = options.key ?? session.key;
  const headers = { accept: 'application/json' };
  if (key) headers.authorization = `Bearer ${key}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, {
    method: options.method ?? 'GET',
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  let payload;
  try {
    payload = text ? JSON.parse(text) : null;
  } catch {
    payload = null;
  }
  if (!response.ok) {
    throw new ApiError(response.status, payload?.message ?? `${response.status} ${response.statusText}`);
  }
  return payload;
}

export function query(params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(name, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
