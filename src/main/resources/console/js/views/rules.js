import { h, show, field, table, badge, lines, words, markError, findField, uniqueId } from '../dom.js';
import { api, query } from '../api.js';
import { time, list as listOf, seconds } from '../format.js';
import { confirmDialog } from '../dialog.js';
import { KNOWN_CLAIMS, OPERATORS, arity } from '../claims.js';
import { showProblem, hideProblem, conflictPanel, debounced } from './common.js';

const PAGE = 100;
const CONDITIONS_PAGE = 50;

// ---------------------------------------------------------------- the table

export async function list(main, context, parameters) {
  const issuer = parameters.get('issuer') || '';
  const cursor = parameters.get('cursor') || '';
  const [issuers, page] = await Promise.all([
    api('GET', '/admin/v1/issuers', { signal: context.signal }),
    api('GET', `/admin/v1/rules${query({ issuer, limit: PAGE, cursor })}`, { signal: context.signal }),
  ]);
  let rules = issuer ? page.data.filter((r) => r.issuer === issuer) : page.data;
  let next = page.cursor ? `#/rules${query({ issuer, cursor: page.cursor })}` : null;
  // A Ferry that does not page answers every rule: page in the browser then, PAGE rows at a time.
  if (page.data.length > PAGE) {
    const index = Number(parameters.get('page') || 0);
    next = (index + 1) * PAGE < rules.length ? `#/rules${query({ issuer, page: index + 1 })}` : null;
    rules = rules.slice(index * PAGE, (index + 1) * PAGE);
  }
  const filter = h('select', { id: 'rules-issuer' },
    h('option', { value: '' }, 'All issuers'),
    issuers.data.map((i) => h('option', { value: i.name }, i.name)));
  filter.value = issuer;
  filter.addEventListener('change', () => context.navigate(`#/rules${query({ issuer: filter.value })}`));
  const first = cursor || parameters.get('page');

  show(main,
    h('h1', {}, issuer ? `Rules of ${issuer}` : 'Rules'),
    h('p', { class: 'lead' }, 'Trust rules decide which CI tokens get which access tokens. Deny rules win; then an allow'
      + ' rule whose conditions all hold grants its targets and scopes.'),
    h('div', { class: 'toolbar' },
      h('div', { class: 'field inline' }, h('label', { for: 'rules-issuer' }, 'Issuer'), filter),
      context.canWrite && h('a', { class: 'button primary', id: 'new-rule', href: `#/rules/new${query({ issuer })}` }, 'New rule')),
    table('Rules', [
      ['Name', (r) => h('a', { href: `#/rules/${encodeURIComponent(r.name)}` }, r.name)],
      ['Effect', (r) => badge(r.effect, r.effect === 'deny' ? 'deny' : 'allow')],
      ['Issuer', (r) => r.issuer],
      ['Targets', (r) => listOf(r.targets, r.effect === 'deny' ? 'every target' : '—')],
      ['Scopes', (r) => listOf(r.scopes)],
      ['Lifetime', (r) => seconds(r.ttlSeconds)],
      ['DPoP', (r) => (r.requireDpop ? badge('required', 'ok') : h('span', { class: 'muted' }, 'optional'))],
      ['Status', (r) => (r.enabled ? badge('enabled', 'ok') : badge('disabled', 'off'))],
      ['Warnings', (r) => warningBadge(r.warnings || [])],
    ], rules, { empty: issuer ? `Issuer ${issuer} has no rules yet.` : 'No rules yet.' }),
    h('nav', { class: 'pager', 'aria-label': 'Pages of rules' },
      first && h('a', { href: `#/rules${query({ issuer })}`, class: 'button' }, 'First page'),
      next && h('a', { href: next, class: 'button', id: 'rules-next', rel: 'next' }, 'Next page')));
}

function warningBadge(warnings) {
  if (!warnings.length) return h('span', { class: 'muted' }, 'none');
  const label = `${warnings.length} warning${warnings.length === 1 ? '' : 's'}`;
  return h('span', { class: 'badge badge-warn', title: warnings.map((w) => w.code).join(', ') }, label);
}

// ---------------------------------------------------------------- the editor

