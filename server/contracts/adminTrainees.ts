// Admin trainee and credit procedures' inputs (admin.trainees.*, admin.credits.adjust).
import { z } from 'zod';
import { plainText } from './fields';

const contactId = z.string().trim().min(1).max(100);

export const adminTraineeSearchInput = z
  .object({
    /** Student ID, email or name: a prefix, case-insensitive. */
    query: plainText(200),
    limit: z.number().int().min(1).max(100).default(20),
  })
  .strict();
export type AdminTraineeSearchInput = z.infer<typeof adminTraineeSearchInput>;

export const adminTraineeGetInput = z.object({ contactId, includeCancelled: z.boolean().default(true) }).strict();
export type AdminTraineeGetInput = z.infer<typeof adminTraineeGetInput>;

/** The credit names, one per balance column. */
export const ADMIN_CREDIT_TYPES = ['sj', 'cs', 'sjmini', 'mockDiscussion', 'shared'] as const;
export type AdminCreditType = (typeof ADMIN_CREDIT_TYPES)[number];

export const adminCreditsAdjustInput = z
  .object({
    contactId,
    creditType: z.enum(ADMIN_CREDIT_TYPES),
    /** Signed: added to the balance as it is when the row is locked, never a value computed earlier. */
    delta: z
      .number()
      .int()
      .min(-1000)
      .max(1000)
      .refine((d) => d !== 0, 'delta must not be 0'),
    reason: plainText(500),
  })
  .strict();
export type AdminCreditsAdjustInput = z.infer<typeof adminCreditsAdjustInput>;
