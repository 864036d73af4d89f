/**
 * The report as data: an ordered list of sections, each a list of blocks. report.html and
 * report.md are two renderers of the same sections, so they cannot drift apart. Values are plain
 * text (from logs, CSVs and the case file: hostile); each renderer escapes them for its own
 * format. A block never carries markup.
 */
export type Block =
  /** A paragraph of plain text; `strong` renders it bold (the headline figure). */
  | { readonly kind: 'paragraph'; readonly text: string; readonly strong?: boolean }
  /** A bulleted list; an item may name a code (a warning code, a column) shown as code. */
  | { readonly kind: 'list'; readonly items: readonly { readonly code?: string; readonly text: string }[] }
  /** A subheading inside a section (the categories table, the gaps in coverage). */
  | { readonly kind: 'heading'; readonly text: string }
  /** Label/value lines (the Art. 33 details, the window); `strong` stresses one (the deadline). */
  | { readonly kind: 'facts'; readonly rows: readonly { readonly label: string; readonly value: string; readonly todo?: boolean; readonly strong?: boolean }[] }
  /**
   * A table. With no rows it renders `empty` as a sentence instead of a header row.
   * `note` is the sentence under it (a cap: "Showing the 1,000 ..."), '' when none.
   */
  | { readonly kind: 'table'; readonly headers: readonly string[]; readonly rows: readonly (readonly unknown[])[]; readonly empty: string; readonly note?: string }
  /** Preformatted text (a detector's SQL, the case file), in a fence longer than any inside. */
  | { readonly kind: 'code'; readonly text: string; readonly lang?: string; readonly caption?: string }
  /** A bar chart over time (see timeline buckets); markdown renders it as a table. */
  | { readonly kind: 'chart'; readonly chart: TimelineChart };

export interface TimelineChart {
  readonly title: string;
  /** The bucket every bar spans: minute, hour, day or week, chosen from the span shown. */
  readonly bucket: 'minute' | 'hour' | 'day' | 'week';
  /** Buckets per bar: 1 unless the span is too long (or too short for the next unit) to draw one bar a bucket. */
  readonly step: number;
  /** The display zone the labels are written in (the case's `timezone:`, else UTC). */
  readonly zone: string;
  /** `start` is the bar's first instant (ISO, UTC); `label` its start in the display zone. */
  readonly bars: readonly { readonly start: string; readonly label: string; readonly value: number }[];
  /** The instant the last bar ends (ISO, UTC). */
  readonly end: string;
  /** Window edges and coverage gaps, as ISO instants, drawn as marks over the bars. */
  readonly marks: readonly { readonly at: string; readonly to?: string; readonly label: string }[];
}

export interface Section {
  /** A stable anchor id ([a-z0-9-]). */
  readonly id: string;
  readonly title: string;
  readonly blocks: readonly Block[];
  /** Method, detectors' SQL, ingest details: after the figures, in the appendix. */
  readonly appendix?: boolean;
}

/** The whole report: a title, a provenance line under it, then the sections in reading order. */
export interface ReportDocument {
  readonly title: string;
  readonly meta: string;
  readonly sections: readonly Section[];
}
