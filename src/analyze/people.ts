import type { CaseFile } from '../case/case-file.js';
import type { Store } from '../db/store.js';

/**
 * The Art. 33 facts about the people confirmed affected: how many per category and per country
 * (EDPB Guidelines 9/2022: per country when several authorities are concerned), and the hours from
 * `aware_at` to the report. Categories and countries come from the subjects file, else the owners
 * file (a value in the owners file stands for the document's people when theirs is empty).
 */
export interface Notification {
  readonly aware_at: string | null;
  /** The instant the figures are reported at (report: its generated-at time; analyze: now). */
  readonly reported_at: string;
  /** Hours from aware_at to reported_at (one decimal); GDPR Art. 33(1) allows 72. Null without aware_at. */
  readonly hours_to_notify: number | null;
  readonly people_by_category: readonly PeopleRow[];
  readonly people_by_country: readonly PeopleRow[];
}

export interface PeopleRow {
  readonly key: string;
  readonly people: number;
  readonly documents: number;
}

const iso = (d: Date) => d.toISOString().replace('.000Z', 'Z');

export async function notificationFacts(store: Store, caseFile: CaseFile, reportedAt: Date): Promise<Notification> {
  const aware = caseFile.awareAt;
  return {
    aware_at: aware ? iso(aware) : null,
    reported_at: iso(reportedAt),
    hours_to_notify: aware ? Math.round((reportedAt.getTime() - aware.getTime()) / 360_000) / 10 : null,
    people_by_category: await peopleBy(store, caseFile, 'category'),
    people_by_country: await peopleBy(store, caseFile, 'country'),
  };
}

/** People (subjects, else owner accounts) of the confirmed documents, per value of `column`; 'not given' when empty. */
async function peopleBy(store: Store, caseFile: CaseFile, column: 'category' | 'country'): Promise<PeopleRow[]> {
  const [table, person] = caseFile.documents.subjects !== undefined ? ['subjects', 'subject_id'] : ['owners', 'owner_account'];
  return store.all<PeopleRow & Record<string, string | number>>(
    `SELECT coalesce(${column}, 'not given') AS key, count(DISTINCT ${person}) AS people, count(DISTINCT document_id) AS documents
     FROM ${table} WHERE document_id IN (SELECT document FROM unauthorized) GROUP BY 1 ORDER BY people DESC, key`,
  );
}
