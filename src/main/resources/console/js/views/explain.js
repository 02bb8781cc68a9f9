import { h, show, field } from '../dom.js';
import { api, query } from '../api.js';
import { time, relative, list as listOf, json, toLocalInput, fromLocalInput } from '../format.js';
import { jwtClaims } from '../session.js';

// ---------------------------------------------------------------- "why was this run refused?"

export async function form(main, context, parameters) {
  const { data: issuers } = await api('GET', '/admin/v1/issuers', { signal: context.signal });

  const byToken = h('input', { type: 'radio', name: 'explain-input', id: 'explain-by-token', value: 'token', checked: true });
  const byClaims = h('input', { type: 'radio', name: 'explain-input', id: 'explain-by-claims', value: 'claims' });
  const token = h('textarea', { id: 'explain-token', rows: 5, spellcheck: 'false', class: 'mono', autocomplete: 'off' });
  const tokenFacts = h('div', { class: 'token-facts', id: 'explain-token-facts', 'aria-live': 'polite' });
  const issuer = h('select', { id: 'explain-issuer' }, issuers.map((i) => h('option', { value: i.name }, i.name)));
  const claims = h('textarea', { id: 'explain-claims', rows: 6, spellcheck: 'false', class: 'mono' });
  claims.value = '{\n  "sub": ""\n}';
  const target = h('input', { type: 'text', id: 'explain-target', spellcheck: 'false', required: true,
    value: parameters.get('target') || '' });
  const scope = h('input', { type: 'text', id: 'explain-scope', spellcheck: 'false', value: parameters.get('scope') || '' });
  const at = h('input', { type: 'datetime-local', id: 'explain-at', step: 1 });
  const dpopProof = h('input', { type: 'checkbox', id: 'explain-dpop-proof' });
  const tokenPart = h('div', { class: 'wide' }, field('CI token (its ID token, as the job sent it)', token, {
    field: 'token', hint: 'Pasted here, it goes to this Ferry\'s /admin/v1/evaluate only. Nothing is issued or used up.',
  }), tokenFacts);
  const claimsPart = h('div', { class: 'wide', hidden: true },
    field('Issuer', issuer, { field: 'issuer' }),
    field('Claims (JSON)', claims, { field: 'claims', hint: 'As if a valid token of this issuer carried them.' }));
  const summary = h('div', { class: 'error', role: 'alert', id: 'explain-problem', hidden: true });
  const result = h('div', { id: 'explanation', 'aria-live': 'polite' });

  const switchInput = () => {
    tokenPart.hidden = !byToken.checked;
    claimsPart.hidden = byToken.checked;
  };
  byToken.addEventListener('change', switchInput);
  byClaims.addEventListener('change', switchInput);

  token.addEventListener('input', () => describeToken(token.value.trim(), tokenFacts, at));

  const explainForm = h('form', { class: 'editor', novalidate: true, 'aria-labelledby': 'explain-title' },
    summary,
    h('fieldset', { class: 'wide' }, h('legend', {}, 'Explain'),
      h('label', {}, byToken, ' a token'), h('label', {}, byClaims, ' claims')),
    h('div', { class: 'grid' },
      tokenPart, claimsPart,
      field('Target (audience)', target, { field: 'audience', hint: 'What the job asked /token for, exactly.' }),
      field('Scope', scope, { field: 'scope', hint: 'Space-separated, as the job asked; empty: none asked for.' }),
      field('As of', at, { field: 'at', hint: 'Your local time. Validate the token as it was then: for a token that has'
        + ' expired since. Empty: now.' }),
      h('div', { class: 'checks', 'data-field': 'dpopProof' },
        h('label', {}, dpopProof, ' With a DPoP proof: the job sends one, for rules that require DPoP'))),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', id: 'explain-submit' }, 'Explain')));

  explainForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    summary.hidden = true;
    const request = { audience: target.value.trim(), scope: scope.value.trim() || null };
    if (byToken.checked) {
      request.token = token.value.trim();
    } else {
      request.issuer = issuer.value;
      try {
        request.claims = JSON.parse(claims.value);
      } catch {
        show(summary, h('p', {}, 'The claims are not valid JSON.'));
        summary.hidden = false;
        return;
      }
    }
    const instant = fromLocalInput(at.value);
    if (instant) request.at = instant;
    if (dpopProof.checked) request.dpopProof = true;
    show(result, h('p', { class: 'loading' }, 'Explaining…'));
    try {
      const { data } = await api('POST', '/admin/v1/evaluate', { body: request, signal: context.signal });
      show(result, explanation(data, { asOf: instant }));
      result.querySelector('h2').focus();
    } catch (error) {
      if (error.name === 'AbortError') return;
      show(result);
      show(summary, h('p', {}, error.field ? h('strong', {}, `${error.field}: `) : null, error.message));
      summary.hidden = false;
    }
  });

  const exchangeId = h('input', { type: 'text', id: 'exchange-id', spellcheck: 'false', autocomplete: 'off',
    placeholder: '2d0498be-e095-4275-9e2f-a2e279505c42' });
  const exchangeForm = h('form', { class: 'card', 'aria-labelledby': 'exchange-title' },
    h('h2', { id: 'exchange-title' }, 'A refused CI run'),
    field('exchange_id from the job\'s log', exchangeId, {
      hint: 'Every answer of /token carries one (a refusal in its JSON, a success in the Ferry-Exchange-Id header).',
    }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'open-exchange' }, 'Open the exchange')));
  exchangeForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const id = exchangeId.value.trim().replace(/^"|"$/g, '');
    if (id) context.navigate(`#/exchanges/${encodeURIComponent(id)}`);
  });

  show(main,
    h('h1', { id: 'explain-title' }, 'Explain a decision'),
    h('p', { class: 'lead' }, 'What /token would answer for a CI token, and why: rule by rule, condition by condition.'),
    h('div', { class: 'explain-layout' }, explainForm, exchangeForm),
    result);
}

