// Progress for `resdistill run`: an overall bar plus one bar per running run (several with --parallel) with its
// epoch, loss and ETA (cli-progress);
// on a non-TTY stream (SLURM, nohup, CI), plain lines instead of redraws: one per run started and finished, and one
// per training epoch with its losses, validation metric and ETA, as it happens.
import cliProgress from 'cli-progress';
import type { PlannedRun } from '../experiment/plan.js';
import type { RunListener } from '../experiment/runner.js';
import type { JobEvent } from '../native/job.js';

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** Fraction done of one step from its events: epochs and steps for training, done/total for the rest. */
export function stepFraction(event: JobEvent): number | undefined {
  const epoch = num(event.epoch);
  const epochs = num(event.epochs);
  if (event.type === 'epoch' && epoch !== undefined && epochs) return Math.min(1, epoch / epochs);
  const step = num(event.step);
  const steps = num(event.steps);
  if (event.type === 'step' && step !== undefined && steps && epoch !== undefined && epochs)
    return Math.min(1, (epoch - 1 + step / steps) / epochs);
  const done = num(event.done);
  const total = num(event.total);
  if (done !== undefined && total) return Math.min(1, done / total);
  return undefined;
}

function formatEta(seconds: number | undefined): string {
  if (seconds === undefined) return '';
  const s = Math.round(seconds);
  return s >= 3600
    ? `ETA ${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
    : s >= 60
      ? `ETA ${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
      : `ETA ${s}s`;
}

/** One line per training epoch for logs: `kd 5x seed 0  train epoch 3/20  loss 0.4123  val loss 0.5011  val accuracy 71.3%  ETA 2m05s`. */
export function epochLine(label: string, step: string, event: JobEvent): string | undefined {
  if (event.type !== 'epoch') return undefined;
  const val = (event.val ?? {}) as { loss?: unknown; accuracy?: unknown };
  const loss = num(event.loss);
  const valLoss = num(val.loss);
  const valAccuracy = num(val.accuracy);
  return [
    label,
    `${step} epoch ${String(event.epoch)}/${String(event.epochs)}`,
    loss !== undefined ? `loss ${loss.toFixed(4)}` : '',
    valLoss !== undefined ? `val loss ${valLoss.toFixed(4)}` : '',
    valAccuracy !== undefined ? `val accuracy ${(100 * valAccuracy).toFixed(1)}%` : '',
    formatEta(num(event.etaSeconds)),
  ]
    .filter(Boolean)
    .join('  ');
}

/** A listener that draws bars on stderr; `stop()` must be called when the run ends (it restores the terminal). */
export function progressListener(stream: NodeJS.WriteStream = process.stderr): RunListener & { stop(): void } {
  const tty = Boolean(stream.isTTY);
  const multi = new cliProgress.MultiBar(
    {
      stream,
      format: ' {name} |{bar}| {percentage}% {detail}',
      barsize: 28,
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 20,
      fps: 5,
      noTTYOutput: false,
      autopadding: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let overall: cliProgress.SingleBar | undefined;
  /** One bar per running run, by run key. */
  const current = new Map<string, cliProgress.SingleBar>();
  let finished = 0;
  /** Each run's own ETA (epoch events carry it); kept between per-batch events that do not. */
  const etas = new Map<string, number | undefined>();
  const line = (text: string) => {
    if (tty) multi.log(`${text}\n`);
    else stream.write(`${text}\n`);
  };
  return {
    onPlan(plan) {
      if (tty) overall = multi.create(plan.runs.length, 0, { name: 'experiment'.padEnd(28), detail: `0/${plan.runs.length} runs` });
    },
    onRunSkip(run) {
      finished++;
      overall?.update(finished, { detail: `${finished}/${overall.getTotal()} runs (${run.label}: done before, skipped)` });
      if (!tty) line(`skipped ${run.label} (finished in an earlier session)`);
    },
    onRunStart(run: PlannedRun) {
      etas.delete(run.key);
      if (tty) current.set(run.key, multi.create(1000, 0, { name: run.label.padEnd(28), detail: run.steps[0]?.name ?? '' }));
      else line(`running ${run.label}`);
    },
    onJobEvent(run, step, event) {
      if (event.type === 'warning') return line(`warning: ${run.label}: ${String(event.message)}`);
      const index = run.steps.findIndex((s) => s.name === step);
      const f = stepFraction(event);
      if (!tty) {
        const text = epochLine(run.label, step, event);
        if (text) line(text);
        return;
      }
      const bar = current.get(run.key);
      if (!bar || f === undefined) return;
      const overallFraction = (index + f) / run.steps.length;
      const loss = num(event.loss);
      const eta = num(event.etaSeconds) ?? (event.type === 'epoch' ? undefined : etas.get(run.key));
      etas.set(run.key, eta);
      const detail = [
        step,
        event.epoch !== undefined && event.epochs !== undefined ? `epoch ${event.epoch}/${event.epochs}` : '',
        loss !== undefined ? `loss ${loss.toFixed(4)}` : '',
        step === 'train' ? formatEta(eta) : '',
      ]
        .filter(Boolean)
        .join('  ');
      bar.update(Math.round(overallFraction * 1000), { detail });
    },
    onRunDone(run) {
      finished++;
      const bar = current.get(run.key);
      if (bar) multi.remove(bar);
      current.delete(run.key);
      overall?.update(finished, { detail: `${finished}/${overall.getTotal()} runs` });
      line(`finished ${run.label}`);
    },
    stop() {
      multi.stop();
    },
  };
}
