// Types of harness.mjs for the TypeScript tests (the runner uses it untyped from dist/).

/** FuzzModules: the zonexfer module namespaces the harness drives (from src/ or dist/). */
export interface FuzzModules {
  wire: object;
  zone: object;
  zoneFile: object;
  query: object;
  server: object;
  tsig: object;
  xfrOut: object;
  notify: object;
}

export type FuzzTarget = 'decoder' | 'zone-file' | 'dispatcher' | 'udp' | 'tcp';

export interface FuzzOptions {
  counts: Partial<Record<FuzzTarget, number>>;
  seed: number;
  hangMs?: number;
  writeFindings?: boolean;
  findingsDir?: string;
  watchdog?: boolean;
  log?: (line: string) => void;
}

export interface TargetTally {
  name: FuzzTarget;
  inputs: number;
  crashes: number;
  hangs: number;
  invalid: number;
  internalErrors: number;
  skipped: number;
  slowestMs: number;
  ms: number;
  heapBeforeMb: number;
  heapAfterMb: number;
  outcomes: Record<string, number>;
}

export interface FuzzReport {
  seed: number;
  targets: TargetTally[];
  inputs: number;
  crashes: number;
  hangs: number;
  invalid: number;
  internalErrors: number;
  heapStartMb: number;
  heapEndMb: number;
  findings: Array<{ target: FuzzTarget; file: string; reason: string }>;
}

export const FIXTURES: string;
export const FINDINGS_DIR: string;
export const TARGETS: readonly FuzzTarget[];
export function split(total: number, only?: FuzzTarget): Record<FuzzTarget, number>;
export function runFuzz(mods: FuzzModules, options: FuzzOptions): Promise<FuzzReport>;
export function replay(mods: FuzzModules): Promise<{ inputs: number; problems: string[] }>;
export function gc(): void;
