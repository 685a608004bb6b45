/** Errors in the Confluent Schema Registry's shape: an HTTP status and an error_code. */
export class RegistryError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'RegistryError';
  }
}

export const subjectNotFound = (subject: string) =>
  new RegistryError(404, 40401, `Subject '${subject}' not found.`);
export const versionNotFound = (version: string | number) =>
  new RegistryError(404, 40402, `Version ${version} not found.`);
export const schemaNotFound = (what = 'Schema') =>
  new RegistryError(404, 40403, `${what} not found.`);
export const subjectNotSoftDeleted = (subject: string) =>
  new RegistryError(
    404,
    40405,
    `Subject '${subject}' was not deleted first before being permanently deleted`,
  );
export const versionNotSoftDeleted = (subject: string, version: number) =>
  new RegistryError(
    404,
    40407,
    `Subject '${subject}' Version ${version} was not deleted first before being permanently deleted`,
  );
export const subjectLevelNotConfigured = (subject: string) =>
  new RegistryError(
    404,
    40408,
    `Subject '${subject}' does not have subject-level compatibility configured`,
  );
export const invalidSchema = (message: string) => new RegistryError(422, 42201, message);
export const invalidVersion = (version: string) =>
  new RegistryError(
    422,
    42202,
    `The specified version '${version}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string "latest"`,
  );
export const invalidCompatibility = (level: unknown) =>
  new RegistryError(
    422,
    42203,
    `Invalid compatibility level: ${String(level)}. Valid values are NONE, BACKWARD, FORWARD, FULL, BACKWARD_TRANSITIVE, FORWARD_TRANSITIVE, and FULL_TRANSITIVE`,
  );
export const incompatibleSchema = (messages: string[]) =>
  new RegistryError(
    409,
    409,
    `Schema being registered is incompatible with an earlier schema for subject; details: ${messages.join('; ')}`,
  );