/** Decodes (without verifying) the pasted token to say whose it is and whether it has expired. */
function describeToken(text, box, at) {
  const claims = jwtClaims(text);
  if (!text || !claims) {
    show(box, text ? h('p', { class: 'muted' }, 'This does not look like a JWT (three base64url parts).') : null);
    return;
  }
  const facts = [];
  if (claims.iss) facts.push(['Issuer (iss)', String(claims.iss)]);
  if (claims.sub) facts.push(['Subject (sub)', String(claims.sub)]);
  if (claims.aud) facts.push(['Audience (aud)', [claims.aud].flat().join(', ')]);
  const expired = typeof claims.exp === 'number' && claims.exp * 1000 <= Date.now();
  const iat = typeof claims.iat === 'number' ? new Date(claims.iat * 1000).toISOString() : null;
  show(box,
    h('dl', { class: 'facts' }, facts.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]),
      typeof claims.exp === 'number' && [h('dt', {}, 'Expires (exp)'),
        h('dd', {}, time(new Date(claims.exp * 1000).toISOString()), ` (${relative(claims.exp * 1000)})`)]),
    expired && h('p', { class: 'note', id: 'expired-note' },
      'This token has expired. Explain it as it was when it was issued? ',
      iat && h('button', { type: 'button', id: 'use-issued-at', onclick: () => { at.value = toLocalInput(iat); at.focus(); } },
        'Set "as of" to its issue time')));
}

// ---------------------------------------------------------------- an audited exchange

