import { hubspotCall } from '../hubspotClient';
import type { PushContext } from '../push/context';

/** HubSpot's search pages hold at most 200 results. */
const PAGE = 200;
/** HubSpot's search answers at most 10,000 results per query: past this, the query restarts from the cursor. */
const SEARCH_WINDOW = 10_000;

export interface ModifiedSearch {
  objectType: string;
  /** `hs_lastmodifieddate` on custom objects, `lastmodifieddate` on contacts. */
  modifiedProperty: string;
  properties: string[];
  /** Only records modified at or after this instant. */
  since: Date;
  /** More conditions, ANDed (e.g. contacts that have a student id). */
  filters?: Array<{ propertyName: string; operator: string; value?: string }>;
}

export interface FoundRecord {
  id: string;
  properties: Record<string, string | null>;
  modifiedAt: Date;
}

export const instantOf = (value: string | null | undefined): Date | undefined => {
  if (value == null || value === '') return undefined;
  const at = /^\d+$/.test(value) ? new Date(Number(value)) : new Date(value);
  return Number.isNaN(at.getTime()) ? undefined : at;
};

/**
 * Pages through the records modified since `since`, oldest first, handing each page to `store`
 * before asking for the next: the caller advances its cursor only past what it stored. HubSpot
 * answers at most 10,000 results per query, so a longer run restarts the query from the last
 * modification seen (GTE: records at that instant come again, which storing idempotently absorbs).
 */
export async function searchModifiedSince(
  ctx: PushContext,
  search: ModifiedSearch,
  store: (records: FoundRecord[]) => Promise<void>,
): Promise<void> {
  let since = search.since;
  let after: string | undefined;
  for (;;) {
    const filters = [
      { propertyName: search.modifiedProperty, operator: 'GTE', value: String(since.getTime()) },
      ...(search.filters ?? []),
    ];
    const page = await hubspotCall(
      ctx,
      () =>
        ctx.client.crm.objects.searchApi.doSearch(search.objectType, {
          filterGroups: [{ filters: filters as never }],
          // HubSpot takes sort objects; the generated client types them as strings.
          sorts: [{ propertyName: search.modifiedProperty, direction: 'ASCENDING' }] as unknown as string[],
          properties: [...search.properties, search.modifiedProperty],
          limit: PAGE,
          ...(after ? { after } : {}),
        }),
      'search',
    );
    const records = page.results.map((r) => {
      const properties = r.properties as Record<string, string | null>;
      return { id: r.id, properties, modifiedAt: instantOf(properties[search.modifiedProperty]) ?? r.updatedAt };
    });
    if (records.length > 0) await store(records);
    after = page.paging?.next?.after;
    if (!after || records.length === 0) return;
    if (Number(after) + PAGE > SEARCH_WINDOW) {
      const last = records.at(-1)!.modifiedAt;
      // Nothing newer than the window's start: the same instant holds more than 10,000 records.
      if (last.getTime() <= since.getTime())
        throw new Error('more than 10,000 HubSpot records share one modification instant');
      since = last;
      after = undefined;
    }
  }
}
