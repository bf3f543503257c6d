/**
 * A copy of a string that does not keep the text it was cut from alive. V8 makes a substring of 13
 * characters or more a view into its parent: one label value kept from a 100 MB capture would keep the
 * whole capture in memory. Concatenating then slicing makes V8 flatten a small new string instead.
 */
export function detach(s: string): string {
  return s.length < 13 ? s : (` ${s}`).slice(1);
}
