import { defineConfig } from "vitest/config";

export default defineConfig({
	test: {
		include: ["packages/*/src/**/*.test.ts", "apps/*/src/**/*.test.ts", "tests/**/*.test.ts"],
		exclude: ["**/node_modules/**", "tests/e2e/**"],
		testTimeout: 30_000,
		hookTimeout: 60_000,
		// Property tests and server tests are CPU-heavy; two cores, two workers.
		maxWorkers: 2,
	},
});
