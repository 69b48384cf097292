// The credits procedures' inputs: validated by the router (zod), typed for the service; both import them from here.
import { z } from 'zod';
import { MOCK_TYPES } from '../../db/schema/statuses';

export const checkCreditsInput = z.object({ mockType: z.enum(MOCK_TYPES) }).strict();
