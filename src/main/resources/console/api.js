// The hub's admin API, with the token kept in this tab's sessionStorage only (never in a URL, gone when the tab closes).
const KEY = 'opsbridge.adminToken';

export const session = {
  token: () => sessionStorage.getItem(KEY),
  signIn: (token) => sessionStorage.setItem(KEY, token),
  signOut: () => sessionStorage.removeItem(KEY),
};

/** A refusal of the admin API: its status and its problem+json body (title, detail, errors). */
export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
  }
}

/** Calls the admin API; a 401 signs the tab out (the app then shows the sign-in page). */
export async function api(method, path, body) {
  const token = session.token();
  if (!token) {
    throw new ApiError(401, { title: 'Signed out' });
  }
  const headers = { Authorization: `Bearer ${token}`, Accept: 'application/json' };
  const init = { method, headers, cache: 'no-store', credentials: 'omit', referrerPolicy: 'no-referrer' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const text = await response.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch (e) {
      data = { title: 'Unreadable answer', detail: text.slice(0, 200) };
    }
  }
  if (response.status === 401) {
    session.signOut();
    window.dispatchEvent(new CustomEvent('signed-out'));
  }
  if (!response.ok) {
    throw new ApiError(response.status, data);
  }
  return data;
}

/** A query string from the filled members of {@code params}. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && String(v).trim() !== '') {
      q.set(k, String(v).trim());
    }
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}
