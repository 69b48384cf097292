import { type PulledExam, storePulledExams } from '../../../db/queries/syncPull';
import { EXAM_STATUSES, type ExamStatus } from '../../../db/schema';
import { hubspotCall } from '../hubspotClient';
import { chunks, type PushContext } from '../push/context';
import { type PullOptions, type PullResult, pullModified } from './run';
import { type FoundRecord, instantOf } from './search';

const PROPERTIES = [
  'mock_type',
  'mock_set',
  'exam_date',
  'start_time',
  'end_time',
  'location',
  'capacity',
  'is_active',
  'scheduled_activation_datetime',
  'mock_exam_name',
];

/** `exam_date` is a string in HubSpot ("2026-03-01"); a date picker may also send midnight in ms. */
function examDateOf(value: string | null | undefined): string | undefined {
  if (!value) return undefined;
  if (/^\d{4}-\d{2}-\d{2}/.test(value)) return value.slice(0, 10);
  return instantOf(value)?.toISOString().slice(0, 10);
}

/**
 * HubSpot's session as stored here; undefined (skipped, logged) when it lacks what a row needs or
 * breaks a rule the table holds ('scheduled' without an activation time).
 */
export function examFromHubSpot(r: FoundRecord): PulledExam | undefined {
  const p = r.properties;
  const examDate = examDateOf(p.exam_date);
  const isActive = (p.is_active ?? 'false').toLowerCase() as ExamStatus;
  const activation = instantOf(p.scheduled_activation_datetime) ?? null;
  if (!p.mock_type || !examDate || !EXAM_STATUSES.includes(isActive)) return undefined;
  if (isActive === 'scheduled' && !activation) return undefined;
  const capacity = Number.parseInt(p.capacity ?? '', 10);
  return {
    hubspotId: r.id,
    mockType: p.mock_type,
    mockSet: p.mock_set || null,
    examDate,
    startTime: instantOf(p.start_time) ?? null,
    endTime: instantOf(p.end_time) ?? null,
    location: p.location || null,
    capacity: Number.isFinite(capacity) && capacity >= 0 ? capacity : null,
    isActive,
    scheduledActivationDatetime: activation,
    mockExamName: p.mock_exam_name || null,
  };
}

/**
 * The sessions' prerequisites: their "requires attendance at" associations (session → session,
 * HUBSPOT_ASSOCIATION_PREREQUISITE, 1340), read for the Mock Discussions among them.
 */
async function prerequisitesOf(ctx: PushContext, examIds: string[]): Promise<Map<string, string[]>> {
  const found = new Map<string, string[]>(examIds.map((id) => [id, []]));
  const type = ctx.settings.objects.mockExams;
  for (const batch of chunks(examIds)) {
    const page = await hubspotCall(ctx, () =>
      ctx.client.crm.associations.v4.batchApi.getPage(type, type, { inputs: batch.map((id) => ({ id })) }),
    );
    for (const r of page.results) {
      const to = r.to
        .filter((t) => t.associationTypes.some((a) => a.typeId === ctx.settings.prerequisiteAssociationTypeId))
        .map((t) => String(t.toObjectId));
      found.set(String(r._from.id), to.sort());
    }
  }
  return found;
}

/**
 * Sessions (with their prerequisites) modified in HubSpot since the cursor. Stored without touching
 * total_bookings (this service's count) and without reverting a local edit not yet pushed (those
 * sessions are kept as they are, and logged).
 */
export function pullSessions(ctx: PushContext, options: PullOptions): Promise<PullResult> {
  return pullModified(ctx, options, {
    type: 'sessions',
    search: {
      objectType: ctx.settings.objects.mockExams,
      modifiedProperty: 'hs_lastmodifieddate',
      // With the property holding our id, to recognise a session created here (storePulledExams).
      properties: [...PROPERTIES, ctx.settings.examKeyProperty],
    },
    async store(records) {
      const exams: PulledExam[] = [];
      for (const r of records) {
        const exam = examFromHubSpot(r);
        if (exam) exams.push({ ...exam, localId: r.properties[ctx.settings.examKeyProperty] });
        else
          ctx.logger.warn(
            { examId: r.id, properties: r.properties },
            'hubspot pull: session skipped (incomplete or invalid)',
          );
      }
      const discussions = exams.filter((e) => e.mockType === 'Mock Discussion').map((e) => e.hubspotId);
      const prerequisites = await prerequisitesOf(ctx, discussions);
      for (const e of exams) e.prerequisiteExamIds = prerequisites.get(e.hubspotId);
      const { stored, kept } = await ctx.db.transaction((tx) => storePulledExams(tx, exams));
      if (kept.length > 0)
        ctx.logger.warn(
          { examIds: kept },
          'hubspot pull: sessions with local edits not yet pushed kept as they are here',
        );
      return { stored: stored.length, kept: kept.length, skipped: records.length - exams.length };
    },
  });
}
