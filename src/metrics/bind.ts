// Wiring between the running parts and the Metrics: the engine's events (transfers, NOTIFY, TSIG
// failures), its served zones, and the DNS server's counters. Used by the composition root and by
// the in-process test instance, so both export the same series.

import type { Engine } from '../engine/index.js';
import type { DnsServer } from '../server/index.js';
import type { Metrics } from './metrics.js';

/** observeEngine counts the engine's events and reads its zones when scraped; returns the unsubscribe. */
export function observeEngine(metrics: Metrics, engine: Engine): () => void {
  const onTransfer = (e: Parameters<Metrics['transfer']>[0]) => metrics.transfer(e);
  const onNotify = (e: Parameters<Metrics['notify']>[0]) => metrics.notify(e);
  const onTsig = (e: Parameters<Metrics['tsigFailure']>[0]) => metrics.tsigFailure(e);
  engine.on('transfer', onTransfer);
  engine.on('notify', onNotify);
  engine.on('tsig-failure', onTsig);
  metrics.watchZones(() => engine.zoneStatus());
  return () => {
    engine.off('transfer', onTransfer);
    engine.off('notify', onNotify);
    engine.off('tsig-failure', onTsig);
  };
}

/** observeDns makes the DNS series read the server's counters when scraped. */
export function observeDns(metrics: Metrics, dns: Pick<DnsServer, 'stats'>): void {
  metrics.watchDns(() => dns.stats.snapshot());
}
