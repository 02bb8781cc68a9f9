import { h, show, field, table, badge, lines, words } from '../dom.js';
import { api, definitionOf, etagOf } from '../api.js';
import { time, list as listOf, json } from '../format.js';
import { confirmDialog } from '../dialog.js';
import { showProblem, hideProblem, conflictPanel, debounced } from './common.js';

const TYPES = [
  ['github', 'GitHub Actions'],
  ['gitlab', 'GitLab CI'],
  ['oidc', 'Other OpenID Connect provider'],
];

function keySource(issuer) {
  if (issuer.jwks) return 'inline JWK set';
  if (issuer.jwksUri) return 'JWKS URL';
  return 'discovery';
}

export async function list(main, context) {
  const { data: issuers } = await api('GET', '/admin/v1/issuers', { signal: context.signal });
  const toggle = async (issuer, button) => {
    button.disabled = true;
    try {
      await api('PUT', `/admin/v1/issuers/${encodeURIComponent(issuer.name)}`, {
        body: { ...definitionOf(issuer), enabled: !issuer.enabled },
        ifMatch: etagOf(issuer.version),
      });
      context.navigate('#/issuers', `Issuer ${issuer.name} ${issuer.enabled ? 'disabled' : 'enabled'}.`);
    } catch (error) {
      button.disabled = false;
      context.notice(error.status === 412
        ? `Issuer ${issuer.name} was changed meanwhile; the list is reloaded, try again.`
        : error.message, 'error');
      if (error.status === 412) context.navigate('#/issuers');
    }
  };
  show(main,
    h('h1', {}, 'Issuers'),
    h('p', { class: 'lead' }, 'The CI systems (and other OpenID providers) whose ID tokens Ferry accepts.'),
    h('div', { class: 'toolbar' },
      context.canWrite && h('a', { class: 'button primary', href: '#/issuers/new', id: 'new-issuer' }, 'New issuer')),
    table('Issuers', [
      ['Name', (i) => h('a', { href: `#/issuers/${encodeURIComponent(i.name)}` }, i.name)],
      ['Type', (i) => i.type],
      ['Issuer URL', (i) => h('code', {}, i.issuerUrl)],
      ['Accepted audiences', (i) => listOf(i.acceptedAudiences)],
      ['Keys from', (i) => keySource(i)],
      ['Status', (i) => i.enabled ? badge('enabled', 'ok') : badge('disabled', 'off')],
      ['', (i) => h('div', { class: 'row-actions' },
        h('a', { href: `#/rules?issuer=${encodeURIComponent(i.name)}` }, 'Rules'),
        context.canWrite && h('button', {
          type: 'button', class: 'quiet', dataset: { toggle: i.name },
          onclick: (event) => toggle(i, event.currentTarget),
        }, i.enabled ? `Disable ${i.name}` : `Enable ${i.name}`))],
    ], issuers, {
      empty: 'No issuer yet: Ferry accepts no token until you add one. Start with "New issuer".',
    }));
}

export function create(main, context, parameters) {
  return editor(main, context, null, parameters);
}

export async function edit(main, context, parameters, name) {
  const response = await api('GET', `/admin/v1/issuers/${encodeURIComponent(name)}`, { signal: context.signal });
  return editor(main, context, { issuer: response.data, etag: response.etag }, parameters);
}

