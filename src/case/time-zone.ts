import { didYouMean } from '../util/did-you-mean.js';

/**
 * Which time zone names a case file accepts. `Intl` (ICU) takes far more than IANA zone names: it
 * reads `BST` as Asia/Dhaka and `IST` as Asia/Kolkata, Java's three-letter ids and POSIX-style
 * `EST5EDT`. A case file that says `BST` means London, so such names are refused with the zones
 * they most likely mean. IANA backward links (`US/Eastern`, `Europe/Belfast`, `GB`) are accepted
 * with a warning naming the canonical zone.
 */

/** ICU's list keeps the older names of zones IANA renamed; these are the IANA names now. */
const RENAMED: Readonly<Record<string, string>> = {
  'Africa/Asmera': 'Africa/Asmara',
  'America/Buenos_Aires': 'America/Argentina/Buenos_Aires',
  'America/Catamarca': 'America/Argentina/Catamarca',
  'America/Coral_Harbour': 'America/Atikokan',
  'America/Cordoba': 'America/Argentina/Cordoba',
  'America/Godthab': 'America/Nuuk',
  'America/Indianapolis': 'America/Indiana/Indianapolis',
  'America/Jujuy': 'America/Argentina/Jujuy',
  'America/Louisville': 'America/Kentucky/Louisville',
  'America/Mendoza': 'America/Argentina/Mendoza',
  'Asia/Calcutta': 'Asia/Kolkata',
  'Asia/Katmandu': 'Asia/Kathmandu',
  'Asia/Rangoon': 'Asia/Yangon',
  'Asia/Saigon': 'Asia/Ho_Chi_Minh',
  'Atlantic/Faeroe': 'Atlantic/Faroe',
  'Europe/Kiev': 'Europe/Kyiv',
  'Pacific/Enderbury': 'Pacific/Kanton',
  'Pacific/Ponape': 'Pacific/Pohnpei',
  'Pacific/Truk': 'Pacific/Chuuk',
};

/** IANA backward links without a slash: accepted, with a warning. Every other slash-less name is refused. */
const SLASHLESS_LINKS = new Set(['Cuba', 'Egypt', 'Eire', 'GB', 'GB-Eire', 'GMT', 'GMT+0', 'GMT-0', 'GMT0', 'Greenwich', 'Hongkong', 'Iceland', 'Iran', 'Israel', 'Jamaica', 'Japan', 'Kwajalein', 'Libya', 'NZ', 'NZ-CHAT', 'Navajo', 'PRC', 'Poland', 'Portugal', 'ROC', 'ROK', 'Singapore', 'Turkey', 'UCT', 'Universal', 'W-SU', 'Zulu']);

/** Abbreviations and legacy aliases people write, with the zones they most likely mean. */
const LIKELY: Readonly<Record<string, readonly string[]>> = {
  BST: ['Europe/London'],
  IST: ['Asia/Kolkata', 'Europe/Dublin', 'Asia/Jerusalem'],
  CET: ['Europe/Paris', 'Europe/Berlin', 'Europe/Brussels'],
  CEST: ['Europe/Paris', 'Europe/Berlin', 'Europe/Brussels'],
  MET: ['Europe/Paris', 'Europe/Berlin', 'Europe/Brussels'],
  MEST: ['Europe/Paris', 'Europe/Berlin', 'Europe/Brussels'],
  WET: ['Europe/Lisbon'],
  WEST: ['Europe/Lisbon'],
  EET: ['Europe/Athens', 'Europe/Helsinki', 'Europe/Kyiv'],
  EEST: ['Europe/Athens', 'Europe/Helsinki', 'Europe/Kyiv'],
  MSK: ['Europe/Moscow'],
  EST: ['America/New_York', 'America/Toronto'],
  EDT: ['America/New_York', 'America/Toronto'],
  EST5EDT: ['America/New_York'],
  CST: ['America/Chicago', 'Asia/Shanghai', 'America/Havana'],
  CDT: ['America/Chicago'],
  CST6CDT: ['America/Chicago'],
  MST: ['America/Denver', 'America/Phoenix'],
  MDT: ['America/Denver'],
  MST7MDT: ['America/Denver'],
  PST: ['America/Los_Angeles'],
  PDT: ['America/Los_Angeles'],
  PST8PDT: ['America/Los_Angeles'],
  AKST: ['America/Anchorage'],
  HST: ['Pacific/Honolulu'],
  AST: ['America/Halifax', 'America/Puerto_Rico', 'Asia/Riyadh'],
  NST: ['America/St_Johns'],
  JST: ['Asia/Tokyo'],
  KST: ['Asia/Seoul'],
  HKT: ['Asia/Hong_Kong'],
  SGT: ['Asia/Singapore'],
  PHT: ['Asia/Manila'],
  WIB: ['Asia/Jakarta'],
  AEST: ['Australia/Sydney', 'Australia/Melbourne', 'Australia/Brisbane'],
  AEDT: ['Australia/Sydney', 'Australia/Melbourne'],
  ACST: ['Australia/Adelaide', 'Australia/Darwin'],
  AWST: ['Australia/Perth'],
  NZST: ['Pacific/Auckland'],
  NZDT: ['Pacific/Auckland'],
  SAST: ['Africa/Johannesburg'],
  CAT: ['Africa/Maputo', 'Africa/Harare'],
  EAT: ['Africa/Nairobi'],
  WAT: ['Africa/Lagos'],
  PKT: ['Asia/Karachi'],
  BRT: ['America/Sao_Paulo'],
  ART: ['America/Argentina/Buenos_Aires'],
};

