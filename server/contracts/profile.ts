// The profile procedures' inputs: validated by the router (zod), typed for the service.
import { z } from 'zod';
import { isoDate } from './fields';

export const setNdeccExamDateInput = z.object({ ndeccExamDate: isoDate }).strict();
export type SetNdeccExamDateInput = z.infer<typeof setNdeccExamDateInput>;
