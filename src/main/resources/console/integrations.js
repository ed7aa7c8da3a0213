// Integrations: tenants; per tenant its WMS webhook (connect, secret shown once, regenerate,
// deactivate / reactivate, last received) and its pull endpoints (add, secret once, sync now).
import { api, ApiError } from './api.js';
import { h, clear, facts, field, select, table, time, confirmDialog } from './dom.js';
import { notify, problemText } from './ui.js';

export async function renderIntegrations(root) {
  const list = h('div', { id: 'tenant-list' });
  const name = h('input', { type: 'text', name: 'name', required: true, maxlength: '200', id: 'tenant-name' });
  const form = h('form', { class: 'inline', id: 'tenant-create' }, field('New tenant name', name),
    h('button', { type: 'submit' }, 'Create tenant'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const tenant = await api('POST', '/admin/tenants', { name: name.value });
      notify(`Tenant ${tenant.name} created.`);
      location.hash = `#/integrations/${encodeURIComponent(tenant.id)}`;
    } catch (error) {
      notify(problemText(error), 'error');
    }
  });
  root.append(h('h1', {}, 'Integrations'), h('p', {}, 'Tenants and their WMS connections. Choose a tenant to connect its WMS.'),
    form, list);
  const { tenants } = await api('GET', '/admin/tenants');
  list.append(table('Tenants', ['Tenant', 'Id', 'Created'], tenants.map((t) => [
    h('a', { href: `#/integrations/${encodeURIComponent(t.id)}`, class: 'tenant-link' }, t.name),
    h('code', {}, t.id), time(t.createdAt)]), 'No tenants yet: create one above.'));
}

/**
 * A secret shown once: the value in a read-only field, a copy button, a plain warning, and a button
 * that takes it off the page. Nothing keeps it after that.
 */
function secretOnce(title, pairs, secret, warning) {
  const value = h('input', { type: 'text', readonly: true, value: secret, id: 'secret-value', spellcheck: 'false', class: 'secret' });
  const copy = h('button', { type: 'button', id: 'copy-secret' }, 'Copy secret');
  copy.addEventListener('click', async () => {
    value.select();
    let copied = false;
    try {
      await navigator.clipboard.writeText(secret);
      copied = true;
    } catch (e) {
      copied = document.execCommand && document.execCommand('copy');
    }
    copy.textContent = copied ? 'Copied' : 'Select and copy it (Ctrl+C)';
    notify(copied ? 'Secret copied to the clipboard.' : 'The browser did not allow copying: the secret is selected.');
  });
  const box = h('section', { class: 'secret-once', role: 'alert', 'aria-labelledby': 'secret-title', id: 'secret-once' },
    h('h2', { id: 'secret-title' }, title),
    facts(pairs),
    field('Secret', value),
    h('p', { class: 'warning' }, h('strong', {}, 'This secret will not be shown again. '), warning),
    h('div', { class: 'actions' }, copy));
  const done = h('button', { type: 'button', class: 'secondary', id: 'secret-done' }, 'I have stored it');
  done.addEventListener('click', () => {
    box.remove();
    notify('Secret removed from the page.');
  });
  box.querySelector('.actions').append(done);
  setTimeout(() => value.focus(), 0);
  return box;
}

