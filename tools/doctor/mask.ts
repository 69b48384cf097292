import { redactUrlPasswords } from '../../server/lib/redact';

/**
 * Doctor's output goes into terminals, CI logs and tickets: no password, token or secret value may
 * appear in it, in any spelling (as is, percent-encoded in a URL, JSON-escaped).
 */

const SECRET_VARIABLES = [
  'DB_PASSWORD',
  'REDIS_PASSWORD',
  'SESSION_SECRET',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'HUBSPOT_TOKEN',
];
const URL_VARIABLES = ['DATABASE_URL', 'REDIS_URL'];

/** The password of a URL, also when the URL is too broken to parse (that is when it gets printed). */
function urlPasswords(raw: string): string[] {
  try {
    const { password } = new URL(raw);
    if (password) return [password, safeDecode(password)];
  } catch {
    // fall through to the loose match below
  }
  const loose = /\/\/[^:/@]*:(.*)@/.exec(raw)?.[1];
  return loose ? [loose, safeDecode(loose)] : [];
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export function sensitiveFromEnv(env: Record<string, string | undefined>): Set<string> {
  const found = new Set<string>();
  for (const name of SECRET_VARIABLES) if (env[name]) found.add(env[name]);
  for (const name of URL_VARIABLES) if (env[name]) for (const p of urlPasswords(env[name])) found.add(p);
  return found;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const WORD = /[\p{L}\p{N}_]/u;

/**
 * A pattern matching `value` only as a whole token: where it starts or ends with a letter or digit,
 * that edge must not touch another one. A one-letter password "x" must not turn "does not exist"
 * into "does not e***ist" (garbling the message and showing the password by where the *** is).
 */
function wholeToken(value: string): string {
  const before = WORD.test(value.at(0) ?? '') ? '(?<![\\p{L}\\p{N}_])' : '';
  const after = WORD.test(value.at(-1) ?? '') ? '(?![\\p{L}\\p{N}_])' : '';
  return `${before}${escapeRegExp(value)}${after}`;
}

/**
 * Masks structurally: the password field of every URL in the text (whatever its value), then each
 * known sensitive value (the set may grow while doctor runs) where it stands as a whole token, in
 * each spelling it may take (as is, percent-encoded, JSON-escaped). Never a substring of a word.
 */
export function masker(sensitive: Set<string>): (text: string) => string {
  return (text) => {
    const spellings = [
      ...new Set(
        [...sensitive]
          .filter((v) => v !== '')
          .flatMap((v) => [v, encodeURIComponent(v), JSON.stringify(v).slice(1, -1)]),
      ),
    ]
      // Longest first, so a value that contains another is masked whole.
      .sort((a, b) => b.length - a.length);
    let out = redactUrlPasswords(text);
    if (spellings.length > 0) out = out.replace(new RegExp(spellings.map(wholeToken).join('|'), 'gu'), '***');
    return out;
  };
}
