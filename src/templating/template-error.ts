import { ThawError } from '../errors';

/** A template could not be loaded or rendered; the message names the file and, if known, the line. */
export class TemplateError extends ThawError {
  constructor(message: string, cause?: unknown, code = 'template_invalid') {
    super(code, message, { retryable: false, cause });
    this.name = 'TemplateError';
  }
}
