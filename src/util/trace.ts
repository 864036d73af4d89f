/**
 * Test and profiling hook: with BREACHSCOPE_TRACE_STAGES=1 each stage is announced on stderr with
 * the milliseconds since start, so crash-safety tests can kill -9 at a known point instead of
 * guessing with timers, and a slow run shows where its time went.
 * BREACHSCOPE_STAGE_PAUSE_MS holds each stage open that long (for those tests), or only the stages
 * named BREACHSCOPE_STAGE_PAUSE_AT when that is set.
 */
const traceStages = process.env.BREACHSCOPE_TRACE_STAGES === '1';
const stagePauseMs = Number(process.env.BREACHSCOPE_STAGE_PAUSE_MS ?? 0);
const stagePauseAt = process.env.BREACHSCOPE_STAGE_PAUSE_AT;
const started = performance.now();

export async function stage(name: string, subject = ''): Promise<void> {
  if (!traceStages) return;
  process.stderr.write(`stage ${name} ${subject} +${Math.round(performance.now() - started)}ms\n`);
  if (stagePauseMs > 0 && (stagePauseAt === undefined || stagePauseAt === name)) await new Promise((resolve) => setTimeout(resolve, stagePauseMs));
}
