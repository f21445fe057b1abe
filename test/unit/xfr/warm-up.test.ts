// The JIT warm-up runs the IXFR-in path for real: every round's IXFR must parse as incremental
// and apply, or warmIxfrPath throws (a warm-up that silently did nothing would warm nothing).
import { describe, expect, it } from 'vitest';
import { warmIxfrPath } from '../../../src/xfr/in/warm-up.js';

describe('warmIxfrPath', () => {
  it('parses, applies and encodes made-up IXFRs round after round without failing', () => {
    expect(() => warmIxfrPath(40)).not.toThrow();
  });
});
