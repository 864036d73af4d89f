/** What `init` proposes for one source of the case file, with the evidence said beside it. */
export interface SourcePlan {
  readonly name: string;
  readonly paths: readonly string[];
  /** A format name, or `auto` for the NCSA family (each file read with every head shape). */
  readonly format: string;
  readonly role: 'access' | 'identity';
  /** Set (to UTC, with a TODO) when the times carry no offset and the reader needs a zone. */
  readonly timezone: string | undefined;
  /** One comment line per fact: files, formats and why, lines, spans, zone evidence, identity joins. */
  readonly notes: readonly string[];
}

export interface RoutePlan {
  readonly route: string;
  readonly note: string;
  /** Proposed as a live line; the others are written commented out, to uncomment if they fit. */
  readonly active: boolean;
}

export interface CasePlan {
  readonly title: string;
  /** The span of the access sources' events: from inclusive, to exclusive (one second past the last). */
  readonly window: { readonly from: string; readonly to: string } | undefined;
  readonly sources: readonly SourcePlan[];
  readonly trustedProxies: { readonly cidrs: readonly string[]; readonly note: string } | undefined;
  readonly routes: readonly RoutePlan[];
  /** Relative to the case file; `exists` false: a placeholder the controller must provide. */
  readonly owners: { readonly path: string; readonly exists: boolean } | undefined;
  /** Files left out, with why: said at the top of the case file. */
  readonly skipped: readonly string[];
  /** What `analyze` would refuse and only the controller can settle (files that overlap). */
  readonly problems: readonly string[];
}
