import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Test files that run a whole backbone of their own processes (brokers, workers, a browser):
 * two of them at once on two cores slow each other past their time limits.
 */
const HEAVY = [
  'test/e2e/dashboard.integration.test.ts',
  'deploy/local/test/kafka-cluster.integration.test.ts',
  'ingest-gateway/test/segment.integration.test.ts',
  'deploy/local/test/chaos.integration.test.ts',
  'ingest-gateway/test/snippet.integration.test.ts',
];

/** `files` in order, the heavy ones of their project spread evenly among its other files. */
export function spread<F extends { moduleId: string; project: { name: string } }>(files: F[]): F[] {
  const isHeavy = (f: F) => HEAVY.some((h) => f.moduleId.endsWith(h));
  const heavy = files.filter(isHeavy);
  if (heavy.length === 0) return files;
  // Only among the heavy files' own project (its files run as one group).
  const project = heavy[0]!.project.name;
  const before = files.filter((f) => f.project.name !== project);
  const rest = files.filter((f) => f.project.name === project && !isHeavy(f));
  const every = Math.max(1, Math.floor(rest.length / heavy.length));
  const out: F[] = [];
  rest.forEach((f, i) => {
    if (i % every === 0 && heavy.length > 0) out.push(heavy.shift()!);
    out.push(f);
  });
  return [...before, ...out, ...heavy];
}

/**
 * Vitest's order (failed, then slower or larger files first), with the heavy files spread
 * through the run instead of side by side: on a fresh clone vitest orders by file size, which
 * put the end-to-end suite and the cluster test in the two lanes at once (CI: the e2e suite's
 * erasure took over 30 s while the cluster test ran).
 */
export default class SpreadSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return spread(await super.sort(files));
  }
}
