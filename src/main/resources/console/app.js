// The OpsBridge console: sign-in, a hash router, and the four views. Data comes only from /admin/.
import { api, session, ApiError } from './api.js';
import { clear } from './dom.js';
import { notify, problemText } from './ui.js';
import { renderOverview } from './overview.js';
import { renderIntegrations, renderTenant } from './integrations.js';
import { renderEvents, renderTrace } from './events.js';
import { renderDeadLetters, renderDeadLetter } from './dead-letters.js';

const $ = (id) => document.getElementById(id);
let cleanup = null;

const ROUTES = [
  [/^\/overview$/, 'overview', () => renderOverview],
  [/^\/integrations$/, 'integrations', () => renderIntegrations],
  [/^\/integrations\/([^/]+)$/, 'integrations', () => renderTenant],
  [/^\/events$/, 'events', () => renderEvents],
  [/^\/events\/([^/]+)\/([^/]+)$/, 'events', () => renderTrace],
  [/^\/dead-letters$/, 'dead-letters', () => renderDeadLetters],
  [/^\/dead-letters\/([^/]+)$/, 'dead-letters', () => renderDeadLetter],
];

/** #/path?query → the view, its path parameters and its query. */
function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/overview';
  const [path, q] = raw.split('?');
  for (const [pattern, name, view] of ROUTES) {
    const m = path.match(pattern);
    if (m) {
      return { name, view: view(), params: m.slice(1).map(decodeURIComponent), query: new URLSearchParams(q || '') };
    }
  }
  return { name: 'overview', view: renderOverview, params: [], query: new URLSearchParams() };
}

function showSignIn(message) {
  if (cleanup) {
    cleanup();
    cleanup = null;
  }
  clear($('view'));
  $('view').hidden = true;
  $('nav').hidden = true;
  $('signin').hidden = false;
  $('signin-error').textContent = message || '';
  $('token').value = '';
  $('token').focus();
}

/** Renders the view the hash names; {@code moveFocus}: to its heading (a keyboard or screen reader user follows). */
async function route(moveFocus) {
  if (!session.token()) {
    showSignIn();
    return;
  }
  if (cleanup) {
    cleanup();
    cleanup = null;
  }
  const { name, view, params, query } = parseHash();
  $('signin').hidden = true;
  $('nav').hidden = false;
  for (const link of document.querySelectorAll('#nav a')) {
    if (link.dataset.view === name) {
      link.setAttribute('aria-current', 'page');
    } else {
      link.removeAttribute('aria-current');
    }
  }
  const root = clear($('view'));
  root.hidden = false;
  root.dataset.view = name;
  try {
    cleanup = (await view(root, params, query)) || null;
    const heading = root.querySelector('h1');
    if (moveFocus && heading && !root.contains(document.activeElement)) {
      heading.setAttribute('tabindex', '-1');
      heading.focus();
    }
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      return; // signed out: the sign-in page is already showing
    }
    notify(problemText(error), 'error');
  }
}

$('signin-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const token = $('token').value.trim();
  if (!token) {
    return;
  }
  session.signIn(token);
  try {
    await api('GET', '/admin/overview'); // the token is right only if the hub says so
  } catch (error) {
    session.signOut();
    showSignIn(error instanceof ApiError && error.status === 401
      ? 'That token was not accepted. Check it and try again.' : `Sign-in failed: ${problemText(error)}`);
    return;
  }
  notify('Signed in.');
  route();
});

$('sign-out').addEventListener('click', () => {
  session.signOut();
  notify('Signed out.');
  showSignIn();
});

window.addEventListener('signed-out', () => showSignIn('Your session ended or the token was refused. Sign in again.'));
window.addEventListener('hashchange', () => {
  notify('');
  route(true);
});
route();