export async function exchange(main, context, parameters, id) {
  let event;
  try {
    ({ data: event } = await api('GET', `/admin/v1/audit/${encodeURIComponent(id)}`, { signal: context.signal }));
  } catch (error) {
    if (error.status !== 404) throw error;
    show(main, h('h1', {}, 'Exchange not found'),
      h('p', { class: 'error', role: 'alert' }, `No audited exchange has the id ${id}.`),
      h('p', {}, 'Events are written in batches a moment after the exchange: if the run just happened, try again in a'
        + ' few seconds. Events older than the audit retention (ferry.audit.retention) are gone.'),
      h('div', { class: 'actions' },
        h('button', { type: 'button', id: 'retry-exchange', onclick: () => context.navigate(location.hash) }, 'Try again'),
        h('a', { class: 'button', href: '#/explain' }, 'Back to Explain')));
    return;
  }
  if (event.kind !== 'exchange') {
    context.navigate(`#/audit/${encodeURIComponent(id)}`);
    return;
  }
  const result = h('div', { id: 'explanation' }, h('p', { class: 'loading' }, 'Explaining…'));
  show(main,
    h('h1', {}, event.outcome === 'refused' ? 'Refused exchange' : 'Exchange'),
    exchangeSummary(event),
    result);
  try {
    const { data } = await api('POST', '/admin/v1/evaluate', { body: { exchangeId: id }, signal: context.signal });
    const audited = data.audited || event;
    const then = audited.outcome === 'issued' ? 'allow' : 'deny';
    show(result,
      then !== data.decision && h('p', { class: 'note', id: 'decided-differently' },
        `Today's rules decide differently: the exchange was ${audited.outcome}, and would now be `
          + `${data.decision === 'allow' ? 'allowed' : 'refused'}. A rule or the issuer changed since; `,
        h('a', { href: `#/audit${query({ kind: 'admin', since: audited.occurredAt })}` }, 'the changes made since'), '.'),
      explanation(data, { asOf: audited.occurredAt, replay: true }),
      event.decision && h('details', { class: 'recorded' },
        h('summary', {}, 'The rules as the exchange saw them (recorded at the time)'),
        recordedDecision(event.decision)));
  } catch (error) {
    if (error.name === 'AbortError') return;
    show(result,
      h('p', { class: 'note' }, `Ferry cannot explain this exchange again (${error.message}). What it recorded at the time:`),
      event.decision ? recordedDecision(event.decision)
        : h('p', {}, 'No rule was looked at: the token was refused before the rules (see the detail above).'));
  }
}

/** The audit log's summary of a decision: each rule looked at, whether it matched, which conditions failed. */
function recordedDecision(decision) {
  const rules = Array.isArray(decision) ? decision : decision.rules || [];
  return h('div', { class: 'recorded-rules', id: 'recorded-decision' },
    rules.length ? h('ul', {}, rules.map((rule) => {
      const failed = rule.failed || (rule.conditions || []).map((c, i) => (c.holds ? null : i)).filter((i) => i !== null);
      return h('li', { dataset: { rule: rule.rule } },
        h('a', { href: `#/rules/${encodeURIComponent(rule.rule)}` }, rule.rule), ' ',
        h('span', { class: ['badge', rule.effect === 'deny' ? 'badge-deny' : 'badge-allow'] }, rule.effect), ' ',
        !rule.enabled ? 'disabled' : rule.matched ? 'matched'
          : `did not match: condition${failed.length === 1 ? '' : 's'} ${failed.map((i) => i + 1).join(', ')} failed`);
    })) : h('p', {}, 'No rule could match these claims and this target.'),
    decision.omitted ? h('p', { class: 'muted' }, `${decision.omitted} more not recorded (the summary is kept short).`) : null);
}

