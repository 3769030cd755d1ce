/**
 * The demo: two organisations and Acme's board filled with real customer-care
 * conversations, created on the first start of an empty database. Demo-only
 * credentials; `SWITCHBOARD_DEMO=0` starts empty.
 */
import { join } from "node:path";
import { loadTwitterCareDataset, twitterCareToMentions } from "@switchboard/connectors";
import { DEMO_PASSWORD, type Role } from "@switchboard/domain";
import type { Directory, MentionStore } from "@switchboard/storage";
import type { Logger } from "pino";
import { hashPassword } from "./passwords.ts";

export { DEMO_PASSWORD };

interface DemoMember {
	email: string;
	name: string;
	role: Role;
	capacity: number;
}

const DEMO_ORGS: { id: string; name: string; members: DemoMember[] }[] = [
	{
		id: "acme",
		name: "Acme",
		members: [
			{ email: "ambassador1@acme.test", name: "Dana Ambassador", role: "ambassador", capacity: 5 },
			{ email: "ambassador2@acme.test", name: "Sam Ambassador", role: "ambassador", capacity: 5 },
			{ email: "ambassador3@acme.test", name: "Kim Ambassador", role: "ambassador", capacity: 5 },
			{ email: "moderator@acme.test", name: "Morgan Moderator", role: "moderator", capacity: 10 },
			{ email: "admin@acme.test", name: "Alex Admin", role: "admin", capacity: 10 },
		],
	},
	{
		id: "globex",
		name: "Globex",
		members: [
			{ email: "ambassador@globex.test", name: "Gabi Ambassador", role: "ambassador", capacity: 5 },
		],
	},
];

export interface DemoSummary {
	/** True when this start created the demo; false when it was there already. */
	created: boolean;
	password: string;
	members: { email: string; role: Role; organisation: string }[];
	mentions: number;
	boardUrlPath: string;
}

function summary(created: boolean, mentions: number): DemoSummary {
	return {
		created,
		password: DEMO_PASSWORD,
		members: DEMO_ORGS.flatMap((org) =>
			org.members.map(({ email, role }) => ({ email, role, organisation: org.name })),
		),
		mentions,
		boardUrlPath: "/board/acme/main",
	};
}

/**
 * The demo's accounts as they are now, for the sign-in page: an admin may have given one
 * another role or deactivated it since the start (listed, it could not sign in).
 */
export async function demoAccountsNow(
	demo: DemoSummary,
	storage: Pick<Directory, "findMemberByEmail">,
): Promise<DemoSummary["members"]> {
	const now = await Promise.all(
		demo.members.map(async (account) => {
			const member = await storage.findMemberByEmail(account.email);
			return member?.active ? { ...account, role: member.role } : null;
		}),
	);
	return now.filter((account) => account !== null);
}

/**
 * Create the demo organisations when the database has no organisation yet. Returns what
 * exists (null when the database holds other, non-demo organisations).
 */
export async function seedDemo(
	storage: Directory & MentionStore,
	options: { dataDir: string; logger: Logger; now?: Date },
): Promise<DemoSummary | null> {
	const path = join(options.dataDir, "twitter-care-conversations.json");
	const organisations = await storage.listOrganisations();
	if (organisations.length > 0) {
		if (!organisations.some((org) => org.id === "acme")) return null;
		const mentions = await storage.listMentions("acme", "main");
		return summary(false, mentions.length);
	}
	// Read the data before creating anything, so a missing file leaves the database empty.
	const conversations = await loadTwitterCareDataset(path).catch((error: NodeJS.ErrnoException) => {
		if (error.code !== "ENOENT") throw error;
		throw new Error(
			`The demo data is not at ${path}. Set SWITCHBOARD_DEMO_DATA to the folder that holds ` +
				"twitter-care-conversations.json, or SWITCHBOARD_DEMO=0 to start without the demo.",
		);
	});
	const passwordHash = await hashPassword(DEMO_PASSWORD);
	for (const org of DEMO_ORGS) {
		await storage.createOrganisation({ id: org.id, name: org.name });
		await storage.createBoard({ id: "main", orgId: org.id, name: `${org.name} mentions` });
		for (const member of org.members) {
			await storage.createMember({
				...member,
				orgId: org.id,
				passwordHash,
				skills: [],
				languages: ["en"],
				boards: ["main"],
			});
		}
	}
	const mentions = twitterCareToMentions(conversations, {
		now: options.now ?? new Date(),
		seed: 1,
	});
	const stored = await storage.insertMentions("acme", "main", mentions);
	options.logger.info({ mentions: stored.length }, "demo organisations created");
	return summary(true, stored.length);
}
