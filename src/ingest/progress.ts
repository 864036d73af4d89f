/**
 * Ingest progress on stderr (bytes, lines, rate, ETA), only when stderr is a terminal:
 * a log of a scripted run stays clean.
 */
export class Progress {
  private total = 0;
  private files = 0;
  private bytes = 0;
  private lines = 0;
  private filesDone = 0;
  private started = 0;
  private lastDraw = 0;

  private constructor(private readonly out: NodeJS.WriteStream) {}

  static forStderr(): Progress | undefined {
    return process.stderr.isTTY ? new Progress(process.stderr) : undefined;
  }

  start(totalBytes: number, files: number): void {
    this.total = totalBytes;
    this.files = files;
    this.started = performance.now();
  }

  advance(bytes: number): void {
    this.bytes += bytes;
    this.draw();
  }

  fileDone(lines: number): void {
    this.lines += lines;
    this.filesDone++;
    this.draw(true);
  }

  done(): void {
    if (this.lastDraw > 0) this.out.write('\r\x1b[K');
  }

  private draw(force = false): void {
    const now = performance.now();
    if (!force && now - this.lastDraw < 200) return;
    this.lastDraw = now;
    const secs = (now - this.started) / 1000;
    const rate = secs > 0 ? this.bytes / secs : 0;
    const eta = rate > 0 ? Math.max(0, (this.total - this.bytes) / rate) : 0;
    const mb = (n: number) => (n / 1e6).toFixed(1);
    this.out.write(
      `\r\x1b[Kingest: file ${Math.min(this.filesDone + 1, this.files)}/${this.files}, ${mb(this.bytes)} of ${mb(this.total)} MB, ` +
        `${this.lines.toLocaleString('en')} lines, ${mb(rate)} MB/s, ETA ${eta.toFixed(0)}s`,
    );
  }
}
