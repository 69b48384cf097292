import { z } from 'zod';
import { instantField } from './adminExams';

export const adminAuditListInput = z
  .object({
    targetId: z.string().trim().min(1).max(100).optional(),
    adminSubject: z.string().trim().min(1).max(200).optional(),
    action: z.string().trim().min(1).max(100).optional(),
    from: instantField.optional(),
    to: instantField.optional(),
    page: z.number().int().min(1).max(100_000).default(1),
    pageSize: z.number().int().min(1).max(500).default(50),
  })
  .strict();
export type AdminAuditListInput = z.infer<typeof adminAuditListInput>;
