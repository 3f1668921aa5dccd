/**
 * Thrown for invalid input or options. `parameter` names what was wrong ("X", "k",
 * "sampleWeight", ...) so callers (and the HTTP layer) can point at it.
 */
export class InvalidParameterError extends Error {
  readonly parameter: string;
  constructor(parameter: string, message: string) {
    super(`${parameter}: ${message}`);
    this.name = 'InvalidParameterError';
    this.parameter = parameter;
  }
}
