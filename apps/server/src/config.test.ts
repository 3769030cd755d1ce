import { existsSync } from "node:fs";
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { demoExposure, loadConfig } from "./config.ts";

const SECRET = "a-secret-of-at-least-32-characters-long";

describe("loadConfig", () => {
	let dataDir: string;

	beforeEach(async () => {
		dataDir = await mkdtemp(join(tmpdir(), "switchboard-config-"));
	});

	afterEach(async () => {
		await rm(dataDir, { recursive: true, force: true });
	});

	it("runs on one machine by default: port 8080, loopback only, PGlite, the demo on", async () => {
		const config = await loadConfig({ DATA_DIR: dataDir });
		expect(config).toMatchObject({
			port: 8080,
			host: "127.0.0.1",
			dataDir,
			databaseUrl: undefined,
			redisUrl: undefined,
			demo: true,
			logLevel: "info",
		});
		// The default demo folder is the repository's own, with the dataset in it.
		expect(existsSync(join(config.demoDataDir, "twitter-care-conversations.json"))).toBe(true);
	});

	it("reads PORT as a number, 0 included", async () => {
		expect((await loadConfig({ DATA_DIR: dataDir, PORT: "3000" })).port).toBe(3000);
		expect((await loadConfig({ DATA_DIR: dataDir, PORT: "0" })).port).toBe(0);
	});

	it("treats an empty variable as unset", async () => {
		const config = await loadConfig({ DATA_DIR: dataDir, PORT: "", SWITCHBOARD_SECRET: "" });
		expect(config.port).toBe(8080);
		expect(config.secret.length).toBeGreaterThanOrEqual(32);
	});

	it.each(["http", "-1", "65536", "80.5"])("fails on PORT=%s naming the variable", async (port) => {
		await expect(loadConfig({ DATA_DIR: dataDir, PORT: port })).rejects.toThrow(/\bPORT: /);
	});

	it("refuses the demo (published password) on a network address unless asked explicitly", async () => {
		for (const host of ["0.0.0.0", "::", "192.168.1.20", "switchboard.example.com"]) {
			await expect(loadConfig({ DATA_DIR: dataDir, HOST: host }), host).rejects.toThrow(
				/HOST: .*published password.*SWITCHBOARD_DEMO=0.*SWITCHBOARD_DEMO_PUBLIC=1/,
			);
		}
		for (const host of ["127.0.0.1", "127.0.0.2", "::1", "localhost"]) {
			expect((await loadConfig({ DATA_DIR: dataDir, HOST: host })).host).toBe(host);
		}
		const open = await loadConfig({ DATA_DIR: dataDir, HOST: "0.0.0.0", SWITCHBOARD_DEMO: "0" });
		expect(open).toMatchObject({ host: "0.0.0.0", demo: false });
		const asked = await loadConfig({
			DATA_DIR: dataDir,
			HOST: "0.0.0.0",
			SWITCHBOARD_DEMO_PUBLIC: "1",
		});
		expect(asked).toMatchObject({ host: "0.0.0.0", demo: true, demoPublic: true });
		// The same rule holds for a configuration made in code.
		expect(demoExposure({ host: "0.0.0.0", demo: true })).toMatch(/published password/);
		expect(demoExposure({ host: "0.0.0.0", demo: true, demoPublic: true })).toBeNull();
	});

	it("reads PUBLIC_URL as an origin and names a bad one", async () => {
		expect((await loadConfig({ DATA_DIR: dataDir })).publicUrl).toBeUndefined();
		const config = await loadConfig({
			DATA_DIR: dataDir,
			PUBLIC_URL: "https://Switchboard.Example.com/",
		});
		expect(config.publicUrl).toBe("https://switchboard.example.com");
		for (const bad of ["switchboard.example.com", "https://a.example/app", "ftp://a.example"]) {
			await expect(loadConfig({ DATA_DIR: dataDir, PUBLIC_URL: bad }), bad).rejects.toThrow(
				/PUBLIC_URL: /,
			);
		}
	});

	it("turns the demo off with SWITCHBOARD_DEMO=0 or false", async () => {
		for (const value of ["0", "false"]) {
			expect((await loadConfig({ DATA_DIR: dataDir, SWITCHBOARD_DEMO: value })).demo).toBe(false);
		}
		await expect(loadConfig({ DATA_DIR: dataDir, SWITCHBOARD_DEMO: "off" })).rejects.toThrow(
			/SWITCHBOARD_DEMO: /,
		);
	});

	it("uses SWITCHBOARD_SECRET when given and writes no secret file", async () => {
		const config = await loadConfig({ DATA_DIR: dataDir, SWITCHBOARD_SECRET: SECRET });
		expect(config.secret).toBe(SECRET);
		expect(existsSync(join(dataDir, "secret"))).toBe(false);
	});

	it("fails on a SWITCHBOARD_SECRET shorter than 32 characters, naming the variable", async () => {
		await expect(
			loadConfig({ DATA_DIR: dataDir, SWITCHBOARD_SECRET: SECRET.slice(0, 31) }),
		).rejects.toThrow(/SWITCHBOARD_SECRET: SWITCHBOARD_SECRET must be at least 32 characters/);
	});

	it("takes a metrics token of 24 printable characters or more, and none by default", async () => {
		expect((await loadConfig({ DATA_DIR: dataDir })).metricsToken).toBeUndefined();
		const token = "m".repeat(24);
		const config = await loadConfig({ DATA_DIR: dataDir, SWITCHBOARD_METRICS_TOKEN: token });
		expect(config.metricsToken).toBe(token);
		for (const bad of ["m".repeat(23), `${"m".repeat(24)} x`]) {
			await expect(
				loadConfig({ DATA_DIR: dataDir, SWITCHBOARD_METRICS_TOKEN: bad }),
			).rejects.toThrow(/SWITCHBOARD_METRICS_TOKEN/);
		}
	});

	it("takes a Redis namespace from REDIS_PREFIX, none by default, and names a bad one", async () => {
		expect((await loadConfig({ DATA_DIR: dataDir })).redisPrefix).toBeUndefined();
		const config = await loadConfig({ DATA_DIR: dataDir, REDIS_PREFIX: "staging-2.eu_west" });
		expect(config.redisPrefix).toBe("staging-2.eu_west");
		for (const bad of ["with space", "a:b", "x".repeat(65)]) {
			await expect(loadConfig({ DATA_DIR: dataDir, REDIS_PREFIX: bad })).rejects.toThrow(
				/REDIS_PREFIX: REDIS_PREFIX is 1 to 64/,
			);
		}
	});

	it("generates a secret into DATA_DIR/secret, readable by the owner only, and keeps it", async () => {
		const first = await loadConfig({ DATA_DIR: dataDir });
		expect(first.secret.length).toBeGreaterThanOrEqual(32);
		const path = join(dataDir, "secret");
		expect((await readFile(path, "utf8")).trim()).toBe(first.secret);
		expect((await stat(path)).mode & 0o777).toBe(0o600);

		const second = await loadConfig({ DATA_DIR: dataDir });
		expect(second.secret).toBe(first.secret);
	});

	it("replaces a stored secret that is too short", async () => {
		await writeFile(join(dataDir, "secret"), "short\n", { mode: 0o600 });
		const config = await loadConfig({ DATA_DIR: dataDir });
		expect(config.secret).not.toBe("short");
		expect(config.secret.length).toBeGreaterThanOrEqual(32);
		expect((await loadConfig({ DATA_DIR: dataDir })).secret).toBe(config.secret);
	});

	it("resolves relative folders against where pnpm was started (INIT_CWD)", async () => {
		const config = await loadConfig({
			INIT_CWD: dataDir,
			DATA_DIR: "data",
			SWITCHBOARD_DEMO_DATA: "demo",
		});
		expect(config.dataDir).toBe(join(dataDir, "data"));
		expect(config.demoDataDir).toBe(join(dataDir, "demo"));
		expect(existsSync(join(dataDir, "data", "secret"))).toBe(true);
	});

	it("creates a DATA_DIR that does not exist yet", async () => {
		const nested = join(dataDir, "a", "b");
		const config = await loadConfig({ DATA_DIR: nested });
		expect(config.dataDir).toBe(nested);
		expect(existsSync(join(nested, "secret"))).toBe(true);
	});

	it("makes an existing DATA_DIR private: the folder 0700, the secret 0600", async () => {
		await chmod(dataDir, 0o755);
		await writeFile(join(dataDir, "secret"), `${SECRET}\n`, { mode: 0o644 });
		await chmod(join(dataDir, "secret"), 0o644);
		const config = await loadConfig({ DATA_DIR: dataDir });
		expect(config.secret).toBe(SECRET);
		expect((await stat(dataDir)).mode & 0o777).toBe(0o700);
		expect((await stat(join(dataDir, "secret"))).mode & 0o777).toBe(0o600);
		// For the storage to report, once there is a logger.
		expect(config.dataDirTightened).toEqual([dataDir, join(dataDir, "secret")]);
	});

	it("reads the rate limits from SWITCHBOARD_RATE_*, and names a bad one", async () => {
		const config = await loadConfig({
			DATA_DIR: dataDir,
			SWITCHBOARD_RATE_LOGIN_PER_ACCOUNT: "3/60",
			SWITCHBOARD_RATE_SOCKETS_PER_MEMBER: "50",
		});
		expect(config.rateLimits).toMatchObject({
			loginPerAccount: { points: 3, seconds: 60 },
			loginPerIp: { points: 50, seconds: 900 },
			socketsPerMember: 50,
		});
		await expect(
			loadConfig({ DATA_DIR: dataDir, SWITCHBOARD_RATE_REQUESTS_PER_IP: "fast" }),
		).rejects.toThrow(/Invalid configuration:\n {2}SWITCHBOARD_RATE_REQUESTS_PER_IP: /);
	});
});
