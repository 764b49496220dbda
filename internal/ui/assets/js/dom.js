// Small helpers to build DOM nodes. Text is always added as text nodes:
// nothing from the API is ever parsed as HTML.

const SVG = 'http://www.w3.org/2000/svg';

/**
 * h builds an element. props: attributes; on<event> functions become
 * listeners; false/null values are skipped. A tag "svg:rect" is made in
 * the SVG namespace. Children may be nodes, strings, numbers or arrays.
 */
export function h(tag, props, ...children) {
  const el = tag.startsWith('svg:') ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v == null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'value' && 'value' in el) el.value = v;
    else if (k === 'checked') el.checked = Boolean(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

/** append adds children (nodes, text, nested arrays) to el. */
export function append(el, children) {
  for (const c of [children].flat(Infinity)) {
    if (c == null || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

/** fill replaces el's children. */
export function fill(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

/** hidden is text for screen readers only. */
export function hidden(text) {
  return h('span', { class: 'sr-only' }, text);
}

/** timeEl shows a relative time with the exact time as its title. */
export function timeEl(ts, text) {
  if (!ts) return h('span', { class: 'muted' }, 'never');
  return h('time', { datetime: ts, title: new Date(ts).toLocaleString() }, text);
}

/**
 * keepFocus runs redraw, which replaces container's content, and gives
 * focus back to the new link or button that stands for the one focused
 * before (same href or data-rollback), so that live updates do not lose
 * the keyboard user's place.
 */
export function keepFocus(container, redraw) {
  const key = (el) => el.getAttribute('href') || el.dataset.rollback || null;
  const el = document.activeElement;
  const id = el && el !== document.body && container.contains(el) ? key(el) : null;
  redraw();
  if (!id) return;
  const again = [...container.querySelectorAll('a[href], button')].find((x) => key(x) === id);
  if (again) again.focus({ preventScroll: true });
}
