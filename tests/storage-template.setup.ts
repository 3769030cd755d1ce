/** Vitest global setup: one migrated embedded database per run (see test-template.ts). */
export { setupStorageTemplate as default } from "@switchboard/storage/test-template";
