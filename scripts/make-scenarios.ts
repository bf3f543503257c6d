/** Regenerates samples/scenarios/ (and the healthy sample's generated files): see scripts/scenarios/main.ts. */
import { main } from './scenarios/main.js';
main();
