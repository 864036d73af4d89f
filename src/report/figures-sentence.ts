import type { Summary } from '../analyze/analysis.js';
import { plural } from '../util/plural.js';

/** The figures as a regulator writes them: "235 unauthorized accesses to 119 documents from ...". */
export function figuresSentence(s: Summary): string {
  return (
    `${plural(s.unauthorized_accesses, 'unauthorized access', 'unauthorized accesses')} to ${plural(s.documents, 'document', 'documents')} ` +
    `from ${plural(s.unique_ips, 'unique IP address', 'unique IP addresses')}, affecting ${plural(s.affected_subjects, 'person', 'people')}`
  );
}