function exchangeSummary(event) {
  const link = (route, text) => h('a', { href: route }, text);
  return h('section', { class: 'card audit-event', id: 'audit-event', 'aria-labelledby': 'event-title', dataset: { id: event.id } },
    h('h2', { id: 'event-title' }, 'What the audit log recorded'),
    h('dl', { class: 'facts' },
      h('dt', {}, 'exchange_id'), h('dd', {}, h('code', { id: 'event-id' }, event.id)),
      h('dt', {}, 'When'), h('dd', {}, time(event.occurredAt)),
      h('dt', {}, 'Outcome'), h('dd', { id: 'event-outcome' }, event.outcome),
      event.error && [h('dt', {}, 'Error'), h('dd', { id: 'event-error' }, h('code', {}, event.error), ' ', event.errorDescription || '')],
      event.detail && [h('dt', {}, 'Detail'), h('dd', { id: 'event-detail' }, event.detail)],
      event.issuer && [h('dt', {}, 'Issuer'), h('dd', {}, link(`#/issuers/${encodeURIComponent(event.issuer)}`, event.issuer))],
      event.subject && [h('dt', {}, 'Subject'), h('dd', {}, h('code', {}, event.subject), ' · ',
        link(`#/audit${query({ subject: event.subject })}`, 'its exchanges'))],
      event.target && [h('dt', {}, 'Target'), h('dd', {}, h('code', {}, event.target))],
      h('dt', {}, 'Scopes asked for'), h('dd', {}, listOf(event.requestedScopes, 'none')),
      event.grantedScopes && [h('dt', {}, 'Scopes granted'), h('dd', {}, listOf(event.grantedScopes, 'none'))],
      h('dt', {}, 'Matched rules'), h('dd', {}, ruleLinks(event.matchedRules)),
      event.tokenId && [h('dt', {}, 'Issued token (jti)'), h('dd', {}, h('code', {}, event.tokenId))],
      event.dpopJkt && [h('dt', {}, event.outcome === 'issued' ? 'Bound to the DPoP key (cnf.jkt)' : 'DPoP key (jkt)'),
        h('dd', { id: 'event-dpop-jkt' }, h('code', {}, event.dpopJkt))],
      event.clientAddress && [h('dt', {}, 'Client address'), h('dd', {}, event.clientAddress)]),
    event.claims && h('details', {}, h('summary', {}, 'Claims of the CI token'), json(event.claims)));
}

function ruleLinks(names) {
  if (!names || !names.length) return h('span', { class: 'muted' }, 'none');
  return h('ul', { class: 'inline-list' }, names.map((n) => h('li', {}, h('a', { href: `#/rules/${encodeURIComponent(n)}` }, n))));
}

// ---------------------------------------------------------------- the explanation

/** The answer of POST /admin/v1/evaluate, for people. */
export function explanation(data, { asOf, replay } = {}) {
  const allowed = data.decision === 'allow';
  const v = data.tokenValidation;
  return h('section', { class: 'explanation', 'aria-labelledby': 'decision-title' },
    h('div', { class: ['decision', allowed ? 'decision-allow' : 'decision-deny'], id: 'decision', dataset: { decision: data.decision } },
      h('h2', { id: 'decision-title', tabindex: '-1' }, allowed ? 'Allowed' : 'Refused'),
      allowed
        ? h('p', {}, `/token would issue a token with scope "${(data.scopes || []).join(' ')}" for ${data.lifetimeSeconds} seconds.`)
        : h('p', { id: 'decision-error' }, `/token would answer HTTP ${data.status} `, h('code', {}, data.error), ': ',
          data.errorDescription || ''),
      (asOf || replay) && h('p', { class: 'as-of', id: 'as-of' }, replay
        ? ['Decided again as of the exchange\'s time, ', time(asOf),
          ', from the claims, target and scopes the audit log kept, with today\'s rules. The token itself is not verified again.']
        : ['As of ', time(asOf), '.'])),
    v && h('section', { class: 'card', 'aria-labelledby': 'validation-title' },
      h('h3', { id: 'validation-title' }, 'The token'),
      h('dl', { class: 'facts', id: 'token-validation' },
        h('dt', {}, 'Verified'), h('dd', {}, v.performed ? (v.valid ? 'yes: valid' : 'yes: not valid')
          : replay ? 'not again: these are the claims that passed every check at the time' : 'no: claims were given'),
        v.at && [h('dt', {}, 'As of'), h('dd', {}, time(v.at))],
        v.issuer && [h('dt', {}, 'Issuer'), h('dd', {}, v.issuer)],
        v.subject && [h('dt', {}, 'Subject'), h('dd', {}, h('code', {}, v.subject))],
        v.expiresAt && [h('dt', {}, 'Expires'), h('dd', {}, time(v.expiresAt))],
        (v.reason || v.description) && [h('dt', {}, v.reason ? 'Failed check' : 'Detail'),
          h('dd', { id: 'validation-reason' }, v.reason && h('code', {}, v.reason), ' ', v.description || '')])),
    allowed && h('section', { class: 'card', 'aria-labelledby': 'issued-title' },
      h('h3', { id: 'issued-title' }, 'The token Ferry would issue'),
      h('dl', { class: 'facts' },
        h('dt', {}, 'Scopes'), h('dd', {}, listOf(data.scopes, 'none')),
        h('dt', {}, 'All scopes the matching rules grant'), h('dd', {}, listOf(data.grantedScopes, 'none')),
        h('dt', {}, 'Lifetime'), h('dd', {}, `${data.lifetimeSeconds} s`),
        h('dt', {}, 'Type'), h('dd', { id: 'issued-token-type' }, data.dpopProof ? 'DPoP: bound to the proof\'s key (cnf.jkt)'
          : 'Bearer')),
      data.issuedClaims && h('details', {}, h('summary', {}, 'Claims'), json(data.issuedClaims))),
    data.matchedRules
      ? [h('p', {}, 'Matched rules: ', ruleLinks(data.matchedRules)), rulesSection(data.rules || [])]
      : h('p', { class: 'note', id: 'not-decided' }, 'The token did not get as far as the rules: it was refused first'
        + ' (see above).'));
}

