/**
 * Acknowledged edits survive SIGKILL: the same test for each database.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { draftDocumentName } from "@switchboard/domain";
import { expect, it } from "vitest";
import { login, startChildServer } from "./child-server.ts";
import { connectProvider, waitFor } from "./test-server.ts";

export function durabilitySuite(
	database: () => Promise<{ env: Record<string, string>; cleanup(): Promise<void> }>,
) {
	// Two starts with the demo seed: minutes on a machine busy with other work.
	it("keeps a synced draft edit through SIGKILL of the server and a restart", {
		timeout: 600_000,
	}, async () => {
		const dataDir = await mkdtemp(join(tmpdir(), "switchboard-kill-"));
		const db = await database();
		const env = { DATA_DIR: dataDir, SWITCHBOARD_DEMO: "1", ...db.env };
		let server = await startChildServer(env);
		try {
			const { token } = await login(server.url, "ambassador1@acme.test", "switchboard");
			const response = await fetch(`${server.url}/api/boards/main/mentions?status=new`, {
				headers: { authorization: `Bearer ${token}` },
			});
			const { mentions } = (await response.json()) as { mentions: { id: string }[] };
			const mentionId = mentions[0]!.id;
			const name = draftDocumentName("acme", mentionId);

			const writer = await connectProvider(server.wsUrl, name, token);
			const lines = Array.from(
				{ length: 20 },
				(_, i) => `line ${i} of a reply that must survive\n`,
			);
			for (const line of lines)
				writer.doc.getText("body").insert(writer.doc.getText("body").length, line);
			// The provider counts an update as synced only when the server acknowledges it.
			await waitFor(() => writer.provider.unsyncedChanges === 0, 120_000, "acknowledgement");
			const acknowledged = writer.doc.getText("body").toString();
			expect(await server.kill("SIGKILL")).toBeNull();
			writer.destroy();

			server = await startChildServer(env);
			const again = await login(server.url, "ambassador1@acme.test", "switchboard");
			const reader = await connectProvider(server.wsUrl, name, again.token);
			expect(reader.doc.getText("body").toString()).toBe(acknowledged);
			reader.destroy();
		} finally {
			await server.kill("SIGTERM");
			await db.cleanup();
			await rm(dataDir, { recursive: true, force: true });
		}
	});
}
