import { router } from '../trpc';
import { examsRouter } from './exams';

export const appRouter = router({
  exams: examsRouter,
});

export type AppRouter = typeof appRouter;
