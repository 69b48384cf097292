import { dashboardFigures } from '../../../db/queries/adminExams';
import type { AdminExamDashboardInput } from '../../contracts/adminExams';
import type { AdminContext } from '../context';

const percent = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 1000) / 10 : 0);

/**
 * admin.exams.dashboard: sessions in the range (total, upcoming, fully booked), average utilisation
 * (seats taken over seats offered, %), and the no-show rate (no-shows over marked attendance, %).
 */
export async function examDashboard(ctx: AdminContext, input: AdminExamDashboardInput) {
  const f = await dashboardFigures(ctx.db, { ...input, now: ctx.now() });
  return {
    from: input.from ?? null,
    to: input.to ?? null,
    totalSessions: f.total,
    upcomingSessions: f.upcoming,
    fullyBooked: f.fullyBooked,
    seatsTaken: f.seatsTaken,
    seatsOffered: f.seatsOffered,
    averageUtilization: percent(f.seatsTaken, f.seatsOffered),
    attended: f.attended,
    noShows: f.noShow,
    noShowRate: percent(f.noShow, f.attended + f.noShow),
  };
}
