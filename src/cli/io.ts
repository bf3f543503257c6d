/** Where a command writes: stdout, stderr, and whether the terminal takes colours (tests pass their own). */
export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  color: boolean;
  /** Whether stderr is a terminal that can show a progress line (tests leave it off). */
  progress?: boolean;
}
