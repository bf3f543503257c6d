/** Limits that protect the reader from archive bombs; each has a CLI flag to raise it. */
export interface BundleLimits {
  /** Largest uncompressed size of one entry, in bytes (`--max-file-size`). */
  maxFileBytes: number;
  /** Largest uncompressed size of all entries together, in bytes (`--max-total-size`). */
  maxTotalBytes: number;
  /** Largest number of entries of any type (`--max-entries`). */
  maxEntries: number;
}

export const DEFAULT_LIMITS: BundleLimits = {
  maxFileBytes: 256 * 1024 ** 2,
  maxTotalBytes: 4 * 1024 ** 3,
  maxEntries: 100_000,
};

/** One regular file of the bundle, its path normalized (forward slashes, no leading `./` or bundle folder). */
export interface BundleFile {
  path: string;
  data: Buffer;
}

/** A regular file as it streams out of the bundle; `chunks` can be iterated once. */
export interface BundleEntry {
  path: string;
  /** Size the archive declares (the bytes actually read are counted and limited separately). */
  size: number;
  chunks: AsyncIterable<Buffer>;
}

/** An entry the reader refused or passed over, and why. Shown in the report. */
export interface SkippedEntry {
  path: string;
  reason: string;
}

export type BundleFormat = 'tar.gz' | 'tar' | 'directory';

/** A symlink inside the bundle to a file of the bundle (troubleshoot links `.yaml` to `.json`): read once, as its target. */
export interface BundleAlias {
  path: string;
  target: string;
}

export interface BundleReadSummary {
  format: BundleFormat;
  /** Regular files handed to the consumer. */
  files: number;
  /** Uncompressed bytes of those files. */
  totalBytes: number;
  skipped: SkippedEntry[];
  aliases: BundleAlias[];
}
