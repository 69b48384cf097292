import type { AdminRole } from '../config/admin';
import type { InnerContext } from '../context';
import type { AdminIdentity } from './auth/adminIdentity';

/** What admin procedures (and their services) run with: the verified admin and the request's id. */
export type AdminContext = InnerContext & {
  admin: AdminIdentity & { role: AdminRole };
  requestId: string | null;
};
