export {
  APP_ERRORS,
  type AppErrorCode,
  type AppErrorDetails,
  type CreditAvailability,
  DomainError,
  ExamFullError,
  errors,
} from './catalogue';
export { errorData, type WireLimits } from './errorData';
export { appCodeOf, toTRPCError } from './toTRPCError';
