// Messages to the operator, shared by every view.
import { ApiError } from './api.js';

/** A short message in the live region (read out by screen readers). */
export function notify(message, kind) {
  const status = document.getElementById('status');
  status.textContent = message;
  status.className = `status ${kind || ''}`;
}

/** What went wrong, in words, from an API error. */
export function problemText(error) {
  if (error instanceof ApiError) {
    const p = error.problem;
    const errors = Array.isArray(p.errors) ? p.errors.map((e) => `${e.pointer}: ${e.message}`).join('; ') : '';
    return `${error.status} ${p.title || ''}${p.detail ? ` — ${p.detail}` : ''}${errors ? ` (${errors})` : ''}`;
  }
  return String(error && error.message ? error.message : error);
}
