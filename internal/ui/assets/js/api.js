// The API client: same-origin fetches that carry the session cookie and
// the CSRF header the API asks of cookie-authenticated changes.

/** ApiError is a failed API call: status 0 when the daemon is unreachable. */
export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

let onUnauthorized = () => {};

/** setUnauthorizedHandler sets what happens when a call answers 401. */
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

/** get reads a JSON resource. */
export function get(path) {
  return call('GET', path);
}

/** post sends a JSON body (or none) and reads the JSON answer. */
export function post(path, body) {
  return call('POST', path, body);
}

/** call makes a request; opts.quiet401 skips the unauthorized handler. */
export async function call(method, path, body, opts = {}) {
  const init = {
    method,
    credentials: 'same-origin',
    cache: 'no-store',
    headers: { 'Accept': 'application/json', 'X-Plumb-CSRF': '1' },
  };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (e) {
    throw new ApiError(0, 'cannot reach the plumb daemon (' + e.message + ')');
  }
  const text = await res.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (!res.ok) {
    const err = new ApiError(res.status, (data && data.error) || `${res.status} ${res.statusText}`);
    if (res.status === 401 && !opts.quiet401) onUnauthorized(err);
    throw err;
  }
  return data;
}

/** enc escapes a path segment. */
export const enc = encodeURIComponent;
