/** Retention and erasure on the embedded database (PGlite); see utils/data-removal-suite.ts. */
import { dataRemovalSuite } from "./utils/data-removal-suite.ts";

dataRemovalSuite("PGlite", async () => ({ config: {}, cleanup: async () => {} }));
