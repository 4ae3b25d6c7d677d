// The console's entry point: a hash router (#/ the functions, #/functions/{name} one function) and
// sign-in/out. Each view gets an AbortSignal that fires when the user leaves it (stops a log tail).
import { clearToken, token } from './api.js';
import { renderFunctionList, renderSignIn } from './views.js';
import { renderFunction } from './function-page.js';

const main = document.getElementById('main');
const signOut = document.getElementById('sign-out');
let leaving = null;

function route() {
  if (leaving) leaving.abort();
  leaving = new AbortController();
  const context = { signal: leaving.signal, signedOut };
  signOut.hidden = !token();
  if (!token()) {
    renderSignIn(main, context, () => { location.hash = '#/'; route(); });
    return;
  }
  const match = /^#\/functions\/([^/]+)$/.exec(location.hash);
  if (match) renderFunction(main, decodeURIComponent(match[1]), context);
  else renderFunctionList(main, context);
}

/** The API refused the token: back to the sign-in form, with the reason. */
function signedOut(message) {
  clearToken();
  route();
  const reason = document.getElementById('sign-in-outcome');
  if (reason && message) reason.show(message, true);
}

signOut.addEventListener('click', () => { clearToken(); location.hash = '#/'; route(); });
window.addEventListener('hashchange', route);
route();
