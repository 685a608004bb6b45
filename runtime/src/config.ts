import { z } from 'zod';

export interface ConfigIssue {
  /** The environment variable (or option path) that is wrong. */
  field: string;
  message: string;
}

/** Every invalid field of a configuration, reported at once. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  readonly issues: readonly ConfigIssue[];

  constructor(issues: ConfigIssue[]) {
    super(`invalid configuration: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`);
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

/**
 * Parses a configuration source (usually process.env) once against a zod schema and
 * freezes the result, so a service never reads the environment again after start-up.
 */
export function parseConfig<S extends z.ZodType>(
  schema: S,
  source: Record<string, unknown>,
): Readonly<z.infer<S>> {
  const result = schema.safeParse(source);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => ({
        field: issue.path.map(String).join('.') || '(root)',
        message: issue.message,
      })),
    );
  }
  return Object.freeze(result.data);
}

/** A comma-separated environment variable as a list of trimmed, non-empty items. */
export const commaList = z
  .string()
  .default('')
  .transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  );

/** Fields every service's configuration shares, defined once. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'silent'] as const;
export const logLevel = z.enum(LOG_LEVELS).default('info');
/** A TCP port; 0 picks a free one. */
export const port = (fallback: number) =>
  z.coerce.number().int().min(0).max(65535).default(fallback);
/** A whole number of at least `min`. */
export const intAtLeast = (min: number, fallback: number) =>
  z.coerce.number().int().min(min).default(fallback);
