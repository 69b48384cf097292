export * from './bookings';
export * from './contacts';
export * from './credits';
export * from './exams';
export * from './legacyAuditLog';
export * from './statuses';
export * from './syncMetadata';
export * from './syncOutbox';
