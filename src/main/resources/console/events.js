// Events: search by sender, type, state, order and time; each opens its trace (payload, attempts,
// links to order / task / pick, the dead letter if any).
import { api, query } from './api.js';
import { h, facts, field, select, table, time, json, text } from './dom.js';

const STATES = ['received', 'processing', 'waiting', 'done', 'dead', 'unrouted', 'discarded'];
const SENDERS = ['crm', 'tasks', 'wms'];

/** datetime-local (the operator's local time) ↔ an RFC 3339 instant for the API. */
function toInstant(local) {
  if (!local) {
    return '';
  }
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString();
}

function toLocal(iso) {
  if (!iso) {
    return '';
  }
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) {
    return '';
  }
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/**
 * A sender filter: free text (integrators add senders by configuration), suggesting the shipped ones.
 * Empty means any.
 */
export function senderInput(id, value) {
  if (!document.getElementById('known-senders')) {
    document.body.append(h('datalist', { id: 'known-senders' }, SENDERS.map((s) => h('option', { value: s }))));
  }
  return h('input', { type: 'text', id, name: 'sender', value, list: 'known-senders', placeholder: 'any', spellcheck: 'false' });
}

export function traceLink(sender, eventId, label) {
  return h('a', { href: `#/events/${encodeURIComponent(sender)}/${encodeURIComponent(eventId)}`, class: 'trace-link' },
    label || eventId);
}

function stateBadge(state) {
  const kind = { done: 'ok', dead: 'bad', discarded: 'bad', waiting: 'warn', unrouted: 'warn' }[state] || '';
  return h('span', { class: `pill ${kind}`, 'data-state': state }, state);
}

export async function renderEvents(root, params, q) {
  const filters = {
    sender: q.get('sender') || '', type: q.get('type') || '', state: q.get('state') || '',
    order: q.get('order') || '', from: q.get('from') || '', to: q.get('to') || '',
  };
  const sender = senderInput('ev-sender', filters.sender);
  const type = h('input', { type: 'text', id: 'ev-type', name: 'type', value: filters.type, placeholder: 'ORDER.CREATED' });
  const state = select({ id: 'ev-state', name: 'state' }, [['', 'Any'], ...STATES.map((s) => [s, s])], filters.state);
  const order = h('input', { type: 'text', id: 'ev-order', name: 'order', value: filters.order, placeholder: 'ORD-1001' });
  const from = h('input', { type: 'datetime-local', id: 'ev-from', name: 'from', value: toLocal(filters.from) });
  const to = h('input', { type: 'datetime-local', id: 'ev-to', name: 'to', value: toLocal(filters.to) });
  const form = h('form', { class: 'filters', id: 'event-search', role: 'search', 'aria-label': 'Search events' },
    field('Sender', sender), field('Type', type), field('State', state), field('Order', order),
    field('Received from', from), field('Received before', to),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Search'),
      h('a', { href: '#/events', class: 'button secondary' }, 'Clear')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    location.hash = `#/events${query({
      sender: sender.value, type: type.value, state: state.value, order: order.value,
      from: toInstant(from.value), to: toInstant(to.value),
    })}`;
  });
  root.append(h('h1', {}, 'Events'), form);
  const result = await api('GET', `/admin/events${query({ ...filters, limit: 200 })}`);
  root.append(table(`Events, newest first${result.more ? ` (the first ${result.limit})` : ''}`,
    ['Received', 'Sender', 'Type', 'Event', 'State', 'Order', 'Replays'],
    result.events.map((e) => [time(e.receivedAt), e.sender, e.eventType, traceLink(e.sender, e.eventId), stateBadge(e.state),
      e.orderId ? h('a', { href: `#/events${query({ order: e.orderId })}` }, e.orderId) : '', e.replays]),
    'No events match.'));
}

export async function renderTrace(root, [sender, eventId]) {
  const t = await api('GET', `/admin/events/${encodeURIComponent(sender)}/${encodeURIComponent(eventId)}`);
  const links = t.links || {};
  root.append(
    h('p', {}, h('a', { href: '#/events' }, '← Events')),
    h('h1', {}, 'Event ', h('code', { id: 'trace-event-id' }, t.eventId)),
    facts([
      ['Sender', t.sender], ['Type', t.eventType], ['Version', t.eventVersion],
      ['State', stateBadge(t.state)], ['Waiting for', t.waitingFor], ['Replays', t.replays],
      ['Received', time(t.receivedAt)], ['Next attempt', time(t.nextAttemptAt)], ['Finished', time(t.finishedAt)],
    ]),
    h('h2', {}, 'Linked'),
    facts([
      ['Order', t.orderId ? h('a', { href: `#/events${query({ order: t.orderId })}`, id: 'trace-order' }, t.orderId) : '—'],
      ['Task', h('span', { id: 'trace-task' }, text(links.taskId))],
      ['Pick', h('span', { id: 'trace-pick' }, text(links.pickId))],
      ['Backorder', text(links.backorderId)],
      ['Order status', text(links.orderStatus)],
    ]),
    h('h2', {}, 'Downstream attempts'),
    table('Attempts, oldest first', ['Time', 'Replay', 'Step', 'Method', 'URL', 'Status', 'Duration', 'Error'],
      (t.attempts || []).map((a) => [time(a.at), a.replay, a.step, a.method, h('code', {}, text(a.endpoint)),
        h('span', { class: `pill ${a.status >= 200 && a.status < 300 ? 'ok' : 'bad'}` }, text(a.status ?? 'no answer')),
        a.durationMs === null || a.durationMs === undefined ? '—' : `${a.durationMs} ms`, a.error || '']),
      'No downstream calls yet.'),
    h('h2', {}, 'Dead letter'),
    t.deadLetter ? facts([
      ['Dead letter', h('a', { href: `#/dead-letters/${t.deadLetter.id}`, id: 'trace-dead-letter' }, `#${t.deadLetter.id}`)],
      ['State', t.deadLetter.state], ['Step', t.deadLetter.step], ['Last status', t.deadLetter.lastStatus],
      ['Last error', t.deadLetter.lastError], ['Created', time(t.deadLetter.createdAt)],
    ]) : h('p', { class: 'empty' }, 'None.'),
    h('h2', {}, 'Order timeline'),
    table('Order timeline', ['Time', 'What', 'Detail'], (t.orderTimeline || []).map((e) => [time(e.at), e.kind, e.detail]),
      'Nothing recorded.'),
    h('h2', {}, 'Outcome'), t.outcome ? json(t.outcome) : h('p', { class: 'empty' }, 'None yet.'),
    h('h2', {}, 'Payload'), h('div', { id: 'trace-payload' }, json(t.payload)));
}
