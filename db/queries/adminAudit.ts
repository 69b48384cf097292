import { and, arrayContains, desc, eq, gte, lt, sql } from 'drizzle-orm';
import type { Executor } from '../client';
import { adminAuditLog } from '../schema';

export type NewAuditRow = typeof adminAuditLog.$inferInsert;

/** Appends one audit row; there is no update or delete here, and the table's triggers refuse both. */
export async function insertAuditRow(tx: Executor, row: NewAuditRow): Promise<void> {
  await tx.insert(adminAuditLog).values(row);
}

export interface AuditFilter {
  targetId?: string | undefined;
  adminSubject?: string | undefined;
  action?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
}

const auditColumns = {
  id: adminAuditLog.id,
  at: adminAuditLog.at,
  adminSubject: adminAuditLog.adminSubject,
  adminEmail: adminAuditLog.adminEmail,
  adminRole: adminAuditLog.adminRole,
  action: adminAuditLog.action,
  targetType: adminAuditLog.targetType,
  targetIds: adminAuditLog.targetIds,
  before: adminAuditLog.before,
  after: adminAuditLog.after,
  reason: adminAuditLog.reason,
  requestId: adminAuditLog.requestId,
};

const whereOf = (f: AuditFilter) =>
  and(
    f.targetId ? arrayContains(adminAuditLog.targetIds, [f.targetId]) : undefined,
    f.adminSubject ? eq(adminAuditLog.adminSubject, f.adminSubject) : undefined,
    f.action ? eq(adminAuditLog.action, f.action) : undefined,
    f.from ? gte(adminAuditLog.at, f.from) : undefined,
    f.to ? lt(adminAuditLog.at, f.to) : undefined,
  );

/** Newest first. */
export function listAuditRows(db: Executor, f: AuditFilter & { offset: number; limit: number }) {
  return db
    .select(auditColumns)
    .from(adminAuditLog)
    .where(whereOf(f))
    .orderBy(desc(adminAuditLog.at), desc(adminAuditLog.id))
    .limit(f.limit)
    .offset(f.offset);
}

export async function countAuditRows(db: Executor, f: AuditFilter): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(adminAuditLog).where(whereOf(f));
  return row?.n ?? 0;
}
