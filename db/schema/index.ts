export * from './exams';
export * from './bookings';
export * from './contacts';
export * from './syncMetadata';
export * from './statuses';
