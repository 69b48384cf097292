import type { JWTPayload } from 'jose';
import type { AdminConfig, AdminRole } from '../../config/admin';
import { ADMIN_ROLES } from '../../config/admin';
import { ROLE_RANK } from './permissions';

/** A claim's values: IdPs send groups as an array, some as one string (space- or comma-separated). */
function claimValues(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  if (typeof value === 'string') return value.split(/[\s,]+/).filter(Boolean);
  return [];
}

/**
 * The role a verified token grants: the first configured claim present, its values mapped through
 * ADMIN_ROLE_MAP (or taken as role names when there is no map), the strongest one winning.
 * Undefined when the token names no known role: signed in, but allowed nothing.
 */
export function roleFromClaims(payload: JWTPayload, cfg: Pick<AdminConfig, 'roleClaims' | 'roleMap'>) {
  const claim = cfg.roleClaims.find((name) => payload[name] !== undefined);
  if (!claim) return undefined;
  const roles = new Set<AdminRole>();
  for (const value of claimValues(payload[claim])) {
    const role = cfg.roleMap
      ? cfg.roleMap.get(value)
      : (ADMIN_ROLES as readonly string[]).includes(value)
        ? value
        : undefined;
    if (role) roles.add(role as AdminRole);
  }
  return ROLE_RANK.find((role) => roles.has(role));
}
