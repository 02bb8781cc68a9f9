import { h, show, markError, clearErrors, findField } from '../dom.js';
import { time } from '../format.js';

/**
 * Shows an API error: inline at its field when that field is on screen, always in the form's
 * summary. {@code reveal(field)} brings a field that is not on screen into view (another page of
 * conditions, say).
 */
export function showProblem(form, summary, error, reveal) {
  clearErrors(form);
  const placed = error.field ? markError(form, error.field, error.message) : false;
  const go = (event) => {
    event.preventDefault();
    if (reveal) reveal(error.field);
    markError(form, error.field, error.message);
    const control = findField(form, error.field);
    if (control) control.focus();
  };
  show(summary,
    h('p', {}, error.field ? h('strong', {}, `${error.field}: `) : null, error.message),
    error.field && (placed || reveal) ? h('p', {}, h('a', { href: '#', class: 'go-to-field', onclick: go }, 'Go to the field')) : null);
  summary.hidden = false;
}

export function hideProblem(form, summary) {
  clearErrors(form);
  summary.hidden = true;
  summary.replaceChildren();
}

/**
 * A write refused with 412: someone changed the definition since this editor read it. Shows what is
 * stored now next to the editor's version, field by field; nothing is overwritten unless the
 * operator asks for it.
 */
export function conflictPanel({ what, stored, mine, onReload, onOverwrite }) {
  const fields = [...new Set([...Object.keys(mine), ...Object.keys(stored)])]
    .filter((name) => !['version', 'createdAt', 'updatedAt', 'warnings'].includes(name))
    .filter((name) => JSON.stringify(normal(stored[name])) !== JSON.stringify(normal(mine[name])));
  return h('section', { class: 'conflict', role: 'alert', id: 'conflict', 'aria-labelledby': 'conflict-title' },
    h('h2', { id: 'conflict-title' }, `Someone else changed this ${what} while you were editing it`),
    h('p', {}, `Nothing was saved. The stored ${what} is now at version ${stored.version} (changed `, time(stored.updatedAt),
      '). These fields differ between what is stored and your version:'),
    h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': 'Differences' },
      h('table', { class: 'diff' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Field'), h('th', { scope: 'col' }, 'Stored now'),
          h('th', { scope: 'col' }, 'Yours (not saved)'))),
        h('tbody', {}, fields.map((name) => h('tr', { dataset: { field: name } },
          h('th', { scope: 'row' }, name),
          h('td', {}, h('pre', {}, pretty(stored[name]))),
          h('td', {}, h('pre', {}, pretty(mine[name])))))))),
    h('div', { class: 'actions' },
      h('button', { type: 'button', id: 'conflict-reload', onclick: onReload }, 'Discard my changes and load the stored version'),
      h('button', { type: 'button', class: 'danger', id: 'conflict-overwrite', onclick: onOverwrite },
        `Save my version over it (version ${stored.version})`)));
}

function normal(value) {
  return value === undefined ? null : value;
}

function pretty(value) {
  if (value === undefined || value === null) return '(none)';
  return typeof value === 'string' ? value : JSON.stringify(value, null, 2);
}

/** Runs {@code task} {@code delay} ms after the last call; a newer call supersedes older answers. */
export function debounced(task, delay) {
  let timer = null;
  let generation = 0;
  let controller = null;
  const run = () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(async () => {
      generation += 1;
      const mine = generation;
      if (controller) controller.abort();
      controller = new AbortController();
      try {
        await task(controller.signal, () => mine === generation);
      } catch (error) {
        if (error.name !== 'AbortError') throw error;
      }
    }, delay);
  };
  run.cancel = () => {
    window.clearTimeout(timer);
    if (controller) controller.abort();
  };
  return run;
}
