// One function: its versions (code read-only, env names), aliases, deploy, roll back, move an alias,
// delete, the live log tail and the invoke panel. Each action's outcome is shown next to it.
import { api, followLogs } from './api.js';
import { h, field, outcome, confirmDialog, editor } from './dom.js';
import { aliasTarget } from './views.js';

const SAMPLE = `addEventListener("fetch", (event) => {
  event.respondWith(new Response("hello from faas4j\\n"));
});
`;

export function renderFunction(main, name, context) {
  const refused = (e) => { if (e.status === 401) { context.signedOut(`The admin API refused the token: ${e.message}`); return true; } return false; };
  const title = h('h1', { id: 'function-title' }, name);
  const deleteResult = outcome();
  const header = h('div', { class: 'row spread' },
    h('div', {}, h('a', { href: '#/' }, '← All functions'), title),
    h('button', { type: 'button', class: 'danger', onclick: deleteFunction }, `Delete function ${name}`));

  const versionsBody = h('div', {}, h('p', {}, 'Loading…'));
  const versionsResult = outcome();
  const codeSection = h('section', { class: 'card', 'aria-labelledby': 'code-title' },
    h('h2', { id: 'code-title' }, 'Code'), h('p', {}, 'Choose "Show code" on a version.'));
  const aliasesBody = h('div', {});
  const aliasResult = outcome();
  const aliasInput = h('input', { type: 'text', name: 'alias', required: true });
  const aliasVersion = h('select', { name: 'alias-version' });
  const aliasForm = h('form', { class: 'inline', 'aria-label': 'Move an alias' },
    field('Alias name', aliasInput), field('To version', aliasVersion), h('button', { type: 'submit' }, 'Move alias'));
  aliasForm.addEventListener('submit', moveAlias);

  main.replaceChildren(h('div', { class: 'page' },
    h('section', { class: 'card wide', 'aria-labelledby': 'function-title' }, header, deleteResult),
    h('section', { class: 'card wide', 'aria-labelledby': 'versions-title' },
      h('div', { class: 'row spread' }, h('h2', { id: 'versions-title' }, 'Versions'),
        h('button', { type: 'button', onclick: () => refresh() }, 'Refresh')),
      versionsBody, versionsResult),
    codeSection,
    h('section', { class: 'card', 'aria-labelledby': 'aliases-title' },
      h('h2', { id: 'aliases-title' }, 'Aliases'), aliasesBody, aliasForm, aliasResult),
    deploySection(),
    invokeSection(),
    logsSection()));

  let current = null;

  async function refresh() {
    try {
      current = (await api.describe(name)).function;
      title.textContent = current.name;
      versionsBody.replaceChildren(versionsTable(current));
      aliasesBody.replaceChildren(aliasesTable(current));
      aliasVersion.replaceChildren(...current.versions.map((v) => h('option', { value: v.version }, v.version)));
    } catch (e) {
      if (refused(e)) return;
      if (e.status === 404) {
        current = null;
        versionsBody.replaceChildren(h('p', {}, `No version of ${name} yet: deploy one below.`));
        aliasesBody.replaceChildren();
        aliasVersion.replaceChildren();
      } else {
        versionsResult.show(`Could not load ${name}: ${e.message}`, true);
      }
    }
  }

  function versionsTable(fn) {
    const rows = fn.versions.map((v) => {
      const marks = [v.latest ? 'latest' : null, ...v.aliases].filter(Boolean).join(', ');
      return h('tr', {},
        h('th', { scope: 'row' }, v.version),
        h('td', {}, h('span', { class: `state ${v.state}` }, v.state), v.detail ? h('small', {}, ` ${v.detail}`) : null,
          v.runningOn && v.runningOn.length ? h('small', { class: 'nodes' }, ` running on node(s) ${v.runningOn.join(', ')}`) : null),
        h('td', {}, marks || '–'),
        h('td', {}, new Date(v.createdAt).toLocaleString()),
        h('td', { class: 'actions' },
          h('button', { type: 'button', onclick: () => showCode(v.version) }, 'Show code', h('span', { class: 'sr' }, ` of ${v.version}`)),
          v.latest ? null : h('button', { type: 'button', onclick: () => act(`Latest of ${name} is now ${v.version}.`,
            () => api.rollback(name, v.version)) }, `Roll back to ${v.version}`),
          h('button', { type: 'button', onclick: () => act(`${v.version} stopped.`, () => api.stopVersion(name, v.version)) },
            'Stop', h('span', { class: 'sr' }, ` ${v.version}`)),
          h('button', { type: 'button', class: 'danger', onclick: () => deleteVersion(v.version) },
            'Delete', h('span', { class: 'sr' }, ` version ${v.version}`))));
    });
    return h('table', {}, h('caption', {}, `${fn.versions.length} version(s); latest: ${fn.latest || 'none'}`),
      h('thead', {}, h('tr', {}, ['Version', 'State', 'Latest and aliases', 'Created', 'Actions']
        .map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, rows));
  }

  function aliasesTable(fn) {
    const names = Object.keys(fn.aliases).sort();
    if (names.length === 0) return h('p', {}, 'No aliases.');
    return h('table', {}, h('caption', {}, 'Aliases and where they point'),
      h('thead', {}, h('tr', {}, ['Alias', 'Points at', ''].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, names.map((alias) => h('tr', {}, h('th', { scope: 'row' }, alias), h('td', {}, aliasTarget(fn, alias)),
        h('td', {}, h('button', { type: 'button', class: 'danger', onclick: () => removeAlias(alias) }, `Remove alias ${alias}`))))));
  }

  /** Runs an action of the versions table and shows its outcome under it. */
  async function act(done, action) {
    versionsResult.show('Working…');
    try {
      await action();
      versionsResult.show(done);
    } catch (e) {
      if (!refused(e)) versionsResult.show(e.message, true);
    }
    await refresh();
  }

  async function deleteVersion(version) {
    if (await confirmDialog(`Delete version ${version} of ${name}? This cannot be undone.`)) {
      await act(`${version} deleted.`, () => api.deleteVersion(name, version));
    }
  }

  async function deleteFunction() {
    if (!(await confirmDialog(`Delete ${name} and every version of it? This cannot be undone.`))) return;
    try {
      await api.deleteFunction(name);
      location.hash = '#/';
    } catch (e) {
      if (!refused(e)) deleteResult.show(e.message, true);
    }
  }

  async function removeAlias(alias) {
    if (!(await confirmDialog(`Remove alias ${alias} of ${name}?`))) return;
    try {
      await api.removeAlias(name, alias);
      aliasResult.show(`Alias ${alias} removed.`);
    } catch (e) {
      if (!refused(e)) aliasResult.show(e.message, true);
    }
    await refresh();
  }

  async function moveAlias(event) {
    event.preventDefault();
    try {
      const moved = await api.moveAlias(name, aliasInput.value.trim(), aliasVersion.value);
      aliasResult.show(`Alias ${moved.alias} now points at ${moved.version}.`);
    } catch (e) {
      if (!refused(e)) aliasResult.show(e.message, true);
    }
    await refresh();
  }

  async function showCode(version) {
    try {
      const v = (await api.version(name, version)).version;
      const code = editor(`Code of ${v.version} (read-only)`, { readOnly: true, value: v.code ?? `image: ${v.image}` });
      codeSection.replaceChildren(h('h2', { id: 'code-title' }, `Code of ${v.version}`),
        h('p', {}, `Runtime ${v.runtime}; env: ${v.env.length ? v.env.join(', ') : 'none'}`), code);
      code.setValue(code.textarea.value);
    } catch (e) {
      if (!refused(e)) versionsResult.show(e.message, true);
    }
  }

  function deploySection() {
    const version = h('input', { type: 'text', name: 'version', placeholder: 'generated when empty' });
    const alias = h('input', { type: 'text', name: 'deploy-alias', placeholder: 'none' });
    const upload = h('input', { type: 'file', name: 'upload', accept: '.js,.mjs,text/javascript,application/javascript' });
    const code = editor('Code to deploy', { value: SAMPLE });
    const result = outcome();
    upload.addEventListener('change', async () => {
      if (upload.files.length) code.setValue(await upload.files[0].text());
    });
    const form = h('form', { class: 'card', 'aria-labelledby': 'deploy-title' },
      h('h2', { id: 'deploy-title' }, 'Deploy a new version'),
      h('div', { class: 'row' }, field('Version', version), field('Alias', alias)),
      field('Upload a .js file', upload), code,
      h('button', { type: 'submit' }, 'Deploy'), result);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      result.show('Deploying…');
      const spec = { code: code.textarea.value };
      if (version.value.trim()) spec.version = version.value.trim();
      if (alias.value.trim()) spec.alias = alias.value.trim();
      try {
        const deployed = await api.deploy(name, spec);
        result.show(`Deployed ${deployed.version}${deployed.alias ? ` with alias ${deployed.alias}` : ''}; it is the latest.`);
      } catch (e) {
        if (!refused(e)) result.show(e.message, true);
      }
      await refresh();
    });
    return form;
  }

  function invokeSection() {
    const method = h('select', { name: 'method' }, ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].map((m) => h('option', { value: m }, m)));
    const target = h('input', { type: 'text', name: 'target', placeholder: 'latest' });
    const path = h('input', { type: 'text', name: 'path', value: '/' });
    const headers = h('textarea', { name: 'headers', rows: 3, placeholder: 'Name: value, one per line' });
    const body = h('textarea', { name: 'body', rows: 3 });
    const result = outcome();
    const answer = h('div', { class: 'answer', 'aria-live': 'polite' });
    const form = h('form', { class: 'card', 'aria-labelledby': 'invoke-title' },
      h('h2', { id: 'invoke-title' }, 'Invoke'),
      h('div', { class: 'row' }, field('Method', method), field('Version or alias', target), field('Path', path)),
      field('Request headers', headers), field('Request body', body),
      h('button', { type: 'submit' }, 'Invoke'), result, answer);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const request = { method: method.value, path: path.value || '/', headers: {} };
      for (const line of headers.value.split('\n')) {
        const colon = line.indexOf(':');
        if (line.trim() && colon > 0) request.headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
      }
      if (body.value) request.body = body.value;
      if (target.value.trim()) request.version = target.value.trim();
      result.show('Calling…');
      answer.replaceChildren();
      const started = performance.now();
      try {
        const { response } = await api.invoke(name, request);
        const millis = Math.round(performance.now() - started);
        result.show(`Status ${response.status} in ${millis} ms`);
        answer.replaceChildren(
          h('h3', {}, 'Response headers'),
          h('pre', { class: 'out', 'aria-label': 'Response headers' },
            Object.entries(response.headers).map(([k, vs]) => vs.map((v) => `${k}: ${v}`).join('\n')).join('\n')),
          h('h3', {}, response.bodyEncoding === 'base64' ? 'Response body (base64)' : 'Response body'),
          h('pre', { class: 'out', 'aria-label': 'Response body' }, response.body));
      } catch (e) {
        if (!refused(e)) result.show(e.message, true);
      }
    });
    return form;
  }

  function logsSection() {
    const lines = h('pre', { class: 'out logs', role: 'log', 'aria-label': 'Log lines', tabindex: '0' });
    const result = outcome();
    let following = null;
    const toggle = h('button', { type: 'button', 'aria-pressed': 'false' }, 'Follow logs');
    const stop = () => {
      if (following) {
        following.abort();
        result.show('Not following.');
      }
      following = null;
      toggle.textContent = 'Follow logs';
      toggle.setAttribute('aria-pressed', 'false');
    };
    context.signal.addEventListener('abort', stop);
    toggle.addEventListener('click', async () => {
      if (following) { stop(); return; }
      following = new AbortController();
      toggle.textContent = 'Stop following';
      toggle.setAttribute('aria-pressed', 'true');
      lines.textContent = '';
      result.show('Following the logs…');
      const mine = following;
      try {
        await followLogs(name, (line) => {
          lines.append(`${line}\n`);
          lines.scrollTop = lines.scrollHeight;
        }, mine.signal);
        if (following === mine) result.show('The log stream ended.');
      } catch (e) {
        if (!refused(e)) result.show(e.message, true);
      }
      if (following === mine) stop();
    });
    return h('section', { class: 'card wide', 'aria-labelledby': 'logs-title' },
      h('div', { class: 'row spread' }, h('h2', { id: 'logs-title' }, 'Logs'), toggle), result, lines);
  }

  refresh();
}
