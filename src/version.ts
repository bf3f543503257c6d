import { readFileSync } from 'node:fs';

/** The package version; src/ and dist/ sit at the same depth below package.json. */
export const VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
