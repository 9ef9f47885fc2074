// No addon: how `resdistill run` reads --devices, --parallel, --nproc-per-node, the multi-node flags and torchrun's
// environment (src/cli/run-spread.ts, src/experiment/nodes.ts): devices split into groups of nproc-per-node,
// global ranks node-rank x nproc + local rank, the port each training step meets at, and every clash a USAGE error.
import { describe, expect, it } from 'vitest';
import { runSpread } from '../../src/cli/run-spread.js';
import { parseDeviceList } from '../../src/native/device.js';
import { launchFromEnv, stepPort } from '../../src/experiment/nodes.js';

const torchrun = { RANK: '3', WORLD_SIZE: '4', LOCAL_RANK: '1', LOCAL_WORLD_SIZE: '2', MASTER_ADDR: 'gpu-node-0', MASTER_PORT: '29500' };

describe('--devices', () => {
  it('checks every entry with the device parser; cpu may repeat', () => {
    expect(parseDeviceList('cuda:0,cuda:1')).toEqual(['cuda:0', 'cuda:1']);
    expect(parseDeviceList('cpu,cpu')).toEqual(['cpu', 'cpu']);
    expect(() => parseDeviceList('cuda:0,gpu1')).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining("'gpu1'") }),
    );
    expect(() => parseDeviceList('cuda:0,,cuda:1')).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });

  it('runs one run per device, or per nproc-per-node devices', () => {
    expect(runSpread({ devices: ['cpu', 'cpu'] }, {}, false)).toEqual({
      parallel: 2,
      nprocPerNode: 1,
      processes: 2,
      devices: [['cpu'], ['cpu']],
    });
    const four = runSpread({ devices: ['cuda:0', 'cuda:1', 'cuda:2', 'cuda:3'], nprocPerNode: 2 }, {}, true);
    expect(four.devices).toEqual([
      ['cuda:0', 'cuda:1'],
      ['cuda:2', 'cuda:3'],
    ]);
    expect(four.parallel).toBe(2);
    expect(four.processes).toBe(4);
    expect(runSpread({ devices: ['auto'] }, {}, true).devices).toEqual([['cuda']]);
  });

  it('refuses a count not divisible by nproc-per-node, and --parallel beside it', () => {
    expect(() => runSpread({ devices: ['cuda:0', 'cuda:1', 'cuda:2'], nprocPerNode: 2 }, {}, true)).toThrow(
      expect.objectContaining({ code: 'USAGE', message: expect.stringContaining('multiple of --nproc-per-node 2') }),
    );
    expect(() => runSpread({ devices: ['cpu', 'cpu'], parallel: 2 }, {}, false)).toThrow(expect.objectContaining({ code: 'USAGE' }));
  });
});

describe('several machines', () => {
  it('gives node R of M with N ranks each global ranks R*N.. of M*N', () => {
    const s = runSpread({ nprocPerNode: 4, nnodes: 2, nodeRank: 1, masterAddr: 'gpu-node-0', masterPort: 29400 }, {}, true);
    expect(s.nodes).toEqual({ world: 8, firstRank: 4, firstLocalRank: 0, nproc: 4, masterAddr: 'gpu-node-0', masterPort: 29400 });
    expect(s.parallel).toBe(1);
    expect(stepPort(s.nodes!, 0)).toBe(29400);
    expect(stepPort(s.nodes!, 1)).toBe(29401);
    expect(stepPort(s.nodes!, 2)).toBe(29400);
  });

  it('refuses incomplete or clashing flags', () => {
    expect(() => runSpread({ nnodes: 2 }, {}, false)).toThrow(
      expect.objectContaining({ code: 'USAGE', message: expect.stringContaining('--node-rank, --master-addr') }),
    );
    expect(() => runSpread({ nnodes: 2, nodeRank: 2, masterAddr: 'h' }, {}, false)).toThrow(
      expect.objectContaining({ code: 'USAGE', message: expect.stringContaining('below --nnodes') }),
    );
    expect(() => runSpread({ nodeRank: 1 }, {}, false)).toThrow(
      expect.objectContaining({ code: 'USAGE', message: expect.stringContaining('--node-rank need --nnodes') }),
    );
    expect(() => runSpread({ nnodes: 2, nodeRank: 0, masterAddr: 'h', parallel: 2 }, {}, false)).toThrow(
      expect.objectContaining({ code: 'USAGE' }),
    );
  });

  it("takes torchrun's environment as one rank per process, meeting past the agent's port", () => {
    const s = runSpread({}, { ...torchrun, TORCHELASTIC_USE_AGENT_STORE: 'True' }, true);
    expect(s.nodes).toEqual({ world: 4, firstRank: 3, firstLocalRank: 1, nproc: 1, masterAddr: 'gpu-node-0', masterPort: 29501 });
    expect(s.processes).toBe(2); // LOCAL_WORLD_SIZE processes share this machine's cores
    expect(launchFromEnv({ ...torchrun, WORLD_SIZE: '1', RANK: '0', LOCAL_RANK: '0' })).toBeNull();
    expect(launchFromEnv({ ...torchrun, LOCAL_WORLD_SIZE: undefined })).toBeNull();
    expect(() => launchFromEnv({ ...torchrun, RANK: '4' })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    expect(() => runSpread({ nprocPerNode: 2 }, torchrun, true)).toThrow(expect.objectContaining({ code: 'USAGE' }));
    expect(runSpread({ nnodes: 1 }, torchrun, true).nodes?.world).toBe(1); // the flags win over the environment
  });
});
