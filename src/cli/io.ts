/** Where a command writes: stdout, stderr, and whether the terminal takes colours (tests pass their own). */
export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  color: boolean;
}
