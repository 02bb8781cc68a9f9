import { h, show, field, table } from '../dom.js';
import { api } from '../api.js';
import { time } from '../format.js';
import { confirmDialog } from '../dialog.js';
import { showProblem, hideProblem } from './common.js';

export async function page(main, context) {
  const { data: clients } = await api('GET', '/admin/v1/clients', { signal: context.signal });
  const id = h('input', { type: 'text', id: 'client-id', spellcheck: 'false', autocomplete: 'off', dataset: { field: 'id' } });
  const description = h('input', { type: 'text', id: 'client-description', dataset: { field: 'description' } });
  const summary = h('div', { class: 'error', role: 'alert', hidden: true, id: 'client-problem' });
  const secretBox = h('div', { id: 'client-secret-box' });
  const form = h('form', { class: 'card', 'aria-labelledby': 'new-client-title' },
    h('h2', { id: 'new-client-title' }, 'New introspection client'),
    summary,
    field('Id', id, { hint: 'Optional slug (a-z, 0-9, -); generated when empty.' }),
    field('Description', description, { hint: 'Which gateway this is.' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', id: 'create-client', disabled: !context.canWrite },
      'Create client')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = {};
    if (id.value.trim()) body.id = id.value.trim();
    if (description.value.trim()) body.description = description.value.trim();
    try {
      const { data } = await api('POST', '/admin/v1/clients', { body });
      hideProblem(form, summary);
      await page(main, context);
      showSecret(main.querySelector('#client-secret-box'), data);
    } catch (error) {
      showProblem(form, summary, error);
    }
  });

  async function remove(client) {
    const sure = await confirmDialog({
      title: `Delete client ${client.id}?`,
      body: h('p', {}, 'Its gateway can no longer call /introspect: every token it checks then fails.'),
      confirmLabel: 'Delete client',
      danger: true,
    });
    if (!sure) return;
    try {
      await api('DELETE', `/admin/v1/clients/${encodeURIComponent(client.id)}`);
      context.navigate('#/clients', `Client ${client.id} deleted.`);
    } catch (error) {
      context.notice(error.message, 'error');
    }
  }

  show(main,
    h('h1', {}, 'Introspection clients'),
    h('p', { class: 'lead' }, 'Gateways allowed to ask /introspect whether a Ferry token is still active (HTTP Basic with'
      + ' the client\'s id and secret).'),
    secretBox,
    table('Introspection clients', [
      ['Id', (c) => h('code', {}, c.id)],
      ['Description', (c) => c.description || h('span', { class: 'muted' }, '—')],
      ['Created', (c) => time(c.createdAt)],
      ['', (c) => context.canWrite && h('button', { type: 'button', class: 'quiet', onclick: () => remove(c) }, `Delete ${c.id}`)],
    ], clients, { empty: 'No introspection client yet.' }),
    form);
}

function showSecret(box, client) {
  const secret = h('input', { type: 'text', readOnly: true, id: 'client-secret', value: client.secret, class: 'mono', spellcheck: 'false' });
  const copy = h('button', { type: 'button', id: 'copy-secret', onclick: async () => {
    secret.select();
    try {
      await navigator.clipboard.writeText(client.secret);
      copy.textContent = 'Copied';
    } catch {
      copy.textContent = 'Selected: copy it with Ctrl+C';
    }
  } }, 'Copy');
  show(box, h('section', { class: 'secret', role: 'alert', 'aria-labelledby': 'secret-title' },
    h('h2', { id: 'secret-title' }, `The secret of ${client.id}: shown this once`),
    h('p', {}, 'Ferry keeps only a hash of it. Copy it into the gateway\'s configuration now; if it is lost, delete the client'
      + ' and create another.'),
    h('div', { class: 'field' }, h('label', { for: 'client-secret' }, 'Secret'), h('div', { class: 'inline' }, secret, copy)),
    h('div', { class: 'actions' }, h('button', { type: 'button', onclick: () => box.replaceChildren() }, 'I have copied it'))));
  secret.focus();
  secret.select();
}
