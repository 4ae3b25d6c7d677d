// Drives the faas4j web console in a real headless Chromium against a running gateway (ConsoleIT).
// usage: node console-test.mjs   with GATEWAY_URL, ADMIN_TOKEN, CHROMIUM, PLAYWRIGHT_DIR, SCREENSHOTS set.
// Exits 0 when every scenario passed; otherwise prints what failed and exits 1.
//
// Controls are found only through their role and accessible name (getByRole, getByLabel): a control
// without a label makes its locator fail. One scenario is done with the keyboard alone.
import { createRequire } from 'node:module';
import http from 'node:http';
import { mkdirSync } from 'node:fs';

const { GATEWAY_URL, ADMIN_TOKEN, CHROMIUM, PLAYWRIGHT_DIR, SCREENSHOTS } = process.env;
const require = createRequire(`${PLAYWRIGHT_DIR}/`);
const { chromium } = require('playwright-core');

/** What the scenarios are refused on purpose: a wrong token, a function not deployed yet, a changed v1. */
const EXPECTED_REFUSALS = ['GET /api/functions 401', 'GET /api/functions/hello 404', 'POST /api/deploy/hello 409'];
const WIDTH = 1280;
const HEIGHT = 800;
const problems = [];

function check(condition, message) {
  if (!condition) throw new Error(message);
}

function step(text) {
  console.log(`-- ${text}`);
}

/** GET / on the gateway with a Host header (a real HTTP request, not through the console). */
function getHost(host) {
  const url = new URL(GATEWAY_URL);
  return new Promise((resolve, reject) => {
    const request = http.request({ host: url.hostname, port: url.port, path: '/', method: 'GET', headers: { Host: host } },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => { body += chunk; });
        response.on('end', () => resolve({ status: response.statusCode, body }));
      });
    request.on('error', reject);
    request.end();
  });
}

/** A screenshot of the page at 1280x800, after checking nothing is wider than the window and every control is named. */
async function snapshot(page, name) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  check(width <= WIDTH, `${name}: the page is ${width}px wide, wider than the ${WIDTH}px window (something is clipped)`);
  const tree = await page.locator('body').ariaSnapshot();
  const unnamed = tree.split('\n').filter((line) => /^\s*- (button|textbox|combobox|checkbox|link)\s*(:.*)?$/.test(line));
  check(unnamed.length === 0, `${name}: controls without an accessible name:\n${unnamed.join('\n')}\nin:\n${tree}`);
  await page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true });
  console.log(`   screenshot ${SCREENSHOTS}/${name}.png (scrollWidth ${width})`);
}

const V1 = `addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  console.log("served " + url.pathname + " by v1");
  event.respondWith(new Response("hello from v1"));
});
`;
const V2 = 'export default { fetch() { return new Response("hello from v2"); } };\n';