export async function create(main, context, parameters) {
  const { data: issuers } = await api('GET', '/admin/v1/issuers', { signal: context.signal });
  if (!issuers.length) {
    show(main, h('h1', {}, 'New rule'),
      h('p', { class: 'empty' }, 'A rule judges the tokens of one issuer, and there is no issuer yet. ',
        h('a', { href: '#/issuers/new' }, 'Create the issuer first.')));
    return undefined;
  }
  const issuer = parameters.get('issuer') || (issuers[0] && issuers[0].name) || '';
  return editor(main, context, issuers, null, {
    name: '', issuer, description: '', effect: 'allow', enabled: true, targets: [], scopes: [], ttlSeconds: null,
    conditions: [{ claim: '', operator: 'equals', value: '' }],
  });
}

export async function edit(main, context, parameters, name) {
  const [issuers, rule] = await Promise.all([
    api('GET', '/admin/v1/issuers', { signal: context.signal }),
    api('GET', `/admin/v1/rules/${encodeURIComponent(name)}`, { signal: context.signal }),
  ]);
  return editor(main, context, issuers.data, { rule: rule.data, etag: rule.etag }, rule.data);
}

function editor(main, context, issuers, loaded, initial) {
  const creating = !loaded;
  let stored = loaded ? loaded.rule : null;
  let etag = loaded ? loaded.etag : null;
  const model = {
    ...initial,
    conditions: (initial.conditions || []).map((c) => ({ ...c, values: c.values ? [...c.values] : undefined })),
  };
  let page = 0;
  let lastWarnings = loaded ? stored.warnings || [] : [];

  const name = h('input', { type: 'text', id: 'rule-name', value: model.name, readOnly: !creating, autocomplete: 'off',
    spellcheck: 'false', required: true });
  const issuer = h('select', { id: 'rule-issuer' }, issuers.map((i) => h('option', { value: i.name }, `${i.name} (${i.type})`)));
  issuer.value = model.issuer;
  const description = h('textarea', { id: 'rule-description', rows: 2 });
  description.value = model.description || '';
  const allow = h('input', { type: 'radio', name: 'effect', id: 'rule-effect-allow', value: 'allow', checked: model.effect !== 'deny' });
  const deny = h('input', { type: 'radio', name: 'effect', id: 'rule-effect-deny', value: 'deny', checked: model.effect === 'deny' });
  const enabled = h('input', { type: 'checkbox', id: 'rule-enabled', checked: model.enabled !== false });
  const requireDpop = h('input', { type: 'checkbox', id: 'rule-require-dpop', checked: model.requireDpop === true });
  const targets = h('textarea', { id: 'rule-targets', rows: 2, spellcheck: 'false' });
  targets.value = (model.targets || []).join('\n');
  const scopes = h('input', { type: 'text', id: 'rule-scopes', value: (model.scopes || []).join(' '), spellcheck: 'false' });
  const ttl = h('input', { type: 'number', id: 'rule-ttl', min: 60, value: model.ttlSeconds ?? '', placeholder: 'default' });

  const claimsList = h('datalist', { id: uniqueId('claims') });
  const conditionList = h('ol', { class: 'conditions', id: 'rule-conditions' });
  const conditionPager = h('nav', { class: 'pager', 'aria-label': 'Pages of conditions' });
  const addCondition = h('button', { type: 'button', id: 'add-condition' }, 'Add condition');
  const conditionCount = h('p', { class: 'hint', id: 'condition-count' });

  const summary = h('div', { class: 'error', role: 'alert', id: 'rule-problem', hidden: true });
  const status = h('p', { class: 'lint-status', id: 'lint-status', role: 'status' });
  const warningList = h('ul', { class: 'warnings', id: 'rule-warnings' });
  const conflict = h('div', { id: 'rule-conflict' });
  const save = h('button', { type: 'submit', class: 'primary', id: 'save-rule', disabled: !context.canWrite },
    creating ? 'Create rule' : 'Save rule');

  const pasted = h('textarea', { id: 'rule-json', rows: 6, spellcheck: 'false', class: 'mono' });
  const pasteProblem = h('p', { class: 'field-error', id: 'rule-json-error', hidden: true });
  const fillIn = h('details', { class: 'fill-in', id: 'rule-fill-in' },
    h('summary', {}, 'Fill in the form from a JSON definition'),
    h('p', { class: 'hint' }, 'Paste a rule definition, such as the body of a POST /admin/v1/rules or a rule from'
      + ' GET /admin/v1/export. Nothing is stored until you save.'),
    h('label', { for: 'rule-json' }, 'Rule definition (JSON)'), pasted, pasteProblem,
    h('div', { class: 'actions' }, h('button', { type: 'button', id: 'rule-json-apply', onclick: () => fillFrom(pasted.value) },
      'Fill in the form')));

  const form = h('form', { class: 'editor', novalidate: true, 'aria-labelledby': 'editor-title' },
    summary,
    creating && fillIn,
    h('div', { class: 'grid' },
      field('Name', name, { field: 'name', hint: creating ? 'A slug (a-z, 0-9, -); it cannot change later.' : 'The name cannot change.' }),
      field('Issuer', issuer, { field: 'issuer', hint: 'The issuer whose tokens this rule judges.' }),
      field('Description', description, { field: 'description', wide: true, hint: 'For operators: what this rule is for.' }),
      h('fieldset', { class: 'effect', 'data-field': 'effect' },
        h('legend', {}, 'Effect'),
        h('label', {}, allow, ' Allow: grant the targets and scopes below'),
        h('label', {}, deny, ' Deny: refuse the targets below (all targets when none is listed)')),
      h('div', { class: 'checks' }, h('label', {}, enabled, ' Enabled: a disabled rule never matches')),
      h('div', { class: 'checks', 'data-field': 'requireDpop' },
        h('label', {}, requireDpop, ' Require DPoP: grant only to a request with a DPoP proof, so only a token bound to'
          + ' the job\'s key (allow rules; let the gateways verify DPoP first)')),
      field('Targets', targets, { field: 'targets', wide: true,
        hint: 'One per line: the audience (or resource) a CI job asks /token for, exactly.' }),
      field('Scopes', scopes, { field: 'scopes', hint: 'Space-separated scopes an allow rule grants for its targets.' }),
      field('Lifetime (seconds)', ttl, { field: 'ttlSeconds', hint: 'Of the tokens it grants. Empty: ferry.token.default-ttl.' })),
    h('section', { class: 'conditions-section', 'aria-labelledby': 'conditions-title', 'data-field': 'conditions' },
      h('h2', { id: 'conditions-title' }, 'Conditions'),
      h('p', { class: 'hint' }, 'All must hold on the CI token\'s claims (a claim name or a dotted path).'),
      conditionCount, conditionPager, conditionList, claimsList,
      h('div', { class: 'actions' }, addCondition)),
    h('div', { class: 'actions' },
      save,
      h('a', { class: 'button', href: `#/rules${query({ issuer: model.issuer })}` }, 'Back to rules'),
      !creating && h('a', { class: 'button', href: `#/audit${query({ rule: stored.name })}` }, 'Its audit trail'),
      !creating && context.canWrite && h('button', { type: 'button', class: 'danger', id: 'delete-rule', onclick: () => remove() },
        'Delete rule')));

  show(main,
    h('h1', { id: 'editor-title' }, creating ? 'New rule' : `Rule ${stored.name}`),
    !creating && h('p', { class: 'meta', id: 'rule-meta' }, `Version ${stored.version} · created `, time(stored.createdAt),
      ' · changed ', time(stored.updatedAt)),
    conflict,
    h('div', { class: 'editor-layout' }, form,
      h('aside', { class: 'side', 'aria-labelledby': 'lint-title' },
        h('h2', { id: 'lint-title' }, 'Linter'),
        h('p', { class: 'hint' }, 'Ferry validates and lints the rule as you type (a dry run: nothing is stored until you save).'
          + ' Warnings never block a save; errors do.'),
        status, warningList)));

  // ------------------------------------------------------------ conditions, a page at a time

  function claimSuggestions() {
    const type = (issuers.find((i) => i.name === issuer.value) || {}).type || 'oidc';
    show(claimsList, (KNOWN_CLAIMS[type] || []).map((c) => h('option', { value: c })));
  }

  function conditionRow(condition, index) {
    const number = index + 1;
    const path = `conditions[${index}]`;
    const claim = h('input', { type: 'text', value: condition.claim || '', list: claimsList.id, spellcheck: 'false',
      autocomplete: 'off', id: `condition-${index}-claim`, dataset: { field: `${path}.claim` } });
    const operator = h('select', { id: `condition-${index}-operator`, dataset: { field: `${path}.operator` } },
      OPERATORS.map(([value, label]) => h('option', { value }, label)));
    operator.value = condition.operator || 'equals';
    const valueSlot = h('div', { class: 'value-slot' });
    const notes = h('div', { class: 'condition-notes', id: `condition-${index}-notes` });

    const renderValue = () => {
      const kind = arity(condition.operator);
      if (kind === 'none') {
        show(valueSlot, h('span', { class: 'muted' }, 'no value'));
        return;
      }
      const control = kind === 'many'
        ? h('textarea', { rows: Math.min(6, Math.max(2, (condition.values || []).length)), spellcheck: 'false',
          id: `condition-${index}-values`, dataset: { field: `${path}.values` } })
        : h('input', { type: 'text', spellcheck: 'false', autocomplete: 'off', id: `condition-${index}-value`,
          dataset: { field: `${path}.value` } });
      control.value = kind === 'many' ? (condition.values || []).join('\n') : condition.value || '';
      control.addEventListener('input', () => {
        if (kind === 'many') condition.values = lines(control.value);
        else condition.value = control.value;
      });
      show(valueSlot,
        h('label', { for: control.id }, kind === 'many' ? `Values, one per line (condition ${number})` : `Value (condition ${number})`),
        control,
        h('p', { class: 'field-error', id: `${control.id}-error`, hidden: true }));
      control.setAttribute('aria-describedby', `${control.id}-error ${notes.id}`);
    };

    claim.addEventListener('input', () => { condition.claim = claim.value; });
    operator.addEventListener('change', () => {
      const before = arity(condition.operator);
      condition.operator = operator.value;
      const after = arity(condition.operator);
      if (before !== after) {
        if (after === 'many') condition.values = condition.value ? [condition.value] : [];
        if (after === 'one') condition.value = (condition.values || [])[0] || '';
        if (after !== 'many') delete condition.values;
        if (after !== 'one') delete condition.value;
        renderValue();
      }
    });
    renderValue();
    const removeButton = h('button', { type: 'button', class: 'quiet', 'aria-label': `Remove condition ${number}`,
      onclick: () => {
        model.conditions.splice(index, 1);
        if (page * CONDITIONS_PAGE >= model.conditions.length && page > 0) page -= 1;
        renderConditions();
        check();
        const next = conditionList.querySelector('input');
        (next || addCondition).focus();
      } }, 'Remove');
    claim.setAttribute('aria-describedby', `${claim.id}-error ${notes.id}`);
    operator.setAttribute('aria-describedby', `${operator.id}-error`);
    return h('li', { class: 'condition', id: `condition-${index}`, dataset: { field: path } },
      h('span', { class: 'condition-number', 'aria-hidden': 'true' }, number),
      h('div', { class: 'condition-claim' },
        h('label', { for: claim.id }, `Claim (condition ${number})`), claim,
        h('p', { class: 'field-error', id: `${claim.id}-error`, hidden: true })),
      h('div', { class: 'condition-operator' },
        h('label', { for: operator.id }, `Operator (condition ${number})`), operator,
        h('p', { class: 'field-error', id: `${operator.id}-error`, hidden: true })),
      valueSlot,
      h('div', { class: 'condition-remove' }, removeButton),
      notes);
  }

  function renderConditions() {
    const total = model.conditions.length;
    const pages = Math.max(1, Math.ceil(total / CONDITIONS_PAGE));
    page = Math.min(page, pages - 1);
    const from = page * CONDITIONS_PAGE;
    const shown = model.conditions.slice(from, from + CONDITIONS_PAGE);
    conditionList.setAttribute('start', String(from + 1));
    show(conditionList, shown.map((condition, i) => conditionRow(condition, from + i)));
    conditionCount.textContent = total > CONDITIONS_PAGE
      ? `${total} conditions; showing ${from + 1} to ${from + shown.length}.`
      : `${total} condition${total === 1 ? '' : 's'}.`;
    show(conditionPager, pages > 1 && [
      h('button', { type: 'button', disabled: page === 0, onclick: () => { page -= 1; renderConditions(); } }, 'Previous conditions'),
      h('span', {}, `Page ${page + 1} of ${pages}`),
      h('button', { type: 'button', id: 'conditions-next', disabled: page === pages - 1,
        onclick: () => { page += 1; renderConditions(); } }, 'Next conditions'),
    ]);
    applyNotes();
  }

  /** Makes condition {@code index} (or the one a field path names) visible. */
  function reveal(path) {
    const match = /^conditions\[(\d+)\]/.exec(path || '');
    if (!match) return;
    const wanted = Math.floor(Number(match[1]) / CONDITIONS_PAGE);
    if (wanted !== page) {
      page = wanted;
      renderConditions();
    }
  }

  function applyNotes() {
    for (const notes of conditionList.querySelectorAll('.condition-notes')) notes.replaceChildren();
    for (const warning of lastWarnings) {
      const match = /^conditions\[(\d+)\]$/.exec(warning.condition || '');
      const notes = match && document.getElementById(`condition-${match[1]}-notes`);
      if (notes) notes.append(h('p', { class: 'warning-note', dataset: { code: warning.code } }, badge('warning', 'warn'), ' ', warning.message));
    }
  }

  addCondition.addEventListener('click', () => {
    model.conditions.push({ claim: '', operator: 'equals', value: '' });
    page = Math.floor((model.conditions.length - 1) / CONDITIONS_PAGE);
    renderConditions();
    check();
    const row = document.getElementById(`condition-${model.conditions.length - 1}-claim`);
    if (row) row.focus();
  });

  // ------------------------------------------------------------ the definition, checked as you type

  function definition() {
    const body = {
      name: name.value.trim(),
      issuer: issuer.value,
      effect: deny.checked ? 'deny' : 'allow',
      conditions: model.conditions.map((c) => {
        const condition = { claim: (c.claim || '').trim(), operator: c.operator };
        const kind = arity(c.operator);
        if (kind === 'one') condition.value = c.value || '';
        if (kind === 'many') condition.values = c.values || [];
        return condition;
      }),
      targets: lines(targets.value),
      scopes: words(scopes.value),
      enabled: enabled.checked,
    };
    if (description.value.trim()) body.description = description.value;
    if (ttl.value !== '') body.ttlSeconds = Number(ttl.value);
    if (requireDpop.checked) body.requireDpop = true;
    // Acknowledged linter codes (docs/rules.md, Refused warnings) have no form field; kept as given.
    if (Array.isArray(model.acknowledged) && model.acknowledged.length) body.acknowledged = model.acknowledged;
    return body;
  }

  const path = () => (creating ? '/admin/v1/rules' : `/admin/v1/rules/${encodeURIComponent(stored.name)}`);

  function showWarnings(warnings) {
    lastWarnings = warnings;
    status.className = `lint-status ${warnings.length ? 'has-warnings' : 'clean'}`;
    status.textContent = warnings.length
      ? `${warnings.length} warning${warnings.length === 1 ? '' : 's'}`
      : 'Valid, and the linter has nothing to say.';
    show(warningList, warnings.map((warning) => {
      const match = /^conditions\[(\d+)\]$/.exec(warning.condition || '');
      return h('li', { class: 'warning', dataset: { code: warning.code } },
        h('p', {}, h('code', {}, warning.code),
          match && [' · ', h('a', { href: '#', onclick: (event) => {
            event.preventDefault();
            reveal(warning.condition);
            const claim = document.getElementById(`condition-${match[1]}-claim`);
            if (claim) claim.focus();
          } }, `condition ${Number(match[1]) + 1}`)]),
        h('p', {}, warning.message),
        warning.suggestedFix && h('p', { class: 'fix' }, h('strong', {}, 'Fix: '), warning.suggestedFix));
    }));
    applyNotes();
  }

  const check = debounced(async (signal, latest) => {
    const body = definition();
    status.className = 'lint-status checking';
    status.textContent = 'Checking…';
    try {
      const { data } = await api(creating ? 'POST' : 'PUT', `${path()}?dryRun=true`, { body, signal });
      if (!latest()) return;
      hideProblem(form, summary);
      showWarnings(data.warnings || []);
    } catch (error) {
      if (error.name === 'AbortError' || !latest()) return;
      if (error.type === 'urn:ferry:problem:refused-by-linter') {
        // Valid, but ferry.lint.refuse refuses it: every warning, and which of them refuse it.
        showProblem(form, summary, error, reveal);
        showWarnings(error.problem.warnings || []);
        status.className = 'lint-status invalid';
        status.textContent = `Refused by ferry.lint.refuse (${(error.problem.refused || []).join(', ')}): fix the rule,`
          + ' or acknowledge the code with a reason.';
        return;
      }
      showProblem(form, summary, error, reveal);
      status.className = 'lint-status invalid';
      status.textContent = 'Not valid: Ferry would refuse this rule (see the error on the form).';
      show(warningList);
      lastWarnings = [];
      applyNotes();
    }
  }, 300);

  /** Puts a pasted definition's fields into the form; what it leaves out keeps its default. */
  function fillFrom(text) {
    let given;
    try {
      given = JSON.parse(text);
      if (!given || typeof given !== 'object' || Array.isArray(given)) throw new Error();
    } catch {
      pasteProblem.textContent = 'This is not a JSON object.';
      pasteProblem.hidden = false;
      return;
    }
    pasteProblem.hidden = true;
    if (typeof given.name === 'string') name.value = given.name;
    if (typeof given.issuer === 'string') issuer.value = given.issuer;
    description.value = given.description || '';
    deny.checked = given.effect === 'deny';
    allow.checked = !deny.checked;
    enabled.checked = given.enabled !== false;
    requireDpop.checked = given.requireDpop === true;
    targets.value = (given.targets || []).join('\n');
    scopes.value = (given.scopes || []).join(' ');
    ttl.value = given.ttlSeconds ?? '';
    model.conditions = (Array.isArray(given.conditions) ? given.conditions : []).map((c) => ({ ...c }));
    model.acknowledged = Array.isArray(given.acknowledged) ? given.acknowledged : [];
    page = 0;
    fillIn.open = false;
    claimSuggestions();
    renderConditions();
    check();
    name.focus();
  }

  issuer.addEventListener('change', claimSuggestions);
  form.addEventListener('input', () => check());
  form.addEventListener('change', () => check());
  context.onLeave(() => check.cancel());
  claimSuggestions();
  renderConditions();
  if (creating) {
    status.textContent = 'Fill in the rule: Ferry checks it as you type.';
  } else {
    showWarnings(lastWarnings);
  }

  // ------------------------------------------------------------ saving, without overwriting anyone

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    await write(null);
  });

  async function write(ifMatch) {
    const body = definition();
    check.cancel();
    save.disabled = true;
    try {
      if (creating) {
        await api('POST', '/admin/v1/rules', { body });
        context.navigate(`#/rules/${encodeURIComponent(body.name)}`, `Rule ${body.name} created.`);
        return;
      }
      const response = await api('PUT', path(), { body, ifMatch: ifMatch || etag });
      stored = response.data;
      etag = response.etag;
      save.disabled = false;
      show(conflict);
      show(document.getElementById('rule-meta'), `Version ${stored.version} · created `, time(stored.createdAt), ' · changed ',
        time(stored.updatedAt));
      hideProblem(form, summary);
      showWarnings(stored.warnings || []);
      context.notice(`Rule ${stored.name} saved (version ${stored.version}).`);
    } catch (error) {
      save.disabled = false;
      if (error.status === 412) {
        const fresh = await api('GET', path());
        show(conflict, conflictPanel({
          what: 'rule',
          stored: fresh.data,
          mine: body,
          onReload: () => context.navigate(`#/rules/${encodeURIComponent(stored.name)}`, 'Loaded the stored version.'),
          onOverwrite: async () => {
            const sure = await confirmDialog({
              title: 'Save your version over the stored one?',
              body: h('p', {}, `The changes of version ${fresh.data.version} are replaced by yours. The audit log keeps both.`),
              confirmLabel: 'Save my version',
              danger: true,
            });
            if (sure) await write(fresh.etag);
          },
        }));
        const heading = conflict.querySelector('h2');
        heading.setAttribute('tabindex', '-1');
        heading.focus();
        return;
      }
      showProblem(form, summary, error, reveal);
      const control = error.field && findField(form, error.field);
      if (control) {
        markError(form, error.field, error.message);
        control.focus();
      }
    }
  }

  async function remove() {
    const sure = await confirmDialog({
      title: `Delete rule ${stored.name}?`,
      body: h('p', {}, 'Exchanges it allowed are refused from now on (unless another rule allows them). The audit log keeps'
        + ' its definition.'),
      confirmLabel: 'Delete rule',
      danger: true,
    });
    if (!sure) return;
    try {
      await api('DELETE', path());
      context.navigate(`#/rules${query({ issuer: stored.issuer })}`, `Rule ${stored.name} deleted.`);
    } catch (error) {
      context.notice(error.message, 'error');
    }
  }
}
