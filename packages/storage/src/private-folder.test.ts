import { chmod, mkdir, mkdtemp, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ForeignFolderError, securePrivateFolder } from "./private-folder.ts";

const modeOf = async (path: string) => (await stat(path)).mode & 0o777;

describe("securePrivateFolder", () => {
	let root: string;
	beforeEach(async () => {
		root = await mkdtemp(join(tmpdir(), "switchboard-private-"));
	});
	afterEach(async () => {
		await rm(root, { recursive: true, force: true });
	});

	it("creates a missing folder 0700", async () => {
		const folder = join(root, "data");
		expect(await securePrivateFolder(folder)).toEqual([]);
		expect(await modeOf(folder)).toBe(0o700);
	});

	it("makes an existing open folder private: folders 0700, files 0600, links left alone", async () => {
		const folder = join(root, "data");
		await mkdir(join(folder, "pglite", "base"), { recursive: true });
		await writeFile(join(folder, "secret"), "s");
		await writeFile(join(folder, "pglite", "base", "1249"), "table");
		const outside = join(root, "outside");
		await writeFile(outside, "not ours to change");
		await chmod(outside, 0o644);
		await symlink(outside, join(folder, "link"));
		for (const path of [folder, join(folder, "pglite"), join(folder, "pglite", "base")]) {
			await chmod(path, 0o755);
		}
		await chmod(join(folder, "secret"), 0o666);
		await chmod(join(folder, "pglite", "base", "1249"), 0o644);

		const tightened = await securePrivateFolder(folder);

		expect(tightened).toHaveLength(5);
		expect(await modeOf(folder)).toBe(0o700);
		expect(await modeOf(join(folder, "pglite"))).toBe(0o700);
		expect(await modeOf(join(folder, "pglite", "base"))).toBe(0o700);
		expect(await modeOf(join(folder, "secret"))).toBe(0o600);
		expect(await modeOf(join(folder, "pglite", "base", "1249"))).toBe(0o600);
		expect(await modeOf(outside)).toBe(0o644);
		// A second start finds nothing to change.
		expect(await securePrivateFolder(folder)).toEqual([]);
	});

	it("refuses a folder that belongs to another user, saying what to do", async () => {
		const folder = join(root, "data");
		await mkdir(folder, { mode: 0o755 });
		const someoneElse = (process.getuid?.() ?? 0) + 1;
		const refusal = securePrivateFolder(folder, { uid: someoneElse });
		await expect(refusal).rejects.toBeInstanceOf(ForeignFolderError);
		await expect(refusal).rejects.toThrow(/belongs to .*chown -R.*DATA_DIR/s);
		// Refused before anything was changed.
		expect(await modeOf(folder)).toBe(0o755);
	});
});
