/**
 * What an error says about itself, gathered from the whole chain: drivers and SDKs wrap the reason
 * (SecretError → the AWS SDK's ResourceNotFoundException, AggregateError → one ECONNREFUSED per
 * address), and the code an operator needs is rarely on the outermost object.
 */
export interface ErrorFacts {
  /** `code` values: SQLSTATEs (28P01), Node/OpenSSL codes (ECONNREFUSED, SELF_SIGNED_CERT_IN_CHAIN). */
  codes: Set<string>;
  /** `name` values: ResourceNotFoundException, TimeoutError, ConfigError, ReplyError … */
  names: Set<string>;
  /** Every message in the chain, outermost first. */
  messages: string[];
}

export function errorFacts(err: unknown): ErrorFacts {
  const facts: ErrorFacts = { codes: new Set(), names: new Set(), messages: [] };
  const seen = new Set<unknown>();
  const visit = (e: unknown, depth: number) => {
    if (e === null || e === undefined || seen.has(e) || depth > 8) return;
    seen.add(e);
    if (typeof e !== 'object') {
      facts.messages.push(String(e));
      return;
    }
    const { code, name, message, cause } = e as { code?: unknown; name?: unknown; message?: unknown; cause?: unknown };
    if (typeof code === 'string' && code !== '') facts.codes.add(code);
    if (typeof name === 'string' && name !== '' && name !== 'Error') facts.names.add(name);
    if (typeof message === 'string' && message !== '') facts.messages.push(message);
    visit(cause, depth + 1);
    if (e instanceof AggregateError) for (const inner of e.errors) visit(inner, depth + 1);
  };
  visit(err, 0);
  return facts;
}

export const hasCode = (f: ErrorFacts, ...codes: string[]) => codes.some((c) => f.codes.has(c));
export const hasName = (f: ErrorFacts, ...names: string[]) => names.some((n) => f.names.has(n));
export const saysAny = (f: ErrorFacts, pattern: RegExp) => f.messages.some((m) => pattern.test(m));
