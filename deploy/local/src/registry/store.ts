import type avro from 'avsc';
import {
  checkCompatibility,
  InvalidSchemaError,
  normalizedForm,
  parseAvro,
  type CompatibilityLevel,
  type CompatibilityResult,
} from './compatibility.js';
import {
  incompatibleSchema,
  invalidSchema,
  invalidVersion,
  schemaNotFound,
  subjectLevelNotConfigured,
  subjectNotFound,
  subjectNotSoftDeleted,
  versionNotFound,
  versionNotSoftDeleted,
} from './errors.js';

/**
 * Records of the `_schemas` log, in the shape Confluent's registry writes them: a JSON key
 * naming what changed and a JSON value (null is a tombstone: the entry is gone for good).
 */
export type RegistryRecord =
  | {
      key: { keytype: 'SCHEMA'; subject: string; version: number; magic: 1 };
      value: {
        subject: string;
        version: number;
        id: number;
        schema: string;
        deleted: boolean;
      } | null;
    }
  | {
      key: { keytype: 'CONFIG'; subject: string | null; magic: 0 };
      value: { compatibilityLevel: CompatibilityLevel } | null;
    };

interface VersionEntry {
  id: number;
  deleted: boolean;
}

export interface SchemaVersion {
  subject: string;
  version: number;
  id: number;
  schema: string;
}

/** Registry state, rebuilt by applying the log from its start. Pure: no I/O. */
export class RegistryStore {
  private readonly schemas = new Map<number, { schema: string; normalized: string }>();
  private readonly idByNormalized = new Map<string, number>();
  private readonly subjects = new Map<string, Map<number, VersionEntry>>();
  private readonly subjectLevels = new Map<string, CompatibilityLevel>();
  private readonly parsed = new Map<number, avro.Type>();
  private globalLevel: CompatibilityLevel = 'BACKWARD';

  apply(record: RegistryRecord): void {
    if (record.key.keytype === 'CONFIG') {
      const value = record.value as { compatibilityLevel: CompatibilityLevel } | null;
      const subject = record.key.subject;
      if (subject === null) this.globalLevel = value?.compatibilityLevel ?? 'BACKWARD';
      else if (value) this.subjectLevels.set(subject, value.compatibilityLevel);
      else this.subjectLevels.delete(subject);
      return;
    }
    const { subject, version } = record.key;
    const versions = this.subjects.get(subject) ?? new Map<number, VersionEntry>();
    this.subjects.set(subject, versions);
    const value = record.value as (SchemaVersion & { deleted: boolean }) | null;
    if (!value) {
      versions.delete(version);
      if (versions.size === 0) this.subjects.delete(subject);
      return;
    }
    if (!this.schemas.has(value.id)) {
      const normalized = normalizedForm(value.schema);
      this.schemas.set(value.id, { schema: value.schema, normalized });
      this.idByNormalized.set(normalized, value.id);
    }
    versions.set(version, { id: value.id, deleted: value.deleted });
  }

  // --- reads -------------------------------------------------------------------------

  schemaById(id: number): string {
    const entry = this.schemas.get(id);
    if (!entry) throw schemaNotFound();
    return entry.schema;
  }

  /** Subjects and versions that use a schema id. */
  usagesOf(id: number): { subject: string; version: number }[] {
    this.schemaById(id);
    const usages: { subject: string; version: number }[] = [];
    for (const [subject, versions] of this.subjects) {
      for (const [version, entry] of versions) {
        if (entry.id === id && !entry.deleted) usages.push({ subject, version });
      }
    }
    return usages;
  }

  listSubjects(includeDeleted = false): string[] {
    return [...this.subjects]
      .filter(([, versions]) => includeDeleted || [...versions.values()].some((v) => !v.deleted))
      .map(([subject]) => subject)
      .sort();
  }

  listVersions(subject: string, includeDeleted = false): number[] {
    const versions = [...(this.subjects.get(subject) ?? new Map<number, VersionEntry>())]
      .filter(([, e]) => includeDeleted || !e.deleted)
      .map(([v]) => v)
      .sort((a, b) => a - b);
    if (versions.length === 0) throw subjectNotFound(subject);
    return versions;
  }

  getVersion(subject: string, version: string | number, includeDeleted = false): SchemaVersion {
    const versions = this.listVersions(subject, includeDeleted);
    let number: number;
    if (version === 'latest' || version === -1 || version === '-1') {
      number = versions[versions.length - 1] as number;
    } else {
      number = Number(version);
      if (!Number.isInteger(number) || number < 1 || number > 2 ** 31 - 1)
        throw invalidVersion(String(version));
      if (!versions.includes(number)) throw versionNotFound(number);
    }
    const entry = this.subjects.get(subject)?.get(number) as VersionEntry;
    return { subject, version: number, id: entry.id, schema: this.schemaById(entry.id) };
  }

