import { inspect } from 'node:util';

export const REDACTED = '[REDACTED]';

/**
 * A value that must not reach a log, an error, an API body or a file by accident (Kamal's
 * `Utils::Sensitive`): printing, string interpolation, JSON and util.inspect all show
 * `[REDACTED]`. Code that really needs the value says so with `reveal()`.
 */
export class Sensitive<T> {
  readonly #value: T;

  constructor(value: T) {
    this.#value = value;
  }

  reveal(): T {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}
