// Overview: intake by outcome, downstream errors per system, backlog and its oldest age, open dead
// letters; refreshed every few seconds while the page is open, with the backlog's recent history.
import { api } from './api.js';
import { h, clear, facts } from './dom.js';
import { bars, sparkline } from './chart.js';
import { notify, problemText } from './ui.js';

const REFRESH_MS = 5000;
const HISTORY = 60;
const history = { backlog: [], dead: [] };

function age(seconds) {
  if (!seconds) {
    return 'none waiting';
  }
  if (seconds < 60) {
    return `${seconds.toFixed(1)} s`;
  }
  if (seconds < 3600) {
    return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
  }
  return `${(seconds / 3600).toFixed(1)} h`;
}

function remember(list, value) {
  list.push(value);
  if (list.length > HISTORY) {
    list.shift();
  }
}

function card(title, ...content) {
  return h('section', { class: 'card', 'aria-label': title }, h('h2', {}, title), ...content);
}

function draw(body, o) {
  remember(history.backlog, o.backlog.total);
  remember(history.dead, o.deadLettersOpen);
  const intake = Object.entries(o.intake).map(([label, value]) => ({
    label, value, kind: label === 'accepted' ? 'ok' : label === 'duplicate' ? 'warn' : 'bad',
  }));
  const systems = Object.entries(o.downstream);
  const downstream = systems.map(([system, s]) => ({ label: system, value: s.errors, kind: s.errors ? 'bad' : 'ok' }));
  clear(body).append(
    h('div', { class: 'cards' },
      card('Open dead letters',
        h('p', { class: `big ${o.deadLettersOpen ? 'bad' : 'ok'}`, id: 'dead-letters-open' }, String(o.deadLettersOpen)),
        h('p', {}, h('a', { href: '#/dead-letters' }, 'See the dead letters')),
        sparkline('Open dead letters, recent refreshes', history.dead)),
      card('Backlog',
        h('p', { class: 'big', id: 'backlog-total' }, String(o.backlog.total)),
        facts([['Received', o.backlog.received], ['Processing', o.backlog.processing], ['Waiting', o.backlog.waiting],
          ['Oldest', age(o.backlog.oldestAgeSeconds)]]),
        sparkline('Backlog, recent refreshes', history.backlog)),
      card('Intake by outcome',
        intake.length ? bars('Webhooks answered by outcome', intake) : h('p', { class: 'empty' }, 'No webhooks yet.'),
        h('p', { class: 'hint' }, 'Webhooks this node answered since it started.')),
      card('Downstream errors per system',
        downstream.length ? bars('Downstream calls not answered 2xx, per system', downstream)
          : h('p', { class: 'empty' }, 'No downstream calls yet.'),
        h('p', { class: 'hint' }, systems.map(([system, s]) => `${system}: ${s.errors} of ${s.total} calls failed`).join(' · ')
          || 'Calls this node made since it started.'))),
    h('p', { class: 'hint' }, 'Updated ', h('time', { datetime: o.at }, new Date(o.at).toLocaleTimeString()),
      `, every ${REFRESH_MS / 1000} s.`));
}

export async function renderOverview(root) {
  const body = h('div', { id: 'overview-body' });
  root.append(h('h1', {}, 'Overview'), body);
  draw(body, await api('GET', '/admin/overview'));
  const timer = setInterval(async () => {
    try {
      draw(body, await api('GET', '/admin/overview'));
    } catch (error) {
      notify(`Overview not refreshed: ${problemText(error)}`, 'error');
    }
  }, REFRESH_MS);
  return () => clearInterval(timer);
}