async function run(page) {
  step('the console is at /console, and its sign-in form comes first');
  await page.goto(`${GATEWAY_URL}/console`);
  check(new URL(page.url()).pathname === '/api/console/', `/console led to ${page.url()}, not /api/console/`);
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await snapshot(page, '01-sign-in');

  step('a wrong token shows a clear message');
  await page.getByLabel('Admin token').fill('not-the-token');
  await page.getByRole('button', { name: 'Sign in' }).click();
  const refusal = page.getByRole('alert');
  await refusal.filter({ hasText: 'refused this token' }).waitFor();
  const text = await refusal.textContent();
  check(text.includes('401') && text.includes('authentication required'), `the refusal says: ${text}`);
  check(await page.evaluate(() => sessionStorage.length === 0), 'a refused token was kept in sessionStorage');
  await snapshot(page, '02-wrong-token');

  step('keyboard only: sign in with Tab and Enter');
  await page.reload();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await page.keyboard.press('Tab'); // from the page: the brand link, then the token field
  for (let i = 0; i < 5 && !(await page.evaluate(() => document.activeElement?.id === 'token')); i++) {
    await page.keyboard.press('Tab');
  }
  check(await page.evaluate(() => document.activeElement?.id === 'token'), 'Tab never reached the token field');
  await page.keyboard.type(ADMIN_TOKEN);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Functions' }).waitFor();
  check(await page.evaluate(() => sessionStorage.getItem('faas4j.admin.token')) === ADMIN_TOKEN, 'the token is not in sessionStorage');
  check(await page.evaluate(() => document.cookie === ''), 'the console set a cookie');
  check(!page.url().includes(ADMIN_TOKEN), 'the token is in the URL');
  await snapshot(page, '03-functions-empty');

  step('deploy a function through the editor');
  await page.getByLabel('New function name').fill('hello');
  await page.getByRole('button', { name: 'Create' }).click();
  await page.getByRole('heading', { name: 'Deploy a new version' }).waitFor();
  await page.getByLabel('Version', { exact: true }).fill('v1');
  await page.getByRole('textbox', { name: 'Code to deploy' }).fill(V1);
  await page.getByRole('button', { name: 'Deploy', exact: true }).click();
  await page.getByText('Deployed v1').waitFor();
  await page.getByRole('cell', { name: 'latest' }).waitFor();
  await snapshot(page, '04-function-deployed');

  step('the function is listed with its latest version and state');
  await page.getByRole('link', { name: '← All functions' }).click();
  const row = page.getByRole('row', { name: /hello/ });
  await row.waitFor();
  const rowText = await row.textContent();
  check(rowText.includes('v1') && /running|starting|suspended/.test(rowText), `the list row says: ${rowText}`);
  await snapshot(page, '05-functions');

  step('keyboard only: open the function from the list with Tab and Enter');
  await page.getByRole('button', { name: 'Refresh' }).focus();
  let reached = false;
  for (let i = 0; i < 10 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement?.textContent === 'hello');
  }
  check(reached, 'Tab never reached the link to hello');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Versions' }).waitFor();

  step('invoke it from the invoke panel');
  await page.getByLabel('Path').fill('/greet');
  await page.getByLabel('Request headers').fill('X-Probe: console');
  await page.getByRole('button', { name: 'Invoke', exact: true }).click();
  await page.getByText(/Status 200 in \d+ ms/).waitFor();
  const body = await page.getByLabel('Response body').textContent();
  check(body === 'hello from v1', `the invoke panel shows the body ${JSON.stringify(body)}`);
  const headers = await page.getByLabel('Response headers').textContent();
  check(/x-request-id|X-Request-Id/i.test(headers), `the invoke panel shows the headers ${headers}`);
  await snapshot(page, '06-invoke');

  step('watch a log line appear');
  await page.getByRole('button', { name: 'Follow logs' }).click();
  await page.getByText('Following the logs…').waitFor();
  await page.getByLabel('Path').fill('/watched');
  await page.getByRole('button', { name: 'Invoke', exact: true }).click();
  await page.getByRole('log', { name: 'Log lines' }).filter({ hasText: 'served /watched by v1' }).waitFor({ timeout: 20000 });
  await snapshot(page, '07-logs');
  await page.getByRole('button', { name: 'Stop following' }).click();

  step('deploy v2: the bare host serves it');
  await page.getByLabel('Version', { exact: true }).fill('v2');
  await page.getByRole('textbox', { name: 'Code to deploy' }).fill(V2);
  await page.getByRole('button', { name: 'Deploy', exact: true }).click();
  await page.getByText('Deployed v2').waitFor();
  let answer = await getHost('hello.func.local');
  check(answer.body === 'hello from v2', `after deploying v2 the bare host answered ${answer.status} ${answer.body}`);

  step('roll back to v1: the bare host serves v1 again');
  await page.getByRole('button', { name: 'Roll back to v1' }).click();
  await page.getByText('Latest of hello is now v1.').waitFor();
  answer = await getHost('hello.func.local');
  check(answer.body === 'hello from v1', `after the rollback the bare host answered ${answer.status} ${answer.body}`);
  await page.getByRole('button', { name: 'Roll back to v2' }).waitFor();

  step('a version\'s code is shown read-only, with line numbers');
  await page.getByRole('button', { name: 'Show code of v1' }).click();
  const code = page.getByLabel('Code of v1 (read-only)');
  await code.waitFor();
  check((await code.inputValue()) === V1, 'the code of v1 is not what was deployed');
  check(!(await code.isEditable()), 'the code of a deployed version is editable');
  await snapshot(page, '08-versions-and-code');

  step('an error is shown where the user acted: v1 again with other code is refused');
  await page.getByLabel('Version', { exact: true }).fill('v1');
  await page.getByRole('textbox', { name: 'Code to deploy' }).fill(V2);
  await page.getByRole('button', { name: 'Deploy', exact: true }).click();
  const deployForm = page.getByRole('form', { name: 'Deploy a new version' });
  await deployForm.getByRole('alert').filter({ hasText: 'versions are immutable' }).waitFor();
  check((await deployForm.getByRole('alert').textContent()).includes('409'), 'the refusal does not name its status');
  await snapshot(page, '09-deploy-refused');

  step('move an alias');
  await page.getByLabel('Alias name').fill('test');
  await page.getByLabel('To version').selectOption('v2');
  await page.getByRole('button', { name: 'Move alias' }).click();
  await page.getByText('Alias test now points at v2.').waitFor();
  answer = await getHost('test.hello.func.local');
  check(answer.body === 'hello from v2', `the alias test answered ${answer.status} ${answer.body}`);

  step('delete a version, with confirmation: cancel keeps it, confirm deletes it');
  await page.getByRole('button', { name: 'Remove alias test' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
  await page.getByText('Alias test removed.').waitFor();
  await page.getByRole('button', { name: 'Delete version v2' }).click();
  await page.getByRole('dialog').getByText('Delete version v2 of hello?').waitFor();
  await snapshot(page, '10-confirm-delete');
  await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
  await page.getByRole('button', { name: 'Delete version v2' }).waitFor();
  check((await getHost('v2.hello.func.local')).body === 'hello from v2', 'a cancelled delete deleted v2');
  await page.getByRole('button', { name: 'Delete version v2' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
  await page.getByText('v2 deleted.').waitFor();
  answer = await getHost('v2.hello.func.local');
  check(answer.status === 404, `v2 answered ${answer.status} after it was deleted`);
  check((await getHost('hello.func.local')).body === 'hello from v1', 'the bare host no longer serves v1');

  step('the list counts the requests (the gateway has metrics on)');
  await page.getByRole('link', { name: '← All functions' }).click();
  const counted = page.getByRole('row', { name: /hello/ });
  await counted.waitFor();
  const counts = await counted.textContent();
  check(/[1-9]\d* \/ 0 in total/.test(counts), `the list row shows no requests: ${counts}`);

  step('signing out forgets the token');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  check(await page.evaluate(() => sessionStorage.length === 0), 'the token outlived signing out');
}

mkdirSync(SCREENSHOTS, { recursive: true });
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
let failed = null;
try {
  const context = await browser.newContext({ viewport: { width: WIDTH, height: HEIGHT } });
  context.setDefaultTimeout(30000);
  const page = await context.newPage();
  page.on('console', (message) => {
    // failed loads are judged by their URL below
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
      problems.push(`browser console: ${message.text()}`);
    }
  });
  page.on('response', (response) => {
    const what = `${response.request().method()} ${new URL(response.url()).pathname} ${response.status()}`;
    if (response.status() >= 400 && !EXPECTED_REFUSALS.includes(what)) problems.push(`unexpected answer: ${what}`);
  });
  page.on('pageerror', (error) => problems.push(`uncaught in the page: ${error.message}`));
  try {
    await run(page);
  } catch (e) {
    failed = e;
    await page.screenshot({ path: `${SCREENSHOTS}/failure.png`, fullPage: true }).catch(() => {});
  }
} finally {
  await browser.close();
}
const unexpected = problems;
if (failed) {
  console.error(`FAILED: ${failed.stack || failed}`);
}
if (unexpected.length) {
  console.error(`FAILED: the page reported errors (a CSP violation would be one):\n${unexpected.join('\n')}`);
}
if (failed || unexpected.length) process.exit(1);
console.log('console scenarios passed');
