// The sign-in form and the list of functions.
import { api, setToken, clearToken } from './api.js';
import { h, field, outcome } from './dom.js';

/** The sign-in form: the admin token is checked with one call before it is kept. */
export function renderSignIn(main, context, signedIn) {
  const input = h('input', { type: 'password', id: 'token', name: 'token', autocomplete: 'off', required: true });
  const result = outcome();
  result.id = 'sign-in-outcome';
  const form = h('form', { class: 'card narrow', 'aria-labelledby': 'sign-in-title' },
    h('h1', { id: 'sign-in-title' }, 'Sign in'),
    h('p', {}, 'Use the admin API\'s bearer token. It is kept in this tab only (sessionStorage) and sent with each call.'),
    field('Admin token', input),
    h('button', { type: 'submit' }, 'Sign in'),
    result);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    result.show('Checking the token…');
    setToken(input.value);
    try {
      await api.functions();
      signedIn();
    } catch (e) {
      clearToken();
      result.show(e.status === 401
        ? `The admin API refused this token: ${e.message}. Check the token the gateway was started with.`
        : `Could not sign in: ${e.message}`, true);
      input.focus();
    }
  });
  main.replaceChildren(form);
  input.focus();
}

/** What an alias points at: a version, or a weighted split such as "v1 90%, v2 10%". */
export function aliasTarget(fn, alias) {
  const weights = fn.weights && fn.weights[alias];
  if (!weights) return fn.aliases[alias];
  return Object.entries(weights).map(([version, weight]) => `${version} ${weight}%`).join(', ');
}

/** Requests and errors per minute since the last refresh, from each version's counters (metrics on). */
function rates(fn, previous, now) {
  let requests = 0;
  let errors = 0;
  let counted = false;
  for (const v of fn.versions) {
    if (typeof v.requests === 'number') {
      counted = true;
      requests += v.requests;
      errors += v.errors;
    }
  }
  if (!counted) return null;
  const before = previous.get(fn.name);
  previous.set(fn.name, { requests, errors, at: now });
  if (!before || now <= before.at) return { requests, errors, perMinute: null };
  const minutes = (now - before.at) / 60000;
  return {
    requests, errors,
    perMinute: { requests: (requests - before.requests) / minutes, errors: (errors - before.errors) / minutes },
  };
}

const counters = new Map();

/** Every function: latest version, aliases (with weights), each version's state, and rates when metrics are on. */
export async function renderFunctionList(main, context) {
  const result = outcome();
  const nameInput = h('input', { type: 'text', name: 'new-function', required: true });
  const create = h('form', { class: 'inline', 'aria-label': 'New function' },
    field('New function name', nameInput), h('button', { type: 'submit' }, 'Create'));
  create.addEventListener('submit', (event) => {
    event.preventDefault();
    location.hash = `#/functions/${encodeURIComponent(nameInput.value.trim())}`;
  });
  const body = h('div', { class: 'list' }, h('p', {}, 'Loading…'));
  const refresh = h('button', { type: 'button', onclick: () => load() }, 'Refresh');
  main.replaceChildren(h('section', { class: 'card', 'aria-labelledby': 'functions-title' },
    h('div', { class: 'row spread' }, h('h1', { id: 'functions-title' }, 'Functions'), refresh),
    body, result, create));

  async function load() {
    try {
      const { functions } = await api.functions();
      body.replaceChildren(table(functions));
      result.clear();
    } catch (e) {
      if (e.status === 401) return context.signedOut(`The admin API refused the token: ${e.message}`);
      result.show(`Could not list the functions: ${e.message}`, true);
    }
  }

  function table(functions) {
    if (functions.length === 0) return h('p', {}, 'No functions yet: name one below and deploy its first version.');
    const now = Date.now();
    const rows = functions.map((fn) => {
      const rate = rates(fn, counters, now);
      const aliases = Object.keys(fn.aliases).sort().map((a) => `${a} → ${aliasTarget(fn, a)}`);
      return h('tr', {},
        h('th', { scope: 'row' }, h('a', { href: `#/functions/${encodeURIComponent(fn.name)}` }, fn.name)),
        h('td', {}, fn.latest || '–'),
        h('td', {}, aliases.length ? h('ul', { class: 'plain' }, aliases.map((a) => h('li', {}, a))) : '–'),
        h('td', {}, h('ul', { class: 'plain' }, fn.versions.map((v) =>
          h('li', {}, `${v.version} `, h('span', { class: `state ${v.state}` }, v.state))))),
        h('td', {}, rate === null ? 'metrics off' : rateText(rate)));
    });
    return h('table', {},
      h('caption', {}, `${functions.length} function${functions.length === 1 ? '' : 's'}`),
      h('thead', {}, h('tr', {}, ['Function', 'Latest', 'Aliases', 'Versions and states', 'Requests / errors']
        .map((title) => h('th', { scope: 'col' }, title)))),
      h('tbody', {}, rows));
  }

  function rateText(rate) {
    if (!rate.perMinute) return `${rate.requests} / ${rate.errors} in total`;
    return `${rate.perMinute.requests.toFixed(1)} / ${rate.perMinute.errors.toFixed(1)} per min`
      + ` (${rate.requests} / ${rate.errors} in total)`;
  }

  await load();
}