function editor(main, context, loaded, parameters) {
  const creating = !loaded;
  let stored = loaded ? loaded.issuer : null;
  let etag = loaded ? loaded.etag : null;
  const initial = stored || { type: parameters.get('type') || 'github', enabled: true, replayProtection: false };

  const name = h('input', { type: 'text', id: 'issuer-name', value: initial.name || '', readOnly: !creating,
    autocomplete: 'off', spellcheck: 'false', required: true, pattern: '[a-z0-9]([a-z0-9-]*[a-z0-9])?' });
  const type = h('select', { id: 'issuer-type' }, TYPES.map(([value, label]) => h('option', { value }, label)));
  type.value = initial.type || 'oidc';
  const issuerUrl = h('input', { type: 'url', id: 'issuer-url', value: creating ? '' : initial.issuerUrl, spellcheck: 'false' });
  const audiences = h('textarea', { id: 'issuer-audiences', rows: 2, spellcheck: 'false' });
  audiences.value = (initial.acceptedAudiences || []).join('\n');
  const jwksUri = h('input', { type: 'url', id: 'issuer-jwks-uri', value: initial.jwksUri || '', spellcheck: 'false' });
  const jwks = h('textarea', { id: 'issuer-jwks', rows: 4, spellcheck: 'false', class: 'mono' });
  jwks.value = initial.jwks ? JSON.stringify(initial.jwks, null, 2) : '';
  const algorithms = h('input', { type: 'text', id: 'issuer-algorithms', value: (initial.algorithms || []).join(' '), spellcheck: 'false' });
  const skew = h('input', { type: 'number', id: 'issuer-skew', min: 0, max: 300, value: initial.clockSkewSeconds ?? '' });
  const maxAge = h('input', { type: 'number', id: 'issuer-max-age', min: 1, max: 86400, value: initial.maxTokenAgeSeconds ?? '' });
  const replay = h('input', { type: 'checkbox', id: 'issuer-replay', checked: initial.replayProtection });
  const enabled = h('input', { type: 'checkbox', id: 'issuer-enabled', checked: initial.enabled !== false });
  const presetMappings = h('input', { type: 'checkbox', id: 'issuer-preset-mappings', checked: creating });
  const mappings = h('textarea', { id: 'issuer-mappings', rows: 5, spellcheck: 'false', class: 'mono' });
  mappings.value = Object.entries(initial.claimMappings || {}).map(([k, v]) => (k === v ? k : `${k} = ${v}`)).join('\n');
  mappings.disabled = presetMappings.checked;

  const summary = h('div', { class: 'error', role: 'alert', id: 'issuer-problem', hidden: true });
  const preview = h('div', { class: 'preview', id: 'issuer-preview' },
    h('p', { class: 'muted' }, 'Give the issuer a name to see it as Ferry will store it.'));
  const conflict = h('div', { id: 'issuer-conflict' });
  const save = h('button', { type: 'submit', class: 'primary', id: 'save-issuer', disabled: !context.canWrite },
    creating ? 'Create issuer' : 'Save issuer');

  const pasted = h('textarea', { id: 'issuer-json', rows: 6, spellcheck: 'false', class: 'mono' });
  const pasteProblem = h('p', { class: 'field-error', id: 'issuer-json-error', hidden: true });
  const fillIn = h('details', { class: 'fill-in', id: 'issuer-fill-in' },
    h('summary', {}, 'Fill in the form from a JSON definition'),
    h('p', { class: 'hint' }, 'Paste an issuer definition, such as what examples/local/demo-token.sh issuer prints or an'
      + ' issuer from GET /admin/v1/export. Nothing is stored until you save.'),
    h('label', { for: 'issuer-json' }, 'Issuer definition (JSON)'), pasted, pasteProblem,
    h('div', { class: 'actions' }, h('button', { type: 'button', id: 'issuer-json-apply', onclick: () => fillFrom(pasted.value) },
      'Fill in the form')));

  const form = h('form', { class: 'editor', novalidate: true, 'aria-labelledby': 'editor-title' },
    summary,
    creating && fillIn,
    h('div', { class: 'grid' },
      field('Name', name, { field: 'name', hint: creating
        ? 'A slug (a-z, 0-9, -). It prefixes the sub of the tokens Ferry issues; it cannot change later.'
        : 'The name cannot change.' }),
      field('Type', type, { field: 'type', hint: 'Fills in the issuer URL and the claims carried into Ferry\'s tokens.' }),
      field('Issuer URL', issuerUrl, { field: 'issuerUrl', wide: true,
        hint: 'The exact iss of its tokens. Leave empty to use the type\'s (see "As Ferry will store it"); required for other providers.' }),
      field('Accepted audiences', audiences, { field: 'acceptedAudiences', wide: true,
        hint: 'One per line. A token\'s aud must hold one of them: what your jobs ask their CI for. Empty: Ferry\'s own URL.' }),
      h('fieldset', { class: 'wide' },
        h('legend', {}, 'Keys'),
        h('p', { class: 'hint' }, 'Leave both empty to find the keys through OpenID Connect discovery at the issuer URL.'),
        field('JWKS URL', jwksUri, { field: 'jwksUri' }),
        field('Inline JWK set (JSON)', jwks, { field: 'jwks' })),
      field('Algorithms', algorithms, { field: 'algorithms', hint: 'Space-separated JWS algorithms. Empty: RS256.' }),
      field('Clock skew (seconds)', skew, { field: 'clockSkewSeconds', hint: 'Tolerance on exp, nbf and iat; 0 to 300. Empty: 60.' }),
      field('Maximum token age (seconds)', maxAge, { field: 'maxTokenAgeSeconds', hint: 'Optional bound on now minus iat.' }),
      h('div', { class: 'checks' },
        h('label', {}, replay, ' Replay protection: each token (jti) is accepted once'),
        h('label', {}, enabled, ' Enabled: a disabled issuer\'s tokens are refused')),
      h('fieldset', { class: 'wide' },
        h('legend', {}, 'Claims carried into Ferry\'s tokens'),
        h('label', { class: 'check' }, presetMappings, ' Use the type\'s claim mappings'),
        field('Claim mappings', mappings, { field: 'claimMappings',
          hint: 'One per line: issued name = upstream claim (or just a name, copied as itself).' }))),
    h('div', { class: 'actions' },
      save,
      h('a', { class: 'button', href: '#/issuers' }, 'Back to issuers'),
      !creating && context.canWrite && h('button', { type: 'button', class: 'danger', id: 'delete-issuer', onclick: () => remove() },
        'Delete issuer')));

  const keysPanel = creating ? null : h('section', { class: 'card', 'aria-labelledby': 'keys-title', id: 'issuer-keys' },
    h('h2', { id: 'keys-title' }, 'Key set'), h('p', { class: 'muted' }, 'Loading…'));

  show(main,
    h('h1', { id: 'editor-title' }, creating ? 'New issuer' : `Issuer ${stored.name}`),
    !creating && h('p', { class: 'meta' }, `Version ${stored.version} · created `, time(stored.createdAt), ' · changed ',
      time(stored.updatedAt), ' · ', h('a', { href: `#/rules?issuer=${encodeURIComponent(stored.name)}` }, 'its rules')),
    conflict,
    h('div', { class: 'editor-layout' }, form,
      h('aside', { class: 'side', 'aria-labelledby': 'preview-title' },
        h('h2', { id: 'preview-title' }, 'As Ferry will store it'),
        h('p', { class: 'hint' }, 'Checked by Ferry as you type (a dry run: nothing is stored until you save).'),
        preview)),
    keysPanel);

  if (keysPanel) loadKeys(keysPanel, stored.name, context);

  /** The definition the form describes; throws a {field, message} for what cannot even be sent. */
  function definition() {
    const body = { name: name.value.trim(), type: type.value };
    if (issuerUrl.value.trim()) body.issuerUrl = issuerUrl.value.trim();
    if (jwksUri.value.trim()) body.jwksUri = jwksUri.value.trim();
    if (jwks.value.trim()) {
      try {
        body.jwks = JSON.parse(jwks.value);
      } catch {
        throw Object.assign(new Error('jwks is not valid JSON'), { field: 'jwks' });
      }
    }
    const audienceList = lines(audiences.value);
    if (audienceList.length) body.acceptedAudiences = audienceList;
    const algorithmList = words(algorithms.value);
    if (algorithmList.length) body.algorithms = algorithmList;
    if (skew.value !== '') body.clockSkewSeconds = Number(skew.value);
    if (maxAge.value !== '') body.maxTokenAgeSeconds = Number(maxAge.value);
    body.replayProtection = replay.checked;
    if (!presetMappings.checked) {
      const mapped = {};
      for (const line of lines(mappings.value)) {
        const [issued, upstream] = line.split(/\s*[=:]\s*/, 2);
        mapped[issued] = upstream || issued;
      }
      body.claimMappings = mapped;
    }
    body.enabled = enabled.checked;
    return body;
  }

  const path = () => (creating ? '/admin/v1/issuers' : `/admin/v1/issuers/${encodeURIComponent(stored.name)}`);

  const check = debounced(async (signal, latest) => {
    let body;
    try {
      body = definition();
    } catch (error) {
      showProblem(form, summary, error);
      return;
    }
    if (!body.name) {
      hideProblem(form, summary);
      show(preview, h('p', { class: 'muted' }, 'Give the issuer a name to see it as Ferry will store it.'));
      return;
    }
    try {
      const { data } = await api(creating ? 'POST' : 'PUT', `${path()}?dryRun=true`, { body, signal });
      if (!latest()) return;
      hideProblem(form, summary);
      showPreview(data);
    } catch (error) {
      if (error.name === 'AbortError' || !latest()) return;
      showProblem(form, summary, error);
    }
  }, 300);

  function showPreview(data) {
    issuerUrl.placeholder = data.issuerUrl || '';
    audiences.placeholder = (data.acceptedAudiences || []).join('\n');
    algorithms.placeholder = (data.algorithms || []).join(' ');
    skew.placeholder = data.clockSkewSeconds ?? '';
    if (presetMappings.checked) {
      mappings.value = Object.entries(data.claimMappings || {}).map(([k, v]) => (k === v ? k : `${k} = ${v}`)).join('\n');
    }
    show(preview, json(definitionOf(data)));
  }

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
    if (creating && typeof given.name === 'string') name.value = given.name;
    if (typeof given.type === 'string') type.value = given.type;
    issuerUrl.value = given.issuerUrl || '';
    jwksUri.value = given.jwksUri || '';
    jwks.value = given.jwks ? JSON.stringify(given.jwks, null, 2) : '';
    audiences.value = (given.acceptedAudiences || []).join('\n');
    algorithms.value = (given.algorithms || []).join(' ');
    skew.value = given.clockSkewSeconds ?? '';
    maxAge.value = given.maxTokenAgeSeconds ?? '';
    replay.checked = Boolean(given.replayProtection);
    enabled.checked = given.enabled !== false;
    presetMappings.checked = !given.claimMappings;
    mappings.disabled = presetMappings.checked;
    if (given.claimMappings) {
      mappings.value = Object.entries(given.claimMappings).map(([k, v]) => (k === v ? k : `${k} = ${v}`)).join('\n');
    }
    fillIn.open = false;
    check();
    name.focus();
  }

  presetMappings.addEventListener('change', () => { mappings.disabled = presetMappings.checked; });
  form.addEventListener('input', () => check());
  form.addEventListener('change', () => check());
  context.onLeave(() => check.cancel());
  check();

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    await write(null);
  });

  async function write(ifMatch) {
    let body;
    try {
      body = definition();
    } catch (error) {
      showProblem(form, summary, error);
      return;
    }
    save.disabled = true;
    try {
      if (creating) {
        await api('POST', '/admin/v1/issuers', { body });
        context.navigate(`#/issuers/${encodeURIComponent(body.name)}`, `Issuer ${body.name} created.`);
      } else {
        const response = await api('PUT', path(), { body, ifMatch: ifMatch || etag });
        stored = response.data;
        etag = response.etag;
        context.navigate(`#/issuers/${encodeURIComponent(stored.name)}`, `Issuer ${stored.name} saved (version ${stored.version}).`);
      }
    } catch (error) {
      save.disabled = false;
      if (error.status === 412) {
        const fresh = await api('GET', path());
        show(conflict, conflictPanel({
          what: 'issuer',
          stored: fresh.data,
          mine: body,
          onReload: () => context.navigate(`#/issuers/${encodeURIComponent(stored.name)}`),
          onOverwrite: () => { show(conflict); write(fresh.etag); },
        }));
        conflict.querySelector('h2').setAttribute('tabindex', '-1');
        conflict.querySelector('h2').focus();
        return;
      }
      showProblem(form, summary, error);
    }
  }

  async function remove() {
    const sure = await confirmDialog({
      title: `Delete issuer ${stored.name}?`,
      body: h('p', {}, `Ferry stops accepting its tokens at once. The audit log keeps its past exchanges.`),
      confirmLabel: 'Delete issuer',
      danger: true,
    });
    if (!sure) return;
    try {
      await api('DELETE', path());
      context.navigate('#/issuers', `Issuer ${stored.name} deleted.`);
    } catch (error) {
      if (error.status !== 409) {
        context.notice(error.message, 'error');
        return;
      }
      const cascade = await confirmDialog({
        title: `Issuer ${stored.name} still has rules`,
        body: [h('p', {}, error.message),
          h('p', {}, 'Delete the issuer together with every rule of it? Each deletion is recorded in the audit log with the'
            + ' rule\'s last definition.')],
        confirmLabel: 'Delete the issuer and its rules',
        danger: true,
      });
      if (!cascade) return;
      try {
        await api('DELETE', `${path()}?cascade=true`);
        context.navigate('#/issuers', `Issuer ${stored.name} and its rules deleted.`);
      } catch (again) {
        context.notice(again.message, 'error');
      }
    }
  }
}

