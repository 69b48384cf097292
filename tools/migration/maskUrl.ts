/** A connection URL as it may be printed: the password replaced, wherever it was written. */
export function maskUrl(url: string): string {
  const queryMasked = url.replace(/([?&]password=)[^&]*/gi, '$1***');
  try {
    const parsed = new URL(queryMasked);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    // Not a URL the WHATWG parser takes (e.g. an unescaped '@' in the password): mask up to the last '@'.
    return queryMasked.replace(/\/\/([^:/@]*):.*@/, '//$1:***@');
  }
}
