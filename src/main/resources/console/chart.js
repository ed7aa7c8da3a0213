// Small hand-made SVG charts (no library): horizontal bars and a sparkline. Labels are text nodes.
const NS = 'http://www.w3.org/2000/svg';

function svg(tag, attrs, text) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    el.setAttribute(k, String(v));
  }
  if (text !== undefined) {
    el.textContent = text;
  }
  return el;
}

/** Horizontal bars: [{label, value, kind}] (kind: ok, warn, bad), with a text title for screen readers. */
export function bars(title, items) {
  const rowH = 26;
  const width = 360;
  const labelW = 130;
  const max = Math.max(1, ...items.map((i) => i.value));
  const root = svg('svg', { viewBox: `0 0 ${width} ${Math.max(1, items.length) * rowH + 4}`, role: 'img', class: 'chart' });
  root.append(svg('title', {}, `${title}: ${items.map((i) => `${i.label} ${i.value}`).join(', ') || 'none'}`));
  items.forEach((item, n) => {
    const y = n * rowH + 4;
    const w = Math.round(((width - labelW - 50) * item.value) / max);
    root.append(svg('text', { x: labelW - 6, y: y + 15, 'text-anchor': 'end', class: 'chart-label' }, item.label));
    root.append(svg('rect', { x: labelW, y, width: Math.max(w, item.value > 0 ? 2 : 0), height: rowH - 8, class: `bar ${item.kind || 'ok'}` }));
    root.append(svg('text', { x: labelW + w + 6, y: y + 15, class: 'chart-value' }, String(item.value)));
  });
  return root;
}

/** A line over the last values (oldest first), with its latest value. */
export function sparkline(title, values) {
  const width = 360;
  const height = 60;
  const max = Math.max(1, ...values);
  const step = values.length > 1 ? width / (values.length - 1) : width;
  const points = values.map((v, i) => `${(i * step).toFixed(1)},${(height - 4 - ((height - 8) * v) / max).toFixed(1)}`);
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', class: 'chart spark' });
  root.append(svg('title', {}, `${title}: latest ${values.length ? values[values.length - 1] : 0}, highest ${max}`));
  root.append(svg('line', { x1: 0, y1: height - 4, x2: width, y2: height - 4, class: 'axis' }));
  if (values.length > 1) {
    root.append(svg('polyline', { points: points.join(' '), class: 'line' }));
  }
  return root;
}
