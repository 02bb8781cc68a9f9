// Confirmations as native modal <dialog>s: focus moves into them, Escape cancels, focus returns to
// the button that opened them.

import { h } from './dom.js';

/**
 * Resolves to true when confirmed. {typeToConfirm: 'ROTATE'} adds a text box that must hold that
 * word before the confirming button works.
 */
export function confirmDialog({ title, body, confirmLabel, danger = false, typeToConfirm = null }) {
  return new Promise((resolve) => {
    const opener = document.activeElement;
    const typed = typeToConfirm ? h('input', { type: 'text', id: 'confirm-word', autocomplete: 'off', spellcheck: 'false' }) : null;
    const confirm = h('button', { type: 'submit', class: danger ? 'danger' : 'primary', value: 'confirm', disabled: Boolean(typeToConfirm) }, confirmLabel);
    const cancel = h('button', { type: 'submit', value: 'cancel', formnovalidate: true }, 'Cancel');
    const headingId = `dialog-title-${Date.now()}`;
    const dialog = h('dialog', { class: ['dialog', danger && 'dialog-danger'], 'aria-labelledby': headingId },
      h('form', { method: 'dialog' },
        h('h2', { id: headingId }, title),
        body,
        typed && h('div', { class: 'field' },
          h('label', { for: 'confirm-word' }, `Type ${typeToConfirm} to confirm`), typed),
        h('div', { class: 'actions' }, cancel, confirm)));
    if (typed) typed.addEventListener('input', () => { confirm.disabled = typed.value.trim() !== typeToConfirm; });
    dialog.addEventListener('close', () => {
      const confirmed = dialog.returnValue === 'confirm';
      dialog.remove();
      if (opener && opener.isConnected) opener.focus();
      resolve(confirmed);
    });
    document.body.append(dialog);
    dialog.showModal();
    (typed || (danger ? cancel : confirm)).focus();
  });
}
