import { h, show, field, table, badge } from '../dom.js';
import { api, query } from '../api.js';
import { time, json, toLocalInput, fromLocalInput } from '../format.js';

const FILTERS = ['kind', 'outcome', 'issuer', 'subject', 'rule', 'target', 'since', 'until'];

export async function list(main, context, parameters) {
  const filters = Object.fromEntries(FILTERS.map((name) => [name, parameters.get(name) || '']));
  const limit = parameters.get('limit') || '50';
  const cursor = parameters.get('cursor') || '';
  const [issuers, page] = await Promise.all([
    api('GET', '/admin/v1/issuers', { signal: context.signal }),
    api('GET', `/admin/v1/audit${query({ ...filters, limit, cursor })}`, { signal: context.signal }).catch((error) => error),
  ]);

  const kind = h('select', { id: 'audit-kind' }, option('', 'Exchanges and changes'), option('exchange', 'Exchanges'),
    option('admin', 'Admin changes'));
  kind.value = filters.kind;
  const outcome = h('select', { id: 'audit-outcome' }, option('', 'Any'), option('refused', 'Refused'),
    option('issued', 'Issued'), option('applied', 'Applied (admin changes)'));
  outcome.value = filters.outcome;
  const issuer = h('select', { id: 'audit-issuer' }, option('', 'Any'), issuers.data.map((i) => option(i.name, i.name)));
  issuer.value = filters.issuer;
  const subject = h('input', { type: 'text', id: 'audit-subject', value: filters.subject, spellcheck: 'false' });
  const rule = h('input', { type: 'text', id: 'audit-rule', value: filters.rule, spellcheck: 'false' });
  const target = h('input', { type: 'text', id: 'audit-target', value: filters.target, spellcheck: 'false' });
  const since = h('input', { type: 'datetime-local', id: 'audit-since', step: 1, value: filters.since ? toLocalInput(filters.since) : '' });
  const until = h('input', { type: 'datetime-local', id: 'audit-until', step: 1, value: filters.until ? toLocalInput(filters.until) : '' });
  const size = h('select', { id: 'audit-limit' }, ['25', '50', '100', '200'].map((n) => option(n, n)));
  size.value = limit;

  const filterForm = h('form', { class: 'filters', 'aria-label': 'Filters' },
    field('Kind', kind), field('Outcome', outcome), field('Issuer', issuer),
    field('Subject (sub, exactly)', subject), field('Rule', rule, { hint: 'Exchanges it matched; changes to it.' }),
    field('Target', target), field('From (local time)', since), field('Until (local time)', until),
    field('Per page', size),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'primary', id: 'audit-apply' }, 'Show'),
      h('a', { class: 'button', href: '#/audit' }, 'Clear')));
  filterForm.addEventListener('submit', (event) => {
    event.preventDefault();
    context.navigate(`#/audit${query({
      kind: kind.value, outcome: outcome.value, issuer: issuer.value, subject: subject.value.trim(), rule: rule.value.trim(),
      target: target.value.trim(), since: fromLocalInput(since.value), until: fromLocalInput(until.value),
      limit: size.value === '50' ? '' : size.value,
    })}`);
  });

  if (page instanceof Error) {
    if (page.name === 'AbortError') throw page;
    show(main, h('h1', {}, 'Audit log'), filterForm,
      h('p', { class: 'error', role: 'alert', id: 'audit-problem' }, page.field ? `${page.field}: ${page.message}` : page.message));
    return;
  }
  const events = page.data.events || [];
  const same = { ...filters, limit: limit === '50' ? '' : limit };
  show(main,
    h('h1', {}, 'Audit log'),
    h('p', { class: 'lead' }, 'Every exchange and every change, newest first.'),
    filterForm,
    table('Audit events', [
      ['When', (e) => h('a', { href: e.kind === 'exchange' ? `#/exchanges/${e.id}` : `#/audit/${e.id}` }, time(e.occurredAt))],
      ['Outcome', (e) => badge(e.outcome, { refused: 'deny', issued: 'ok', applied: 'info' }[e.outcome])],
      ['Issuer', (e) => (e.issuer ? h('a', { href: `#/issuers/${encodeURIComponent(e.issuer)}` }, e.issuer) : '—')],
      ['Subject or who', (e) => h('code', {}, e.subject || e.principal || '—')],
      ['Target or change', (e) => (e.kind === 'exchange' ? h('code', {}, e.target || '—')
        : `${e.action} ${e.entityType}${e.entityName ? ` ${e.entityName}` : ''}`)],
      ['Error', (e) => (e.error ? [h('code', {}, e.error), ' ', e.errorDescription || ''] : '—')],
      ['Rules', (e) => ruleLinks(e)],
      ['', (e) => (e.kind === 'exchange'
        ? h('a', { href: `#/exchanges/${e.id}`, class: 'explain-link', dataset: { id: e.id } }, 'Explain')
        : h('a', { href: `#/audit/${e.id}` }, 'Details'))],
    ], events, { empty: 'No event matches these filters.' }),
    h('nav', { class: 'pager', 'aria-label': 'Pages of events' },
      cursor && h('a', { class: 'button', href: `#/audit${query(same)}` }, 'Newest'),
      page.data.next && h('a', { class: 'button', id: 'audit-next', rel: 'next', href: `#/audit${query({ ...same, cursor: page.data.next })}` },
        'Older events')));
}

function ruleLinks(event) {
  const names = event.kind === 'exchange' ? event.matchedRules || [] : event.entityType === 'rule' && event.entityName ? [event.entityName] : [];
  if (!names.length) return h('span', { class: 'muted' }, '—');
  return h('ul', { class: 'inline-list' }, names.map((n) => h('li', {}, h('a', { href: `#/rules/${encodeURIComponent(n)}` }, n))));
}

function option(value, label) {
  return h('option', { value }, label);
}

/** One event; an exchange opens with its explanation. */
export async function event(main, context, parameters, id) {
  const { data } = await api('GET', `/admin/v1/audit/${encodeURIComponent(id)}`, { signal: context.signal });
  if (data.kind === 'exchange') {
    context.navigate(`#/exchanges/${encodeURIComponent(id)}`);
    return;
  }
  const entity = data.entityName && (data.entityType === 'rule' || data.entityType === 'issuer')
    ? h('a', { href: `#/${data.entityType}s/${encodeURIComponent(data.entityName)}` }, data.entityName) : data.entityName;
  show(main,
    h('h1', {}, `Change: ${data.action} ${data.entityType}`),
    h('dl', { class: 'facts card', id: 'audit-event' },
      h('dt', {}, 'Id'), h('dd', {}, h('code', {}, data.id)),
      h('dt', {}, 'When'), h('dd', {}, time(data.occurredAt)),
      h('dt', {}, 'Who'), h('dd', {}, h('code', {}, data.principal || '—')),
      h('dt', {}, 'What'), h('dd', {}, `${data.action} ${data.entityType} `, entity || '')),
    h('div', { class: 'before-after' },
      h('section', { 'aria-labelledby': 'before-title' }, h('h2', { id: 'before-title' }, 'Before'),
        data.before ? json(data.before) : h('p', { class: 'muted' }, 'Nothing (created).')),
      h('section', { 'aria-labelledby': 'after-title' }, h('h2', { id: 'after-title' }, 'After'),
        data.after ? json(data.after) : h('p', { class: 'muted' }, 'Nothing (deleted).'))),
    h('p', {}, h('a', { href: data.entityType === 'rule' ? `#/audit${query({ rule: data.entityName })}` : '#/audit' },
      'Back to the audit log')));
}
