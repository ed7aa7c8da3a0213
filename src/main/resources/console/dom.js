// Building the page with DOM APIs only: every string becomes a text node, never markup.

/**
 * h('button', {type: 'button', onclick: fn, class: 'x'}, 'label', child...): an element. Attributes
 * are set with setAttribute, handlers with addEventListener, children appended (strings as text).
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) {
      continue;
    }
    if (name.startsWith('on') && typeof value === 'function') {
      el.addEventListener(name.slice(2), value);
    } else if (name === 'value') {
      el.value = value;
    } else {
      el.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) {
      continue;
    }
    if (Array.isArray(child)) {
      append(el, child);
    } else if (child instanceof Node) {
      el.appendChild(child);
    } else {
      el.appendChild(document.createTextNode(String(child)));
    }
  }
}

export function clear(el) {
  while (el.firstChild) {
    el.removeChild(el.firstChild);
  }
  return el;
}

/** A time as the operator's locale shows it, with the ISO instant as its title; "—" when empty. */
export function time(iso) {
  if (!iso) {
    return h('span', { class: 'muted' }, '—');
  }
  const d = new Date(iso);
  return h('time', { datetime: iso, title: iso }, Number.isNaN(d.getTime()) ? iso : d.toLocaleString());
}

export function text(value) {
  return value === undefined || value === null || value === '' ? '—' : String(value);
}

/** A definition list of [label, value] pairs (value: a string or a node). */
export function facts(pairs) {
  return h('dl', { class: 'facts' }, pairs.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v instanceof Node ? v : text(v))]));
}

/** A table with a caption, column headings and rows of cells (strings or nodes). */
export function table(caption, headings, rows, empty) {
  if (rows.length === 0) {
    return h('p', { class: 'empty' }, empty || 'Nothing here.');
  }
  return h('div', { class: 'table-wrap' },
    h('table', {},
      h('caption', {}, caption),
      h('thead', {}, h('tr', {}, headings.map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, rows.map((cells) => h('tr', {}, cells.map((c) => h('td', {}, c instanceof Node ? c : text(c))))))));
}

/** A labelled form field: label, control, optional hint. */
export function field(label, control, hint) {
  const id = control.id || `f-${Math.random().toString(36).slice(2, 9)}`;
  control.id = id;
  const hintEl = hint ? h('span', { class: 'hint', id: `${id}-hint` }, hint) : null;
  if (hintEl) {
    control.setAttribute('aria-describedby', hintEl.id);
  }
  return h('div', { class: 'field' }, h('label', { for: id }, label), control, hintEl);
}

export function select(attrs, options, chosen) {
  return h('select', attrs, options.map(([value, label]) => h('option', { value, selected: value === chosen }, label)));
}

/** The payload or any JSON value, pretty-printed as text. */
export function json(value) {
  return h('pre', { class: 'json', tabindex: '0' }, typeof value === 'string' ? value : JSON.stringify(value, null, 2));
}

/**
 * A modal confirmation (a native dialog: focus is trapped, Escape cancels). Resolves true when
 * the operator confirms.
 */
export function confirmDialog(title, message, confirmLabel) {
  return new Promise((resolve) => {
    const dialog = h('dialog', { class: 'confirm', 'aria-labelledby': 'confirm-title' });
    const done = (answer) => {
      dialog.close();
      dialog.remove();
      resolve(answer);
    };
    dialog.append(
      h('h2', { id: 'confirm-title' }, title),
      h('p', {}, message),
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'secondary', onclick: () => done(false) }, 'Cancel'),
        h('button', { type: 'button', class: 'danger', id: 'confirm-ok', onclick: () => done(true) }, confirmLabel)));
    dialog.addEventListener('cancel', (e) => {
      e.preventDefault();
      done(false);
    });
    document.body.append(dialog);
    dialog.showModal();
    dialog.querySelector('#confirm-ok').focus();
  });
}