async function loadKeys(panel, name, context) {
  const heading = panel.querySelector('h2');
  try {
    const { data } = await api('GET', `/admin/v1/issuers/${encodeURIComponent(name)}/keys`, { signal: context.signal });
    const source = { inline: 'inline, in the definition', jwksUri: 'its JWKS URL', discovery: 'discovery' }[data.source] || data.source;
    show(panel, heading,
      h('dl', { class: 'facts' },
        h('dt', {}, 'Keys from'), h('dd', {}, source, data.jwksUri ? [' · ', h('code', {}, data.jwksUri)] : null),
        h('dt', {}, 'Last fetched'), h('dd', { id: 'issuer-keys-fetched' }, data.lastFetchedAt
          ? [time(data.lastFetchedAt), ' (by the Ferry replica that answered)']
          : data.source === 'inline' ? 'never needed' : 'not yet by this replica: Ferry fetches on the first exchange'),
        data.lastFailure && [h('dt', {}, 'Last failure'),
          h('dd', { class: 'error-text' }, time(data.lastFailure.at), ': ', data.lastFailure.message)]),
      table('Keys of the issuer', [
        ['Key id (kid)', (k) => h('code', {}, k.kid || '(none)')],
        ['Type', (k) => (k.crv ? `${k.kty} (${k.crv})` : k.kty)],
        ['Algorithm', (k) => k.alg || '—'],
        ['Use', (k) => k.use || '—'],
      ], data.keys || [], { empty: 'No keys known yet.' }));
  } catch (error) {
    if (error.name === 'AbortError') return;
    show(panel, heading, h('p', { class: 'muted' }, `The key set cannot be shown: ${error.message}`));
  }
}
