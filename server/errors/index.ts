export {
  type AppErrorCode,
  type AppErrorDetails,
  type CreditAvailability,
  DomainError,
  ExamFullError,
  errors,
} from './catalogue';
export { errorData } from './errorData';
export { appCodeOf, toTRPCError } from './toTRPCError';
