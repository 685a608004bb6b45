import { newSubjectKey, subjectRefs, type SubjectKind } from './crypto.js';
import type { SubjectId, SubjectKeys } from './store.js';

/**
 * Subject keys held in memory by one process: for unit tests and benchmarks of enrich's
 * step, which need keys but no Kafka. `erase` forgets a key as a tombstone would; a subject
 * never met gets a key when first asked for (as prepare would have made one), unless erased.
 */
export class MemorySubjectKeys implements SubjectKeys {
  private readonly keys = new Map<string, Buffer>();
  private readonly erasedAt_ = new Map<string, number>();

  private readonly refs: ReturnType<typeof subjectRefs>;

  constructor(refSecret = 'memory-subject-ref-secret') {
    this.refs = subjectRefs(refSecret);
  }

  keyOf(ref: string): Buffer | undefined {
    let key = this.keys.get(ref);
    if (!key && !this.erasedAt_.has(ref)) this.keys.set(ref, (key = newSubjectKey()));
    return key;
  }

  ref(tenant: string, kind: SubjectKind, id: string): string {
    return this.refs(tenant, kind, id);
  }

  prepare(subjects: Iterable<SubjectId & { at: number }>): Promise<void> {
    for (const s of subjects) {
      const erased = this.erasedAt_.get(s.ref);
      if (!this.keys.has(s.ref) && !(erased !== undefined && s.at <= erased))
        this.keys.set(s.ref, newSubjectKey());
    }
    return Promise.resolve();
  }

  erasedAt(ref: string): number | undefined {
    return this.erasedAt_.get(ref);
  }

  erase(ref: string, at: number): void {
    this.keys.delete(ref);
    this.erasedAt_.set(ref, at);
  }
}
