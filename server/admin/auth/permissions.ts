import type { AdminRole } from '../../config/admin';

/** What an admin procedure may require; each procedure states exactly one (README "Admin API"). */
export const ADMIN_PERMISSIONS = [
  'exams.view',
  'exams.create',
  'exams.edit',
  'exams.delete',
  'exams.activate',
  'bookings.view',
  'bookings.create',
  'bookings.cancel',
  'bookings.attendance',
  'bookings.export',
  'credits.adjust',
] as const;
export type AdminPermission = (typeof ADMIN_PERMISSIONS)[number];

/**
 * The school's roles as it uses them today: super_admin everything, admin all but deleting sessions,
 * coordinator the front desk (sessions and bookings, booking students in, attendance), viewer read only.
 */
export const ROLE_PERMISSIONS: Record<AdminRole, ReadonlySet<AdminPermission>> = {
  super_admin: new Set(ADMIN_PERMISSIONS),
  admin: new Set(ADMIN_PERMISSIONS.filter((p) => p !== 'exams.delete')),
  coordinator: new Set(['exams.view', 'bookings.view', 'bookings.create', 'bookings.attendance']),
  viewer: new Set(['exams.view', 'bookings.view']),
};

/** From most to least privileged: a token naming several roles acts with the strongest. */
export const ROLE_RANK: readonly AdminRole[] = ['super_admin', 'admin', 'coordinator', 'viewer'];

export const roleAllows = (role: AdminRole, permission: AdminPermission) => ROLE_PERMISSIONS[role].has(permission);
