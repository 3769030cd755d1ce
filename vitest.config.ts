import { defineConfig } from "vitest/config";

export default defineConfig({
	test: {
		projects: [
			{
				test: {
					name: "unit",
					include: [
						"packages/*/src/**/*.test.ts",
						"apps/*/src/**/*.test.ts",
						"bench/src/**/*.test.ts",
						"tests/**/*.test.ts",
					],
					exclude: ["**/node_modules/**", "tests/e2e/**"],
					testTimeout: 30_000,
					hookTimeout: 60_000,
				},
			},
			{
				test: {
					name: "e2e",
					include: ["tests/e2e/**/*.e2e.test.ts"],
					// One browser at a time: two cores, and each file starts its own server.
					fileParallelism: false,
					globalSetup: ["tests/e2e/global-setup.ts"],
					testTimeout: 60_000,
					hookTimeout: 120_000,
				},
			},
		],
		// Property tests and server tests are CPU-heavy; two cores, two workers.
		maxWorkers: 2,
	},
});
