// Small DOM helpers: elements are built with createElement and text nodes, never from HTML strings,
// so nothing the API answers (a function's code, a log line, a function's answer) is ever parsed as markup.

/** An element: h('button', {type: 'button', onclick: f}, 'Text', child, ...). */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else if (key === 'value' || key === 'readOnly' || key === 'checked') el[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** A labelled field: a <label> wrapping its text and the control, so the control has an accessible name. */
export function field(text, control, hint) {
  return h('label', { class: 'field' }, h('span', {}, text), control, hint ? h('small', {}, hint) : null);
}

/** A region for the outcome of an action, next to the control that started it; role=status or alert. */
export function outcome() {
  const el = h('p', { class: 'outcome', role: 'status', 'aria-live': 'polite' });
  el.show = (text, isError) => {
    el.textContent = text;
    el.classList.toggle('error', Boolean(isError));
    el.setAttribute('role', isError ? 'alert' : 'status');
  };
  el.clear = () => el.show('', false);
  return el;
}

/** Asks a yes/no question in the page's modal <dialog>; resolves true when confirmed. */
export function confirmDialog(text) {
  const dialog = document.getElementById('confirm');
  document.getElementById('confirm-text').textContent = text;
  dialog.returnValue = '';
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'confirm'), { once: true });
  });
}

/**
 * A code editor: a textarea with a line-number gutter kept in step with it. Read-only when asked
 * (the code of a deployed version). Returns the wrapper; its textarea is `.textarea`.
 */
export function editor(label, { readOnly = false, value = '' } = {}) {
  const gutter = h('pre', { class: 'gutter', 'aria-hidden': 'true' });
  const textarea = h('textarea', {
    'aria-label': label, spellcheck: 'false', autocapitalize: 'off', autocomplete: 'off',
    wrap: 'off', rows: 14, readOnly, value,
  });
  const renumber = () => {
    const lines = textarea.value.split('\n').length;
    gutter.textContent = Array.from({ length: lines }, (_, i) => String(i + 1)).join('\n');
    gutter.scrollTop = textarea.scrollTop;
  };
  textarea.addEventListener('input', renumber);
  textarea.addEventListener('scroll', () => { gutter.scrollTop = textarea.scrollTop; });
  const wrapper = h('div', { class: readOnly ? 'editor readonly' : 'editor' }, gutter, textarea);
  wrapper.textarea = textarea;
  wrapper.setValue = (text) => { textarea.value = text; renumber(); };
  renumber();
  return wrapper;
}
