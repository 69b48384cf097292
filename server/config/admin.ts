import type { Env } from './env';

/** The four roles the school gives its staff (docs/DOMAIN.md "Admins"); permissions follow from them. */
export const ADMIN_ROLES = ['super_admin', 'admin', 'coordinator', 'viewer'] as const;
export type AdminRole = (typeof ADMIN_ROLES)[number];

/** Claims looked at, in order, when ADMIN_ROLE_CLAIM is unset: Cognito, Entra ID/Okta, generic. */
export const DEFAULT_ROLE_CLAIMS = ['cognito:groups', 'groups', 'roles'] as const;

const isRole = (value: string): value is AdminRole => (ADMIN_ROLES as readonly string[]).includes(value);

/**
 * ADMIN_ROLE_MAP: `IdP group=role` pairs separated by commas (`Mocks Admins=admin,Front Desk=coordinator`).
 * Returns the map and the problems found, one line per bad pair.
 */
export function parseRoleMap(raw: string | undefined): { map: Map<string, AdminRole> | undefined; problems: string[] } {
  if (raw === undefined) return { map: undefined, problems: [] };
  const map = new Map<string, AdminRole>();
  const problems: string[] = [];
  for (const pair of raw.split(',').map((p) => p.trim())) {
    if (!pair) continue;
    const at = pair.lastIndexOf('=');
    const group = pair.slice(0, at).trim();
    const role = pair.slice(at + 1).trim();
    if (at <= 0 || !group) problems.push(`ADMIN_ROLE_MAP: "${pair}" is not "group=role"`);
    else if (!isRole(role)) problems.push(`ADMIN_ROLE_MAP: "${role}" is not one of ${ADMIN_ROLES.join(', ')}`);
    else map.set(group, role);
  }
  return { map, problems };
}

/** Who may call the admin procedures: the OIDC issuer and how its tokens name a role. */
export function adminConfig(env: Env, problems: string[]) {
  const roleMap = parseRoleMap(env.ADMIN_ROLE_MAP);
  problems.push(...roleMap.problems);
  if (env.ADMIN_OIDC_ISSUER && !env.ADMIN_OIDC_AUDIENCE)
    problems.push('ADMIN_OIDC_AUDIENCE: required when ADMIN_OIDC_ISSUER is set (the client id tokens are issued for)');
  if (!env.ADMIN_OIDC_ISSUER && (env.ADMIN_OIDC_AUDIENCE || env.ADMIN_OIDC_JWKS_URL))
    problems.push('ADMIN_OIDC_ISSUER: required when ADMIN_OIDC_AUDIENCE or ADMIN_OIDC_JWKS_URL is set');
  const oidc =
    env.ADMIN_OIDC_ISSUER && env.ADMIN_OIDC_AUDIENCE
      ? { issuer: env.ADMIN_OIDC_ISSUER, audience: env.ADMIN_OIDC_AUDIENCE, jwksUrl: env.ADMIN_OIDC_JWKS_URL }
      : undefined;
  return {
    /** Absent: no admin sign-in (only the development issuer, outside production). */
    oidc,
    clockSkewSeconds: env.ADMIN_OIDC_CLOCK_SKEW_SECONDS,
    /** Least time between key refetches an unknown `kid` triggers. */
    keyRefreshCooldownMs: env.ADMIN_OIDC_KEY_REFRESH_COOLDOWN_SECONDS * 1000,
    roleClaims: env.ADMIN_ROLE_CLAIM ? [env.ADMIN_ROLE_CLAIM] : [...DEFAULT_ROLE_CLAIMS],
    /** IdP group → role; absent: the claim's values are role names themselves. */
    roleMap: roleMap.map,
    /**
     * The development issuer's key file (npm run admin:token): its tokens are accepted only when no
     * OIDC issuer is configured, and never under NODE_ENV=production (undefined there).
     */
    devKeyFile: !oidc && env.NODE_ENV !== 'production' ? env.ADMIN_DEV_KEY_FILE : undefined,
  };
}

export type AdminConfig = ReturnType<typeof adminConfig>;
