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
					// One migrated embedded database per run, copied by every test that opens one.
					globalSetup: ["tests/storage-template.setup.ts"],
					// Backstops, not deadlines: tests wait on conditions, and on a machine whose
					// cores are busy with other work a server start takes minutes, not seconds.
					testTimeout: 120_000,
					hookTimeout: 300_000,
				},
			},
			{
				test: {
					name: "e2e",
					include: ["tests/e2e/**/*.e2e.test.ts"],
					// One browser at a time: two cores, and each file starts its own server.
					fileParallelism: false,
					globalSetup: ["tests/e2e/global-setup.ts", "tests/storage-template.setup.ts"],
					testTimeout: 180_000,
					hookTimeout: 300_000,
				},
			},
		],
		// Property tests and server tests are CPU-heavy; two cores, two workers.
		maxWorkers: 2,
	},
});
