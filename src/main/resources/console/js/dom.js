// DOM building without HTML strings: whatever a caller passes (claims, descriptions, errors) becomes
// text, never markup. The console's Content-Security-Policy enforces Trusted Types, so assigning an
// HTML string to an element would throw anyway.

/**
 * h('a', {href: '#/rules', class: 'button'}, 'Rules') → <a href="#/rules" class="button">Rules</a>
 * Attributes: class (string or array), text, on<event> (function), dataset (object), value, checked,
 * selected, disabled, hidden (booleans); null, undefined and false leave an attribute out.
 */
export function h(tag, attributes, ...children) {
  const element = document.createElement(tag);
  let value;
  for (const [name, given] of Object.entries(attributes || {})) {
    if (given === null || given === undefined || given === false) continue;
    if (name === 'class') element.className = Array.isArray(given) ? given.filter(Boolean).join(' ') : given;
    else if (name === 'text') element.textContent = given;
    else if (name === 'value') value = given;
    else if (name === 'checked' || name === 'selected' || name === 'disabled' || name === 'hidden'
        || name === 'required' || name === 'readOnly' || name === 'multiple') element[name] = Boolean(given);
    else if (name === 'dataset') Object.assign(element.dataset, given);
    else if (name.startsWith('on') && typeof given === 'function') element.addEventListener(name.slice(2), given);
    else element.setAttribute(name, given === true ? '' : String(given));
  }
  append(element, children);
  if (value !== undefined) element.value = value;
  return element;
}

export function append(parent, children) {
  for (const child of [children].flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : String(child));
  }
  return parent;
}

/** Replaces the children of {@code parent}. */
export function show(parent, ...children) {
  parent.replaceChildren();
  return append(parent, children);
}

/** A label and its control, with an optional hint and an error slot tied to it by aria-describedby. */
export function field(label, control, { hint, field: path, wide } = {}) {
  const id = control.id || (control.id = uniqueId('f'));
  const hintId = hint ? id + '-hint' : null;
  const errorId = id + '-error';
  control.setAttribute('aria-describedby', [hintId, errorId].filter(Boolean).join(' '));
  if (path) control.dataset.field = path;
  return h('div', { class: ['field', wide && 'wide'] },
    h('label', { for: id }, label),
    control,
    hint && h('p', { class: 'hint', id: hintId }, hint),
    h('p', { class: 'field-error', id: errorId, hidden: true }));
}

/** Shows {@code message} as the error of the control with {@code data-field = path} inside {@code root}. */
export function markError(root, path, message) {
  const control = findField(root, path);
  if (!control) return false;
  control.setAttribute('aria-invalid', 'true');
  const slot = document.getElementById(control.id + '-error');
  if (slot) {
    slot.textContent = message;
    slot.hidden = false;
  }
  return true;
}

export function clearErrors(root) {
  for (const control of root.querySelectorAll('[aria-invalid="true"]')) control.removeAttribute('aria-invalid');
  for (const slot of root.querySelectorAll('.field-error')) {
    slot.textContent = '';
    slot.hidden = true;
  }
}

/** The control for an API field path: exact, else without its last index or member (targets[2] → targets). */
export function findField(root, path) {
  if (!path) return null;
  let candidate = path;
  while (candidate) {
    const control = [...root.querySelectorAll('[data-field]')].find((c) => c.dataset.field === candidate);
    if (control) return control;
    const cut = Math.max(candidate.lastIndexOf('['), candidate.lastIndexOf('.'));
    candidate = cut > 0 ? candidate.slice(0, cut) : '';
  }
  return null;
}

let counter = 0;
export function uniqueId(prefix) {
  counter += 1;
  return `${prefix}-${counter}`;
}

/** A table whose rows are {@code rows}; {@code columns} are [heading, cell(row) → node or text]. */
export function table(caption, columns, rows, { empty } = {}) {
  if (!rows.length && empty) return h('p', { class: 'empty' }, empty);
  return h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': caption },
    h('table', {},
      h('caption', { class: 'visually-hidden' }, caption),
      h('thead', {}, h('tr', {}, columns.map(([heading]) => h('th', { scope: 'col' }, heading)))),
      h('tbody', {}, rows.map((row) => h('tr', {}, columns.map(([, cell], i) => {
        const content = cell(row);
        return i === 0 ? h('th', { scope: 'row' }, content) : h('td', {}, content);
      }))))));
}

export function badge(text, kind) {
  return h('span', { class: ['badge', kind && `badge-${kind}`] }, text);
}

/** Text split on commas, spaces or line breaks, without empty entries. */
export function words(text) {
  return String(text || '').split(/[\s,]+/).map((w) => w.trim()).filter(Boolean);
}

/** Text split on line breaks only (values may hold spaces), without empty lines. */
export function lines(text) {
  return String(text || '').split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
}
