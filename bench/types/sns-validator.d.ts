/** sns-validator 0.3.x ships no types; this is the part of its API the peer figure uses. */
declare module 'sns-validator' {
  class MessageValidator {
    constructor(hostPattern?: RegExp, encoding?: string);
    validate(
      message: string | Record<string, unknown>,
      callback: (error: Error | null, message?: Record<string, unknown>) => void,
    ): void;
  }
  export = MessageValidator;
}
