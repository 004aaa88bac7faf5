import './styles.css';
import { Api } from './api';
import { beginOidc, completeOidc, currentSession, localSignIn, signOut, useToken } from './auth';
import type { ConsoleConfig } from './config';
import { loadConfig } from './config';
import type { Ctx } from './context';
import { PAGES } from './pages';
import { card, h, showError } from './ui';

const app = document.getElementById('app')!;

function route(): { id: string; params: string[] } {
  const parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  return { id: parts[0] ?? 'members', params: parts.slice(1) };
}

function go(path: string): void {
  location.hash = '#' + path;
}

async function render(config: ConsoleConfig): Promise<void> {
  const session = currentSession();
  if (!session) {
    renderSignIn(config);
    return;
  }
  const { id, params } = route();
  const page = PAGES.find((p) => p.id === id) ?? PAGES[0];
  const ctx: Ctx = { api: new Api(config.apiBase, () => currentSession()?.token ?? null), config, session, go };
  const main = h('main', { 'data-page': page.id });
  const nav = h('nav', {}, ...PAGES.map((p) => h('a', {
    href: '#/' + p.id,
    class: [p.id === page.id ? 'active' : '', p.comesWith ? 'later' : ''].join(' ').trim(),
    title: p.comesWith ? `comes with issue #${p.comesWith.issue}` : '',
  }, p.title, p.comesWith ? h('span', { class: 'badge' }, `#${p.comesWith.issue}`) : null)));
  const header = h('header', { class: 'topbar' },
    h('div', { class: 'brand' }, 'Loyalty ledger · console'),
    h('div', { class: 'who', 'data-testid': 'who' }, `${session.sub} · ${session.scope || 'no scope'}`,
      h('button', { type: 'button', class: 'small', onclick: () => { signOut(); void render(config); } }, 'Sign out')));
  app.replaceChildren(header, h('div', { class: 'shell' }, nav, main));
  try {
    await page.render(main, params, ctx);
  } catch (e) {
    const box = h('div', {});
    main.append(box);
    showError(box, e);
  }
  main.dataset.ready = 'true';
}

function renderSignIn(config: ConsoleConfig): void {
  const box = h('div', {});
  const err = (e: unknown) => showError(box, e);
  const pasted = h('textarea', { rows: 3, placeholder: 'eyJhbGciOi…', 'data-testid': 'token-input' });
  const local = config.auth.mode === 'local';
  app.replaceChildren(h('main', { class: 'signin', 'data-page': 'signin' }, card('Sign in',
    box,
    local
      ? h('div', {},
        h('p', {}, 'This is the local runner: it mints a short-lived admin token (points:admin) for the operator.'),
        h('button', { type: 'button', 'data-testid': 'local-signin', onclick: () => localSignIn(config.apiBase).then(() => render(config), err) }, 'Sign in as the local operator'))
      : h('div', {},
        h('p', {}, `Sign in with your organisation's identity provider (${config.auth.mode === 'oidc' ? config.auth.issuer : ''}).`),
        h('button', { type: 'button', onclick: () => config.auth.mode === 'oidc' && beginOidc(config.auth, location.hash).catch(err) }, 'Sign in')),
    h('details', {}, h('summary', {}, 'Or paste an access token'),
      pasted, h('button', { type: 'button', onclick: () => { useToken(pasted.value); void render(config); } }, 'Use this token')))));
}

async function start(): Promise<void> {
  let config: ConsoleConfig;
  try {
    config = await loadConfig();
  } catch (e) {
    app.replaceChildren(h('p', {}, `The console could not read its config.json: ${(e as Error).message}`));
    return;
  }
  try {
    const done = await completeOidc(config);
    if (done) location.hash = done.returnTo;
  } catch (e) {
    renderSignIn(config);
    showError(app.querySelector('.card') as HTMLElement, e);
    return;
  }
  window.addEventListener('hashchange', () => void render(config));
  await render(config);
}

void start();
