/**
 * Two sections of the report: confirmed against at-risk figures with the confidence tiers, and the
 * Art. 33 people per category and country with the hours to notification. Plain text in blocks
 * (section.ts); report.html and report.md render them.
 */
import { plural } from '../util/plural.js';
import { TIER_RULE } from '../analyze/tiers.js';
import type { ReportModel } from './report-model.js';
import type { Section } from './section.js';

export function atRiskSection(m: ReportModel): Section {
  const s = m.analysis.summary;
  const r = m.analysis.at_risk;
  return {
    id: 'at-risk',
    title: 'Confirmed and at risk',
    blocks: [
      {
        kind: 'table',
        headers: ['figure', 'documents', 'people', 'what it counts'],
        rows: [
          ['confirmed', s.documents, s.affected_subjects, 'documents the logs show were disclosed without authorization (the figures above), and their people'],
          ['at risk', r.documents, r.people, r.definition],
        ],
        empty: '',
      },
      { kind: 'paragraph', text: `Confidence of the ${plural(s.unauthorized_accesses, 'counted access', 'counted accesses')}: ${s.tiers.confirmed.toLocaleString('en')} confirmed, ${s.tiers.partial.toLocaleString('en')} partial.` },
      { kind: 'paragraph', text: TIER_RULE },
    ],
  };
}

export function peopleSection(m: ReportModel): Section {
  const n = m.analysis.notification;
  const rows = (list: typeof n.people_by_country) => list.map((x) => [x.key, x.people, x.documents]);
  return {
    id: 'people-by-country',
    title: 'People affected by country and category (Art. 33)',
    blocks: [
      { kind: 'facts', rows: [hoursRow(n)] },
      { kind: 'table', headers: ['country', 'people', 'documents'], rows: rows(n.people_by_country), empty: 'No person affected.' },
      { kind: 'table', headers: ['category', 'people', 'documents'], rows: rows(n.people_by_category), empty: 'No person affected.' },
      { kind: 'paragraph', text: 'From the country and category columns of the subjects file, else of the owners file; a person listed under two countries is counted in each.' },
    ],
  };
}

function hoursRow(n: ReportModel['analysis']['notification']): { label: string; value: string; todo?: boolean } {
  const label = 'Hours to notify';
  const hours = n.hours_to_notify;
  if (hours === null) return { label, value: 'Set aware_at in the case file to compute it.', todo: true };
  const span = `${hours} hours from awareness (${n.aware_at}) to this report (${n.reported_at})`;
  const tenth = (x: number) => Math.round(x * 10) / 10;
  if (hours < 0) return { label, value: `${span}: the report is dated before aware_at; check both`, todo: true };
  if (hours <= 72) return { label, value: `${span}; ${tenth(72 - hours)} hours left of the 72` };
  return { label, value: `${span}; ${tenth(hours - 72)} hours past the 72: Art. 33(1) asks for the reasons of the delay` };
}
