import { durabilitySuite } from "./utils/durability-suite.ts";

// PGlite in a data folder: the embedded default.
durabilitySuite(async () => ({ env: {}, cleanup: async () => {} }));
