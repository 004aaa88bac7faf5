import type { ConsoleConfig } from './config';
import type { OidcSettings } from './pkce';
import { authorizationUrl, challengeS256, createVerifier, discover, jwtClaims, parseCallback, randomToken, tokenRequestBody } from './pkce';

// The session's access token lives in sessionStorage (gone with the tab), never in the bundle.
const TOKEN = 'loyalty.console.token';
const FLOW = 'loyalty.console.oidc';

export interface Session {
  token: string;
  sub: string;
  scope: string;
  expiresAt: number | null;
}

export function currentSession(): Session | null {
  const token = sessionStorage.getItem(TOKEN);
  if (!token) return null;
  const c = jwtClaims(token);
  const exp = typeof c.exp === 'number' ? c.exp * 1000 : null;
  if (exp !== null && exp < Date.now()) {
    sessionStorage.removeItem(TOKEN);
    return null;
  }
  return { token, sub: String(c.sub ?? '?'), scope: String(c.scope ?? ''), expiresAt: exp };
}

export function useToken(token: string): void {
  sessionStorage.setItem(TOKEN, token.trim());
}

export function signOut(): void {
  sessionStorage.removeItem(TOKEN);
}

/**
 * Local sign-in: the local runner's door POST /_local/token mints a short-lived admin token for
 * the operator (only `./loyalty local` has it; API Gateway has no such route).
 */
export async function localSignIn(apiBase: string, sub = 'operator'): Promise<Session> {
  const r = await fetch(apiBase.replace(/\/+$/, '') + '/_local/token', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ sub, scopes: ['points:admin'] }),
  });
  if (!r.ok) throw new Error(`the local runner did not mint a token (HTTP ${r.status}); is this ./loyalty local?`);
  const { token } = (await r.json()) as { token: string };
  useToken(token);
  return currentSession()!;
}

/** Deployed sign-in, step 1: to the issuer's authorize endpoint with a fresh verifier, state and nonce. */
export async function beginOidc(s: OidcSettings, returnTo: string): Promise<void> {
  const d = await discover(s.issuer);
  const verifier = createVerifier();
  const state = randomToken();
  const nonce = randomToken();
  sessionStorage.setItem(FLOW, JSON.stringify({ verifier, state, nonce, returnTo, tokenEndpoint: d.token_endpoint }));
  location.assign(authorizationUrl(d.authorization_endpoint, s, state, nonce, await challengeS256(verifier)));
}

/** Step 2, on the redirect back: the code and the verifier for the access token. Null when this is no callback. */
export async function completeOidc(config: ConsoleConfig): Promise<{ returnTo: string } | null> {
  if (config.auth.mode !== 'oidc') return null;
  const flow = JSON.parse(sessionStorage.getItem(FLOW) ?? 'null') as
    | { verifier: string; state: string; nonce: string; returnTo: string; tokenEndpoint: string }
    | null;
  const cb = parseCallback(location.href, flow?.state ?? null);
  if (cb === null) return null;
  sessionStorage.removeItem(FLOW);
  history.replaceState(null, '', location.pathname + location.hash); // the code is single use: off the address bar
  if ('error' in cb) throw new Error(`sign-in failed: ${cb.error}${cb.description ? ': ' + cb.description : ''}`);
  const r = await fetch(flow!.tokenEndpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: tokenRequestBody(config.auth, cb.code, flow!.verifier),
  });
  if (!r.ok) throw new Error(`token endpoint: HTTP ${r.status} ${await r.text()}`);
  const t = (await r.json()) as { access_token: string; id_token?: string };
  if (t.id_token && jwtClaims(t.id_token).nonce !== flow!.nonce) throw new Error('sign-in failed: nonce mismatch');
  useToken(t.access_token);
  return { returnTo: flow!.returnTo };
}
