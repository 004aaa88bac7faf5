import { describe, expect, it } from 'vitest';
import { authorizationUrl, base64url, challengeS256, createVerifier, discover, isValidVerifier, jwtClaims, parseCallback, randomToken, tokenRequestBody } from '../src/pkce';
import type { OidcSettings } from '../src/pkce';

const settings: OidcSettings = {
  issuer: 'https://login.example.com/',
  clientId: 'loyalty-console',
  redirectUri: 'https://console.example.com/console/',
  scope: 'openid points:admin',
};

describe('PKCE (RFC 7636)', () => {
  it('derives the S256 challenge of RFC 7636 appendix B', async () => {
    // the RFC's own example: verifier from the octets in B, challenge as printed there
    expect(await challengeS256('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('base64url-encodes the RFC example octets into its verifier (no padding, url alphabet)', () => {
    const octets = new Uint8Array([116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37, 77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121]);
    expect(base64url(octets)).toBe('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk');
    expect(base64url(new Uint8Array([0xfb, 0xff]))).toBe('-_8');
  });

  it('makes verifiers of 43 unreserved characters from 32 random bytes, a new one each time', () => {
    const a = createVerifier();
    const b = createVerifier();
    expect(a).toHaveLength(43);
    expect(isValidVerifier(a)).toBe(true);
    expect(a).not.toBe(b);
    expect(createVerifier((x) => x.fill(0))).toBe('A'.repeat(43));
    expect(randomToken()).toHaveLength(22);
  });

  it('refuses a verifier that is too short or has characters outside the unreserved set', async () => {
    expect(isValidVerifier('short')).toBe(false);
    expect(isValidVerifier('a'.repeat(129))).toBe(false);
    expect(isValidVerifier('a'.repeat(42) + '+')).toBe(false);
    await expect(challengeS256('short')).rejects.toThrow(/43 to 128/);
  });
});

describe('authorization-code flow', () => {
  it('asks for a code with the S256 challenge, state and nonce', () => {
    const u = new URL(authorizationUrl('https://login.example.com/authorize', { ...settings, audience: 'loyalty-api' }, 'st', 'no', 'ch'));
    expect(u.origin + u.pathname).toBe('https://login.example.com/authorize');
    expect(Object.fromEntries(u.searchParams)).toEqual({
      response_type: 'code', client_id: 'loyalty-console', redirect_uri: 'https://console.example.com/console/',
      scope: 'openid points:admin', state: 'st', nonce: 'no', code_challenge: 'ch', code_challenge_method: 'S256', audience: 'loyalty-api',
    });
  });

  it('takes the code only when the state is the one this session sent', () => {
    expect(parseCallback('https://c.example.com/console/?code=abc&state=s1#/members', 's1')).toEqual({ code: 'abc' });
    expect(parseCallback('https://c.example.com/console/?code=abc&state=evil', 's1')).toMatchObject({ error: 'state_mismatch' });
    expect(parseCallback('https://c.example.com/console/?code=abc&state=s1', null)).toMatchObject({ error: 'state_mismatch' });
    expect(parseCallback('https://c.example.com/console/?error=access_denied&error_description=no&state=s1', 's1')).toEqual({ error: 'access_denied', description: 'no' });
    expect(parseCallback('https://c.example.com/console/#/members', 's1')).toBeNull();
  });

  it('redeems the code with the verifier, as a public client (no secret)', () => {
    const b = tokenRequestBody(settings, 'the-code', 'v'.repeat(43));
    expect(Object.fromEntries(b)).toEqual({
      grant_type: 'authorization_code', code: 'the-code', redirect_uri: settings.redirectUri, client_id: 'loyalty-console', code_verifier: 'v'.repeat(43),
    });
    expect(b.has('client_secret')).toBe(false);
  });

  it('discovers the endpoints and refuses a document for another issuer', async () => {
    const doc = { issuer: settings.issuer, authorization_endpoint: 'https://login.example.com/authorize', token_endpoint: 'https://login.example.com/token' };
    const seen: string[] = [];
    const fetchOk = (async (url: string) => { seen.push(url); return new Response(JSON.stringify(doc)); }) as unknown as typeof fetch;
    expect(await discover(settings.issuer, fetchOk)).toEqual(doc);
    expect(seen).toEqual(['https://login.example.com/.well-known/openid-configuration']);
    const fetchOther = (async () => new Response(JSON.stringify({ ...doc, issuer: 'https://evil.example.com/' }))) as unknown as typeof fetch;
    await expect(discover(settings.issuer, fetchOther)).rejects.toThrow(/not the configured/);
  });

  it('reads the claims of a token to show who is signed in', () => {
    const payload = base64url(new TextEncoder().encode(JSON.stringify({ sub: 'opérateur', scope: 'points:admin' })));
    expect(jwtClaims(`e30.${payload}.sig`)).toEqual({ sub: 'opérateur', scope: 'points:admin' });
    expect(jwtClaims('garbage')).toEqual({});
  });
});
