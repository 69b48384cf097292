const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/**
 * The readable booking code the school already uses, e.g. "Clinical Skills-1599999-March 1, 2026".
 * Built from the calendar date as stored (no time zone can shift it).
 */
export function formatBookingCode(mockType: string, studentId: string, examDate: string): string {
  const [year, month, day] = examDate.split('-').map(Number);
  return `${mockType}-${studentId}-${MONTHS[month! - 1]} ${day}, ${year}`;
}
