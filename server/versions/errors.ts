/** A refusal of a versions call with its HTTP status and a sentence for the person (the API answers with it). */
export class VersionError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}