export type ZoneCheck =
  | { readonly ok: true; readonly zone: string; readonly warning?: string }
  | { readonly ok: false; readonly message: string; readonly help: string };

let canonical: ReadonlySet<string> | undefined;

/** IANA's canonical zone names as far as this runtime knows them, plus UTC. */
function canonicalZones(): ReadonlySet<string> {
  if (!canonical) {
    const names = Intl.supportedValuesOf('timeZone').map((z) => RENAMED[z] ?? z);
    const etc = ['Etc/UTC', 'Etc/GMT', ...Array.from({ length: 12 }, (_, i) => `Etc/GMT+${i + 1}`), ...Array.from({ length: 14 }, (_, i) => `Etc/GMT-${i + 1}`)];
    canonical = new Set(['UTC', ...names, ...etc]);
  }
  return canonical;
}

/** The zone ICU resolves a name to, under its IANA name; undefined when ICU does not know it. */
function resolve(name: string): string | undefined {
  try {
    const zone = new Intl.DateTimeFormat('en', { timeZone: name }).resolvedOptions().timeZone;
    return RENAMED[zone] ?? zone;
  } catch {
    return undefined;
  }
}

const EXAMPLE = 'write the IANA name of the place, such as Europe/London, America/New_York or Asia/Kolkata, or UTC';

/** Whether a case file may use `name` as a time zone; the zone to use and a warning, or why not. */
export function checkTimeZone(name: string): ZoneCheck {
  if (canonicalZones().has(name) && resolve(name)) return { ok: true, zone: name };
  const upper = name.toUpperCase();
  const likely = LIKELY[upper];
  if (likely) {
    return {
      ok: false,
      message: `'${name}' is an abbreviation, not a time zone: it is ambiguous and does not follow daylight saving time as the place does`,
      help: `write the IANA zone of the place: ${likely.join(', or ')}`,
    };
  }
  const zone = resolve(name);
  if (!zone) {
    const guess = didYouMean(name, [...canonicalZones()]);
    return { ok: false, message: `'${name}' is not an IANA time zone`, help: guess ? `did you mean '${guess}'?` : EXAMPLE };
  }
  if (!name.includes('/') && !SLASHLESS_LINKS.has(name)) {
    return { ok: false, message: `'${name}' is an abbreviation or legacy alias, not an IANA time zone (it would be read as ${zone})`, help: EXAMPLE };
  }
  if (name.toLowerCase() === zone.toLowerCase()) return { ok: true, zone, warning: `'${name}' is written ${zone}: read as ${zone}` };
  const uk = zone === 'UTC' && /^(GMT|Greenwich|GB)/i.test(name) ? ' (if the logs follow UK summer time, write Europe/London)' : '';
  return { ok: true, zone, warning: `'${name}' is an old name (an IANA backward link) for ${zone}: read as ${zone}; write ${zone}${uk}` };
}
