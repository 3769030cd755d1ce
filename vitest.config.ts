import { defineConfig } from "vitest/config";

export default defineConfig({
	test: {
		// One migrated embedded database per run, copied by every test that opens one. Set here,
		// not in each project, it is built once and provided to both (each project's own global
		// setup built one of its own: one initdb and every migration more before any test ran).
		globalSetup: ["tests/storage-template.setup.ts"],
		projects: [
			{
				test: {
					name: "unit",
					include: [
						"packages/*/src/**/*.test.ts",
						"apps/*/src/**/*.test.ts",
						// The web client's build plugins, beside vite.config.ts.
						"apps/web/*.test.ts",
						"bench/src/**/*.test.ts",
						"tests/**/*.test.ts",
					],
					exclude: ["**/node_modules/**", "tests/e2e/**"],
					// A worker keeps the modules it loaded from one file to the next: loading the
					// server's module graph again in a fresh process cost 1.8 s per file, 117 s of
					// the suite's wall time. The tests leave nothing behind that another reads: each
					// starts its own servers on port 0 and temporary folders, and what a file puts
					// on globalThis it takes back.
					isolate: false,
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
					// One worker for every file, keeping the server's modules from one file to the next
					// as the unit project does (each file's server, browser and data are its own); a
					// fresh worker per file loaded the module graph again each time. A group of its
					// own, after the unit files: vitest runs projects of one group with one worker count.
					isolate: false,
					sequence: { groupOrder: 1 },
					globalSetup: ["tests/e2e/global-setup.ts"],
					testTimeout: 180_000,
					hookTimeout: 300_000,
				},
			},
		],
		// Property tests and server tests are CPU-heavy; two cores, two workers.
		maxWorkers: 2,
	},
});