function rulesSection(rules) {
  return h('section', { class: 'rules-explained', 'aria-labelledby': 'every-rule-title' },
    h('h3', { id: 'every-rule-title' }, 'Every rule of the issuer'),
    rules.length ? rules.map((rule) => ruleCard(rule)) : h('p', { class: 'muted' }, 'The issuer has no rules.'));
}

function ruleCard(rule) {
  const verdict = !rule.enabled ? 'disabled' : rule.matched ? 'matched' : 'did not match';
  return h('article', { class: ['rule-result', rule.matched ? 'matched' : 'unmatched'], dataset: { rule: rule.rule } },
    h('h4', {}, h('a', { href: `#/rules/${encodeURIComponent(rule.rule)}` }, rule.rule), ' ',
      h('span', { class: ['badge', rule.effect === 'deny' ? 'badge-deny' : 'badge-allow'] }, rule.effect), ' ',
      h('span', { class: ['badge', rule.matched ? 'badge-ok' : 'badge-off'], dataset: { verdict } }, verdict), ' ',
      h('span', { class: 'muted' }, rule.targetsRequested ? 'lists the target' : 'does not list the target'),
      rule.requireDpop && [' ', h('span', { class: 'badge badge-warn', dataset: { requireDpop: 'true' } }, 'requires DPoP')]),
    h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': `Conditions of ${rule.rule}` },
      h('table', { class: 'conditions-result' },
        h('thead', {}, h('tr', {},
          ['Claim', 'Operator', 'Expected', 'Actual', 'Result'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, (rule.conditions || []).map((c) => h('tr', { class: c.holds ? 'holds' : 'fails' },
          h('th', { scope: 'row' }, h('code', {}, c.claim)),
          h('td', {}, c.operator),
          h('td', {}, expected(c.expected)),
          h('td', {}, c.actual && c.actual.length ? listOf(c.actual) : h('span', { class: 'muted' }, '(absent)')),
          h('td', { class: 'verdict' }, c.holds ? '✓ holds' : '✗ fails')))))));
}

function expected(value) {
  if (value === null || value === undefined) return h('span', { class: 'muted' }, '—');
  if (Array.isArray(value)) return listOf(value);
  return h('code', {}, String(value));
}