  /** The version of `subject` whose schema equals `schemaText`, if registered. */
  lookup(subject: string, schemaText: string): SchemaVersion {
    const versions = this.listVersions(subject);
    const id = this.idByNormalized.get(normalizedForm(schemaText));
    for (const version of versions.slice().reverse()) {
      const found = this.getVersion(subject, version);
      if (found.id === id) return found;
    }
    throw schemaNotFound();
  }

  globalCompatibility(): CompatibilityLevel {
    return this.globalLevel;
  }

  subjectCompatibility(subject: string, defaultToGlobal: boolean): CompatibilityLevel {
    const level = this.subjectLevels.get(subject);
    if (level) return level;
    if (defaultToGlobal) return this.globalLevel;
    throw subjectLevelNotConfigured(subject);
  }

  /** Checks a candidate against a subject's versions (one version, or all by the level's rule). */
  checkAgainst(subject: string, schemaText: string, version?: string): CompatibilityResult {
    const candidate = this.parseOrThrow(schemaText);
    const level = this.subjectCompatibility(subject, true);
    if (version === undefined) {
      const all = this.subjects.has(subject) ? this.listVersions(subject) : [];
      const earlier = all.map((v) => this.typeOf(this.getVersion(subject, v).id));
      return checkCompatibility(level, candidate, earlier);
    }
    const against = this.getVersion(subject, version);
    const single = level.replace('_TRANSITIVE', '') as CompatibilityLevel;
    return checkCompatibility(single, candidate, [this.typeOf(against.id)]);
  }

  // --- writes: each returns the records to persist, plus the answer once applied ----------

  register(subject: string, schemaText: string): { records: RegistryRecord[]; id: number } {
    this.parseOrThrow(schemaText);
    const normalized = normalizedForm(schemaText);
    const existingId = this.idByNormalized.get(normalized);
    const live = this.subjects.has(subject) ? this.listVersions(subject, false).length : 0;
    if (existingId !== undefined && live > 0) {
      try {
        return { records: [], id: this.lookup(subject, schemaText).id };
      } catch {
        // Registered elsewhere, not under this subject: a new version of this subject.
      }
    }
    const result = this.checkAgainst(subject, schemaText);
    if (!result.compatible) throw incompatibleSchema(result.messages);
    const id = existingId ?? Math.max(0, ...this.schemas.keys()) + 1;
    const allVersions = [...(this.subjects.get(subject)?.keys() ?? [])];
    const version = Math.max(0, ...allVersions) + 1;
    return {
      id,
      records: [
        {
          key: { keytype: 'SCHEMA', subject, version, magic: 1 },
          value: { subject, version, id, schema: schemaText, deleted: false },
        },
      ],
    };
  }

  deleteSubject(
    subject: string,
    permanent: boolean,
  ): { records: RegistryRecord[]; versions: number[] } {
    if (!permanent) {
      const versions = this.listVersions(subject);
      return { versions, records: versions.map((v) => this.softDeleteRecord(subject, v)) };
    }
    const all = this.listVersions(subject, true);
    if (this.listSubjects(false).includes(subject)) throw subjectNotSoftDeleted(subject);
    const records: RegistryRecord[] = all.map((version) => ({
      key: { keytype: 'SCHEMA', subject, version, magic: 1 },
      value: null,
    }));
    if (this.subjectLevels.has(subject)) records.push(this.configRecord(subject, null));
    return { versions: all, records };
  }

  deleteVersion(
    subject: string,
    version: string,
    permanent: boolean,
  ): { records: RegistryRecord[]; version: number } {
    const found = this.getVersion(subject, version, permanent);
    const entry = this.subjects.get(subject)?.get(found.version) as VersionEntry;
    if (!permanent)
      return { version: found.version, records: [this.softDeleteRecord(subject, found.version)] };
    if (!entry.deleted) throw versionNotSoftDeleted(subject, found.version);
    return {
      version: found.version,
      records: [
        { key: { keytype: 'SCHEMA', subject, version: found.version, magic: 1 }, value: null },
      ],
    };
  }

  configRecord(subject: string | null, level: CompatibilityLevel | null): RegistryRecord {
    return {
      key: { keytype: 'CONFIG', subject, magic: 0 },
      value: level ? { compatibilityLevel: level } : null,
    };
  }

  private softDeleteRecord(subject: string, version: number): RegistryRecord {
    const found = this.getVersion(subject, version, true);
    return {
      key: { keytype: 'SCHEMA', subject, version, magic: 1 },
      value: { ...found, deleted: true },
    };
  }

  private typeOf(id: number): avro.Type {
    let type = this.parsed.get(id);
    if (!type) {
      type = parseAvro(this.schemaById(id));
      this.parsed.set(id, type);
    }
    return type;
  }

  private parseOrThrow(schemaText: string): avro.Type {
    try {
      return parseAvro(schemaText);
    } catch (err) {
      if (err instanceof InvalidSchemaError) throw invalidSchema(err.message);
      throw err;
    }
  }
}
