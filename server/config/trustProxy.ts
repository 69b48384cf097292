import { isIP } from 'node:net';

/** Names Express (proxy-addr) knows for the private ranges. */
const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** An address, a CIDR subnet (`10.0.0.0/16`) or a named range. */
function isProxyEntry(entry: string): boolean {
  if (NAMED_RANGES.has(entry)) return true;
  const [address, bits, extra] = entry.split('/');
  const family = isIP(address ?? '');
  if (!family || extra !== undefined) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}

/** TRUST_PROXY that is neither a boolean nor a hop count: a comma-separated list of proxies. */
export function trustedProxyList(raw: string): string[] {
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** What is wrong with TRUST_PROXY as a list, if it is one. */
export function proxyListProblems(raw: string): string[] {
  if (raw === 'true' || raw === 'false' || raw === '' || /^\d+$/.test(raw)) return [];
  const bad = trustedProxyList(raw).filter((entry) => !isProxyEntry(entry));
  return bad.length > 0
    ? [
        `TRUST_PROXY: not a hop count, address, subnet or loopback/linklocal/uniquelocal: ${bad.map((b) => JSON.stringify(b)).join(', ')}`,
      ]
    : [];
}