export async function renderTenant(root, [tenantId]) {
  const tenant = await api('GET', `/admin/tenants/${encodeURIComponent(tenantId)}`);
  const base = `/admin/tenants/${encodeURIComponent(tenantId)}`;
  const once = h('div', { id: 'secret-slot' });
  const wms = h('section', { id: 'wms', 'aria-labelledby': 'wms-title' });
  const pulls = h('section', { id: 'pulls', 'aria-labelledby': 'pulls-title' });
  root.append(h('p', {}, h('a', { href: '#/integrations' }, '← Integrations')),
    h('h1', {}, tenant.name), h('p', { class: 'muted' }, 'Tenant ', h('code', {}, tenant.id)), once, wms, pulls);

  const show = (box) => {
    clear(once).append(box);
  };

  async function loadWms() {
    clear(wms).append(h('h2', { id: 'wms-title' }, 'WMS webhook'));
    let integration;
    try {
      integration = await api('GET', `${base}/integrations/wms`);
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) {
        throw error;
      }
    }
    if (!integration) {
      const connect = h('button', { type: 'button', id: 'connect-wms' }, 'Connect WMS');
      connect.addEventListener('click', async () => {
        try {
          const shown = await api('POST', `${base}/integrations/wms`);
          show(secretOnce('WMS connected', [['Webhook URL', h('code', { id: 'webhook-url' }, shown.webhookUrl)]], shown.secret,
            'Send it as Authorization: Bearer <secret> with every order your WMS posts to the webhook URL. '
            + 'If it is lost, regenerate it.'));
          notify('WMS connected.');
          await loadWms();
        } catch (error) {
          notify(problemText(error), 'error');
        }
      });
      wms.append(h('p', {}, 'Not connected. Connecting gives a webhook URL and a secret, shown once.'), connect);
      return;
    }
    const regenerate = h('button', { type: 'button', id: 'regenerate-secret' }, 'Regenerate secret');
    regenerate.addEventListener('click', async () => {
      if (!await confirmDialog('Regenerate the secret?', 'The current secret stops working at once: '
        + 'the WMS gets 401 until it sends the new one.', 'Regenerate')) {
        return;
      }
      try {
        const shown = await api('POST', `${base}/integrations/wms/regenerate-secret`);
        show(secretOnce('New WMS secret', [['Webhook URL', h('code', {}, shown.webhookUrl)]], shown.secret,
          'The previous secret no longer works. Update your WMS now.'));
        notify('Secret regenerated: the old one is refused from now on.');
        await loadWms();
      } catch (error) {
        notify(problemText(error), 'error');
      }
    });
    const toggle = h('button', { type: 'button', id: integration.active ? 'deactivate-wms' : 'activate-wms',
      class: integration.active ? 'danger' : '' }, integration.active ? 'Deactivate' : 'Reactivate');
    toggle.addEventListener('click', async () => {
      if (integration.active && !await confirmDialog('Deactivate the WMS webhook?',
        'Its webhook answers 401 and its pulls stop until it is reactivated.', 'Deactivate')) {
        return;
      }
      try {
        await api('POST', `${base}/integrations/wms/${integration.active ? 'deactivate' : 'activate'}`);
        notify(integration.active ? 'WMS webhook deactivated.' : 'WMS webhook reactivated.');
        await loadWms();
      } catch (error) {
        notify(problemText(error), 'error');
      }
    });
    wms.append(facts([
      ['Webhook URL', h('code', { id: 'webhook-url' }, integration.webhookUrl)],
      ['State', h('span', { class: integration.active ? 'pill ok' : 'pill bad', id: 'wms-state' },
        integration.active ? 'Active' : 'Deactivated')],
      ['Connected', time(integration.createdAt)],
      ['Secret last set', time(integration.secretRotatedAt)],
      ['Last received', integration.lastReceivedAt ? time(integration.lastReceivedAt) : 'Never'],
    ]), h('div', { class: 'actions' }, regenerate, toggle));
  }

  async function loadPulls() {
    clear(pulls).append(h('h2', { id: 'pulls-title' }, 'Pull endpoints'),
      h('p', {}, 'OpsBridge fetches orders from these URLs on their schedule, or now with "Sync now".'));
    const { pullEndpoints } = await api('GET', `${base}/pull-endpoints`);
    const rows = pullEndpoints.map((p) => {
      const sync = h('button', { type: 'button', class: 'sync-now', 'aria-label': `Sync now: ${p.url}` }, 'Sync now');
      const result = h('div', { class: 'sync-result', 'aria-live': 'polite' });
      sync.addEventListener('click', async () => {
        sync.disabled = true;
        result.textContent = 'Syncing…';
        try {
          const r = await api('POST', `${base}/pull-endpoints/${encodeURIComponent(p.id)}/sync`);
          const text = r.status === 'ok' || r.status === undefined
            ? `OK: ${r.processed ?? 0} processed (${r.created ?? 0} new, ${r.updated ?? 0} updated)`
            : `${r.status}: ${r.error || ''}`;
          notify(`Sync: ${text}`);
          await loadPulls();
          const again = pulls.querySelector(`[data-endpoint-row="${CSS.escape(p.id)}"] .sync-result`);
          if (again) {
            again.textContent = text;
          }
        } catch (error) {
          sync.disabled = false;
          result.textContent = problemText(error);
          notify(problemText(error), 'error');
        }
      });
      const remove = h('button', { type: 'button', class: 'secondary', 'aria-label': `Remove ${p.url}` }, 'Remove');
      remove.addEventListener('click', async () => {
        if (!await confirmDialog('Remove this pull endpoint?', p.url, 'Remove')) {
          return;
        }
        try {
          await api('DELETE', `${base}/pull-endpoints/${encodeURIComponent(p.id)}`);
          notify('Pull endpoint removed.');
          await loadPulls();
        } catch (error) {
          notify(problemText(error), 'error');
        }
      });
      return [h('code', {}, p.url), p.method, p.intervalSeconds ? `every ${p.intervalSeconds} s` : 'sync now only',
        time(p.lastSyncAt),
        h('span', { class: `pill ${p.lastStatus === 'ok' ? 'ok' : p.lastStatus ? 'bad' : ''}`, 'data-field': 'last-status' },
          p.lastStatus || 'never'),
        p.lastError || '', p.lastProcessed ?? '',
        h('div', {}, h('span', { class: 'actions' }, sync, remove), result)];
    });
    pulls.append(table('Pull endpoints', ['URL', 'Method', 'Schedule', 'Last sync', 'Status', 'Error', 'Processed', 'Actions'],
      rows, 'No pull endpoints.'));
    const tableEl = pulls.querySelector('tbody');
    if (tableEl) {
      [...tableEl.rows].forEach((row, i) => row.setAttribute('data-endpoint-row', pullEndpoints[i].id));
    }

    const url = h('input', { type: 'url', required: true, id: 'pull-url', placeholder: 'https://wms.example.com/orders/export' });
    const method = select({ id: 'pull-method' }, [['GET', 'GET'], ['POST', 'POST']], 'GET');
    const interval = h('input', { type: 'number', min: '1', max: '86400', step: '1', id: 'pull-interval' });
    const form = h('form', { id: 'pull-create', class: 'grid-form' },
      h('h3', {}, 'Add a pull endpoint'),
      field('URL', url), field('Method', method),
      field('Schedule: every (seconds)', interval, 'Leave empty to pull only with "Sync now".'),
      h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Add pull endpoint')));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const body = { url: url.value, method: method.value };
      if (interval.value !== '') {
        body.intervalSeconds = Number(interval.value);
      }
      try {
        const shown = await api('POST', `${base}/pull-endpoints`, body);
        show(secretOnce('Pull endpoint added', [['URL', h('code', {}, shown.url)]], shown.secret,
          'OpsBridge sends it as Authorization: Bearer <secret> with every pull: configure your endpoint to expect it.'));
        notify('Pull endpoint added.');
        await loadPulls();
      } catch (error) {
        notify(problemText(error), 'error');
      }
    });
    pulls.append(form);
  }

  await loadWms();
  await loadPulls();
}
