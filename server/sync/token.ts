import type { Config } from '../config';
import { createSecretReader } from '../secrets/secretsManager';

/**
 * The HubSpot token: HUBSPOT_TOKEN, or read once from the Secrets Manager secret named by
 * HUBSPOT_TOKEN_SECRET_ID (a plain string, or JSON with `token` / `HUBSPOT_TOKEN`).
 */
export function hubspotTokenSource(config: Config): () => Promise<string> {
  const { token, tokenSecretId } = config.hubspot;
  if (token) return async () => token;
  if (!tokenSecretId) return async () => Promise.reject(new Error('HubSpot sync is off: no token configured'));
  const read = createSecretReader(config.aws);
  let cached: Promise<string> | undefined;
  return () => {
    cached ??= read(tokenSecretId).then(parseToken, (err: unknown) => {
      cached = undefined;
      throw err;
    });
    return cached;
  };
}

/** The token from a secret's text: a plain string, or JSON with `token` / `HUBSPOT_TOKEN`. */
export function parseToken(text: string): string {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) return trimmed;
  const parsed = JSON.parse(trimmed) as { token?: string; HUBSPOT_TOKEN?: string };
  const token = parsed.token ?? parsed.HUBSPOT_TOKEN;
  if (!token) throw new Error('the HubSpot token secret has neither `token` nor `HUBSPOT_TOKEN`');
  return token;
}

const shared = new WeakMap<Config, () => Promise<string>>();

/** One token source per configuration, so request paths (the login lookup) read the secret once. */
export function sharedHubspotToken(config: Config): () => Promise<string> {
  let source = shared.get(config);
  if (!source) {
    source = hubspotTokenSource(config);
    shared.set(config, source);
  }
  return source;
}
