// OIDC authorization-code flow with PKCE (RFC 7636), as a public client in the browser: no
// client secret, the code is bound to a one-time verifier kept in sessionStorage.
// The pure parts live here (tested with Vitest); auth.ts wires them to the page.

const UNRESERVED = /^[A-Za-z0-9\-._~]{43,128}$/;

export function base64url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** A code verifier: 32 random bytes, base64url (43 characters of the unreserved set). */
export function createVerifier(random: (a: Uint8Array) => Uint8Array = (a) => crypto.getRandomValues(a)): string {
  return base64url(random(new Uint8Array(32)));
}

/** Random state or nonce (16 bytes, base64url). */
export function randomToken(random: (a: Uint8Array) => Uint8Array = (a) => crypto.getRandomValues(a)): string {
  return base64url(random(new Uint8Array(16)));
}

export function isValidVerifier(v: string): boolean {
  return UNRESERVED.test(v);
}

/** code_challenge = BASE64URL(SHA-256(ASCII(code_verifier))), method S256. */
export async function challengeS256(verifier: string): Promise<string> {
  if (!isValidVerifier(verifier)) throw new Error('code_verifier must be 43 to 128 unreserved characters');
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

export interface OidcSettings {
  issuer: string;
  clientId: string;
  redirectUri: string;
  /** Scopes to ask for; the API wants points:admin in the access token's `scope`. */
  scope: string;
  /** Some issuers (Auth0) need the API's audience on the authorize request. */
  audience?: string;
}

export interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  end_session_endpoint?: string;
}

/** OpenID discovery; the document's issuer must be the configured one exactly (OIDC Discovery 4.3). */
export async function discover(issuer: string, fetchFn: typeof fetch = fetch): Promise<Discovery> {
  const url = issuer.replace(/\/+$/, '') + '/.well-known/openid-configuration';
  const r = await fetchFn(url, { headers: { Accept: 'application/json' } });
  if (!r.ok) throw new Error(`discovery failed: ${r.status} from ${url}`);
  const d = (await r.json()) as Discovery;
  if (d.issuer !== issuer) throw new Error(`discovery issuer ${d.issuer} is not the configured ${issuer}`);
  if (!d.authorization_endpoint || !d.token_endpoint) throw new Error('discovery lacks authorization or token endpoint');
  return d;
}

export function authorizationUrl(endpoint: string, s: OidcSettings, state: string, nonce: string, challenge: string): string {
  const u = new URL(endpoint);
  u.searchParams.set('response_type', 'code');
  u.searchParams.set('client_id', s.clientId);
  u.searchParams.set('redirect_uri', s.redirectUri);
  u.searchParams.set('scope', s.scope);
  u.searchParams.set('state', state);
  u.searchParams.set('nonce', nonce);
  u.searchParams.set('code_challenge', challenge);
  u.searchParams.set('code_challenge_method', 'S256');
  if (s.audience) u.searchParams.set('audience', s.audience);
  return u.toString();
}

export type Callback = { code: string } | { error: string; description?: string } | null;

/** The redirect back: null when the URL is not a callback; the state must match what we sent. */
export function parseCallback(href: string, expectedState: string | null): Callback {
  const u = new URL(href);
  const q = u.searchParams;
  if (!q.has('code') && !q.has('error')) return null;
  if (!expectedState || q.get('state') !== expectedState) {
    return { error: 'state_mismatch', description: 'the sign-in answer does not belong to this browser session' };
  }
  if (q.has('error')) return { error: q.get('error')!, description: q.get('error_description') ?? undefined };
  return { code: q.get('code')! };
}

export function tokenRequestBody(s: OidcSettings, code: string, verifier: string): URLSearchParams {
  return new URLSearchParams({
    grant_type: 'authorization_code',
    code,
    redirect_uri: s.redirectUri,
    client_id: s.clientId,
    code_verifier: verifier,
  });
}

/** The claims of a JWT, unverified (the API verifies; the console only shows who is signed in). */
export function jwtClaims(token: string): Record<string, unknown> {
  const part = token.split('.')[1];
  if (!part) return {};
  try {
    const b64 = part.replace(/-/g, '+').replace(/_/g, '/');
    const json = decodeURIComponent(
      Array.from(atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4)))
        .map((c) => '%' + c.charCodeAt(0).toString(16).padStart(2, '0'))
        .join(''),
    );
    return JSON.parse(json) as Record<string, unknown>;
  } catch {
    return {};
  }
}
