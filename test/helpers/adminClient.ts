import { type Client, createClient } from '../../client/src';
import type { OidcIssuer } from './oidcIssuer';

/**
 * Clients of the service at `url()` signed in as an admin of `idp` with `role` (extra claims such as
 * sub or email added to the token), as the admin frontend would call it.
 */
export function adminClients(idp: OidcIssuer, url: () => string) {
  return async function adminAs(role: string, claims: Record<string, unknown> = {}): Promise<Client> {
    const token = await idp.token(role, { claims });
    return createClient({ url: `${url()}/api/trpc`, getToken: () => token });
  };
}
