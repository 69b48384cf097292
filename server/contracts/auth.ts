// The auth procedures' inputs: validated by the router (zod), typed for the service; both import them from here.
import { z } from 'zod';

export const loginInput = z
  .object({
    studentId: z
      .string()
      .trim()
      .min(1, 'Enter your student ID')
      .max(50)
      .regex(/^[\w-]+$/, 'Student IDs are letters, digits and dashes'),
    email: z.string().trim().max(254).pipe(z.email('Enter a valid email address')),
  })
  .strict();
export type LoginInput = z.infer<typeof loginInput>;
