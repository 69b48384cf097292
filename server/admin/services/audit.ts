import type { Executor } from '../../../db/client';
import { countAuditRows, insertAuditRow, listAuditRows } from '../../../db/queries/adminAudit';
import type { AdminAuditListInput } from '../../contracts/adminAudit';
import type { AdminContext } from '../context';

export interface AuditEntry {
  action: string;
  targetType: 'exam' | 'booking' | 'contact';
  targetIds: string[];
  before?: unknown;
  after?: unknown;
  reason?: string | undefined;
}

/** Writes the audit row of an admin change; call it inside the change's own transaction. */
export function audit(tx: Executor, ctx: AdminContext, entry: AuditEntry): Promise<void> {
  return insertAuditRow(tx, {
    adminSubject: ctx.admin.subject,
    adminEmail: ctx.admin.email,
    adminRole: ctx.admin.role,
    action: entry.action,
    targetType: entry.targetType,
    targetIds: entry.targetIds,
    // Through JSON once, so Dates are stored as ISO strings and undefined fields are dropped.
    before: entry.before === undefined ? null : JSON.parse(JSON.stringify(entry.before)),
    after: entry.after === undefined ? null : JSON.parse(JSON.stringify(entry.after)),
    reason: entry.reason ?? null,
    requestId: ctx.requestId,
  });
}

/** admin.audit.list: newest first, filtered by target, admin, action and time. */
export async function listAudit(ctx: AdminContext, input: AdminAuditListInput) {
  const page = { offset: (input.page - 1) * input.pageSize, limit: input.pageSize };
  const [rows, total] = await Promise.all([
    listAuditRows(ctx.db, { ...input, ...page }),
    countAuditRows(ctx.db, input),
  ]);
  return {
    items: rows.map((r) => ({
      ...r,
      before: r.before as Record<string, unknown> | null,
      after: r.after as Record<string, unknown> | null,
    })),
    page: input.page,
    pageSize: input.pageSize,
    total,
  };
}
