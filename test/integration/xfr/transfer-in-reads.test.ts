// transferIn reads every response into one reused buffer (InPlaceFramer). What it hands back must
// not depend on that buffer: a diff spread over many messages and many reads comes back intact.
import { afterAll, describe, expect, it } from 'vitest';
import { RRType, nameFromTrusted } from '../../../src/wire/index.js';
import { transferIn } from '../../../src/xfr/in/client.js';
import { applyDiff } from '../../../src/zone/index.js';
import { recordLines } from '../../helpers/fake-primary.js';
import { VersionPrimary, bigZone } from '../persistence/helpers.js';

describe('transferIn over many reads', () => {
  const origin = 'reads.example.';
  const primaries: VersionPrimary[] = [];
  afterAll(async () => {
    await Promise.all(primaries.map((p) => p.close()));
  });

  it('returns an AXFR and then a multi-message IXFR whole: the diff applies and gives the primary’s zone', async () => {
    // Every third host changes: a diff of ~10,000 records removed and as many added, several 64 KB messages.
    const v1 = bigZone(origin, 1, 30_000, 1, 3);
    const v2 = bigZone(origin, 2, 30_000, 2, 3);
    const primary = await VersionPrimary.start(v1);
    primaries.push(primary);
    const peer = { host: '127.0.0.1', port: primary.port };
    const axfr = await transferIn({ peer, origin: nameFromTrusted(origin), qtype: RRType.AXFR });
    if (!axfr.ok || axfr.value.outcome.kind !== 'full') throw new Error(`AXFR: ${JSON.stringify(axfr)}`);
    const held = axfr.value.outcome.version;
    expect(recordLines(held)).toEqual(recordLines(v1));

    primary.publish(v2, true);
    const ixfr = await transferIn({ peer, origin: nameFromTrusted(origin), qtype: RRType.IXFR, currentSoa: held.soa });
    if (!ixfr.ok || ixfr.value.outcome.kind !== 'incremental') throw new Error(`IXFR: ${JSON.stringify(ixfr)}`);
    expect(ixfr.value.messages).toBeGreaterThan(4);
    const [diff] = ixfr.value.outcome.diffs;
    expect(diff!.removed.length).toBeGreaterThan(9_000);
    const applied = applyDiff(held, diff!);
    if (!applied.ok) throw new Error(`apply: ${JSON.stringify(applied.error)}`);
    expect(recordLines(applied.value)).toEqual(recordLines(v2));
  });
});
