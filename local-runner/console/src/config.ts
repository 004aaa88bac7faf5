import type { OidcSettings } from './pkce';

/**
 * Runtime settings, read from config.json beside the bundle (never built in): the local
 * runner serves the default one below; Terraform writes the deployed one (API origin, the
 * issuer the API's JWT authorizer trusts, the console's client id and redirect).
 */
export interface ConsoleConfig {
  /** The API's origin; empty: the console's own origin (the local runner serves both). */
  apiBase: string;
  auth: { mode: 'local' } | ({ mode: 'oidc' } & OidcSettings);
}

export async function loadConfig(): Promise<ConsoleConfig> {
  const r = await fetch(new URL('config.json', document.baseURI).toString(), { cache: 'no-store' });
  if (!r.ok) throw new Error(`config.json: HTTP ${r.status}`);
  const c = (await r.json()) as Partial<ConsoleConfig>;
  return { apiBase: c.apiBase ?? '', auth: c.auth ?? { mode: 'local' } };
}
