// Dead letters: filter, inspect, replay one, replay the filtered set (count + confirmation), discard.
import { api, query } from './api.js';
import { h, clear, facts, field, select, table, time, json, confirmDialog } from './dom.js';
import { notify, problemText } from './ui.js';
import { senderInput, traceLink } from './events.js';

const LIST_LIMIT = 500; // the API's page

async function replayOne(dl) {
  await api('POST', `/admin/dead-letters/${dl.id}/replay`);
  notify(`Dead letter #${dl.id} replayed: ${dl.eventId} runs its flow again.`);
}

async function discardOne(dl) {
  if (!await confirmDialog(`Discard dead letter #${dl.id}?`,
    `${dl.sender} ${dl.eventId} (${dl.eventType}) is given up and will not be delivered.`, 'Discard')) {
    return false;
  }
  await api('POST', `/admin/dead-letters/${dl.id}/discard`);
  notify(`Dead letter #${dl.id} discarded.`);
  return true;
}

/** Replay and Discard for an open dead letter, each followed by {@code reload} when it went through. */
function actionButtons(dl, reload, replayAttributes, discardAttributes) {
  const act = (action) => async () => {
    try {
      if (await action(dl) !== false) {
        await reload();
      }
    } catch (error) {
      notify(problemText(error), 'error');
    }
  };
  const replay = h('button', { type: 'button', ...replayAttributes }, 'Replay');
  replay.addEventListener('click', act(replayOne));
  const discard = h('button', { type: 'button', class: 'secondary', ...discardAttributes }, 'Discard');
  discard.addEventListener('click', act(discardOne));
  return [replay, discard];
}

export async function renderDeadLetters(root, params, q) {
  const filters = { state: q.has('state') ? q.get('state') : 'open', sender: q.get('sender') || '', eventType: q.get('eventType') || '' };
  const state = select({ id: 'dl-state' }, [['open', 'open'], ['replayed', 'replayed'], ['discarded', 'discarded'], ['', 'any']],
    filters.state === 'any' ? '' : filters.state);
  const sender = senderInput('dl-sender', filters.sender);
  const eventType = h('input', { type: 'text', id: 'dl-type', value: filters.eventType, placeholder: 'ORDER.CREATED' });
  const form = h('form', { class: 'filters', id: 'dl-filter', role: 'search', 'aria-label': 'Filter dead letters' },
    field('State', state), field('Sender', sender), field('Event type', eventType),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Filter')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    location.hash = `#/dead-letters${query({ state: state.value || 'any', sender: sender.value, eventType: eventType.value })}`;
  });
  const body = h('div', { id: 'dl-body' });
  root.append(h('h1', {}, 'Dead letters'), form, body);

  async function load() {
    const apiState = filters.state === 'any' ? '' : filters.state;
    const { deadLetters } = await api('GET', `/admin/dead-letters${query({ ...filters, state: apiState })}`);
    clear(body);
    const open = deadLetters.filter((d) => d.state === 'open');
    if (apiState === 'open' && open.length > 0) {
      const count = open.length >= LIST_LIMIT ? `${LIST_LIMIT} or more` : String(open.length);
      const all = h('button', { type: 'button', id: 'replay-matching', class: 'danger' },
        `Replay all ${count} matching`);
      all.addEventListener('click', async () => {
        const which = [filters.sender && `sender ${filters.sender}`, filters.eventType && `type ${filters.eventType}`]
          .filter(Boolean).join(', ') || 'every sender and type';
        if (!await confirmDialog(`Replay ${count} dead letters?`,
          `Every open dead letter matching ${which} goes back to its flow, with the same idempotency keys.`, `Replay ${count}`)) {
          return;
        }
        try {
          const payload = {};
          if (filters.sender) {
            payload.sender = filters.sender;
          }
          if (filters.eventType) {
            payload.eventType = filters.eventType;
          }
          const r = await api('POST', '/admin/dead-letters/replay', Object.keys(payload).length ? payload : { all: true });
          notify(`${r.replayed} dead letter(s) replayed.`);
          await load();
        } catch (error) {
          notify(problemText(error), 'error');
        }
      });
      body.append(h('div', { class: 'actions' }, all));
    }
    body.append(table(`Dead letters, newest first (${deadLetters.length}${deadLetters.length >= LIST_LIMIT ? '+' : ''})`,
      ['#', 'Created', 'Sender', 'Type', 'Event', 'Step', 'Last status', 'Attempts', 'Last error', 'State', 'Actions'],
      deadLetters.map((d) => {
        const actions = h('span', { class: 'actions', 'data-dead-letter': d.id },
          h('a', { href: `#/dead-letters/${d.id}`, class: 'button secondary', 'aria-label': `Inspect dead letter ${d.id}` }, 'Inspect'));
        if (d.state === 'open') {
          actions.append(...actionButtons(d, load, { class: 'replay', 'aria-label': `Replay dead letter ${d.id}` },
            { 'aria-label': `Discard dead letter ${d.id}` }));
        }
        return [String(d.id), time(d.createdAt), d.sender, d.eventType, traceLink(d.sender, d.eventId), d.step,
          d.lastStatus, d.attempts, d.lastError, d.state, actions];
      }), 'No dead letters match.'));
  }
  await load();
}

export async function renderDeadLetter(root, [id]) {
  const body = h('div', { id: 'dl-detail' });
  root.append(h('p', {}, h('a', { href: '#/dead-letters' }, '← Dead letters')), h('h1', {}, `Dead letter #${id}`), body);

  async function load() {
    const d = await api('GET', `/admin/dead-letters/${encodeURIComponent(id)}`);
    clear(body).append(facts([
      ['State', h('span', { id: 'dl-detail-state', class: `pill ${d.state === 'open' ? 'bad' : ''}` }, d.state)],
      ['Event', traceLink(d.sender, d.eventId)], ['Sender', d.sender], ['Type', d.eventType], ['Step', d.step],
      ['Endpoint', h('code', {}, d.endpoint || '—')], ['Last status', d.lastStatus], ['Attempts', d.attempts],
      ['Last error', d.lastError], ['Created', time(d.createdAt)], ['Resolved', time(d.resolvedAt)],
    ]));
    if (d.state === 'open') {
      body.append(h('div', { class: 'actions' }, ...actionButtons(d, load, { id: 'dl-replay' }, { id: 'dl-discard' })));
    }
    body.append(h('h2', {}, 'Original payload'), json(d.payload));
  }
  await load();
}
