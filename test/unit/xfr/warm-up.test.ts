// The JIT warm-up runs the transfer-in path for real: every step's AXFR must parse as a full zone
// and every IXFR as incremental and apply, or step() throws (a warm-up that silently did nothing
// would warm nothing).
import { describe, expect, it } from 'vitest';
import { TransferWarmUp } from '../../../src/xfr/in/warm-up.js';

describe('TransferWarmUp', () => {
  it('reads AXFRs and IXFRs, applies and encodes their diffs, step after step, without failing', () => {
    const w = new TransferWarmUp();
    // 120 steps: three AXFRs (steps 0, 50, 100), owners added and removed in between.
    expect(() => {
      for (let i = 0; i < 120; i++) w.step();
    }).not.toThrow();
  });
});
