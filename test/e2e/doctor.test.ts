// Needs the addon and the built CLI: `resdistill doctor --json` prints exactly one object and exits 0 here.
import { describe, expect, it } from 'vitest';
import { runCli } from '../support.js';

describe('resdistill doctor (CLI, addon)', () => {
  it('--json prints one object with node, libtorch {version, cuda}, openslide and threads', () => {
    const r = runCli(['doctor', '--json']);
    expect(r.status, r.stderr + r.stdout).toBe(0);
    const report = JSON.parse(r.stdout) as Record<string, any>;
    expect(report.node).toBe(process.version);
    expect(report.libtorch.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(typeof report.libtorch.cuda).toBe('boolean');
    expect(report.openslide).toMatch(/^\d+\.\d+\.\d+/);
    expect(report.threads).toBe(report.usableCores);
    expect(report.matmul.gflops).toBeGreaterThan(0);
    // Every supported build finds c10d with Gloo (Debian: libtorch-dev + libgloo-dev); NCCL only with CUDA.
    expect(report.distributed).toContain('gloo');
    expect(report.problems).toEqual([]);
  });

  it('prints a readable table without --json', () => {
    const r = runCli(['doctor']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/libtorch\s+\d+\.\d+/);
    expect(r.stdout).toMatch(/threads\s+\d+ intra-op/);
    expect(r.stdout).toMatch(/distributed\s+gloo/);
  });

  it('exits non-zero with the reason when the addon cannot load', () => {
    const r = runCli(['doctor', '--json'], { env: { RESDISTILL_ADDON: '/nonexistent/resdistill.node' } });
    expect(r.status).toBe(1);
    const report = JSON.parse(r.stdout) as { addon: { loaded: boolean; error: string }; problems: string[] };
    expect(report.addon.loaded).toBe(false);
    expect(report.addon.error).toContain('/nonexistent/resdistill.node');
    expect(report.problems.length).toBeGreaterThan(0);
  });
});
