/**
 * Ingest progress on stderr (bytes, lines, rate, ETA), only when stderr is a terminal:
 * a log of a scripted run stays clean. Lines are counted as the pre-pass reads them; while
 * DuckDB loads a file (most of the time on a large file), the line says so and keeps its clock
 * running instead of standing still at the bytes hashed.
 */
export class Progress {
  private total = 0;
  private files = 0;
  private bytes = 0;
  private lines = 0;
  private filesDone = 0;
  private started = 0;
  private lastDraw = 0;
  /** Since when DuckDB is loading the current file; undefined while hashing. */
  private load: { readonly since: number } | undefined;
  private timer: NodeJS.Timeout | undefined;

  private constructor(private readonly out: { write(text: string): unknown }) {}

  static forStderr(): Progress | undefined {
    return process.stderr.isTTY ? new Progress(process.stderr) : undefined;
  }

  /** A progress line written to any stream (tests). */
  static to(out: { write(text: string): unknown }): Progress {
    return new Progress(out);
  }

  start(totalBytes: number, files: number): void {
    this.total = totalBytes;
    this.files = files;
    this.started = performance.now();
    this.timer = setInterval(() => this.draw(), 1000);
    this.timer.unref();
  }

  advance(bytes: number): void {
    this.bytes += bytes;
    this.load = undefined;
    this.draw();
  }

  /** Lines the pre-pass has read since it last said. */
  linesRead(lines: number): void {
    this.lines += lines;
    this.draw();
  }

  /** The file is hashed and counted; DuckDB reads it now. */
  loading(): void {
    this.load = { since: performance.now() };
    this.draw(true);
  }

  fileDone(_lines?: number): void {
    this.filesDone++;
    this.load = undefined;
    this.draw(true);
  }

  done(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.lastDraw > 0) this.out.write('\r\x1b[K');
  }

  private draw(force = false): void {
    const now = performance.now();
    if (!force && now - this.lastDraw < 200) return;
    this.lastDraw = now;
    const secs = (now - this.started) / 1000;
    const mb = (n: number) => (n / 1e6).toFixed(1);
    const head = `\r\x1b[Kingest: file ${Math.min(this.filesDone + 1, this.files)}/${this.files}, ${mb(this.bytes)} of ${mb(this.total)} MB, ${this.lines.toLocaleString('en')} lines`;
    if (this.load) {
      this.out.write(`${head}, loading into DuckDB (${((now - this.load.since) / 1000).toFixed(0)}s)`);
      return;
    }
    const rate = secs > 0 ? this.bytes / secs : 0;
    const eta = rate > 0 ? Math.max(0, (this.total - this.bytes) / rate) : 0;
    this.out.write(`${head}, ${mb(rate)} MB/s, ETA ${eta.toFixed(0)}s`);
  }
}
