/**
 * An error in what the user gave us (a path, an archive, a flag), as opposed to a bug.
 * The CLI prints `message` as one line and exits 2; `--debug` adds the stack.
 */
export class InputError extends Error {
  override readonly name = 'InputError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
