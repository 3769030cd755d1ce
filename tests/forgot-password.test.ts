/**
 * "Forgot password" (issue 12, part 6) against a real server and a real SMTP server: the
 * same answer whether or not the email is a member's, a one-time link mailed to members
 * only, the link sets a new password, the requests are limited per email, and a server
 * that sends no email says so. And the links an admin makes on the same server: an
 * invitation's email names the admin and the organisation, a reset link says it was mailed.
 */

import { readMail, type SmtpCatcher, startSmtpCatcher } from "@switchboard/server/smtp-catcher";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PASSWORD, startTestServer, type TestServer, waitFor } from "./utils/test-server.ts";

const NEW_PASSWORD = "a brand new passphrase";

let smtp: SmtpCatcher;
let server: TestServer;

beforeAll(async () => {
	smtp = await startSmtpCatcher();
	server = await startTestServer({ smtpUrl: smtp.url, publicUrl: "http://switchboard.test" });
}, 300_000);
afterAll(async () => {
	await server?.close();
	await smtp?.close();
});

async function forgot(email: string) {
	const response = await server.request("/api/password/forgot", { body: { email } });
	return { status: response.status, text: await response.text() };
}

async function login(email: string, password: string) {
	return (await server.request("/api/auth/login", { body: { email, password } })).status;
}

describe("forgot password", () => {
	it("answers the same for a member and a stranger, and mails the member alone a link that sets a new password", async () => {
		const stranger = await forgot("nobody@acme.test");
		const member = await forgot("dana@acme.test");
		expect(member).toEqual({ status: 202, text: '{"ok":true}' });
		// The page can say beforehand that a link comes by email.
		const byEmail = await server.request("/api/password/forgot");
		expect(await byEmail.json()).toEqual({ byEmail: true });
		expect(stranger).toEqual(member);

		const mail = await waitFor(
			() => smtp.received.find((message) => message.to.includes("dana@acme.test")),
			10_000,
			"the reset email to dana",
		);
		expect(mail.data).toMatch(/Subject: Choose a new Switchboard password for Acme/);
		// Quoted-printable: long lines are folded with a soft break.
		const text = mail.data.replace(/=\r?\n/g, "");
		expect(text).toContain("probably you");
		const code = /http:\/\/switchboard\.test\/invite\/([A-Za-z0-9_-]+)/.exec(text)?.[1];
		expect(code).toBeDefined();
		// The stranger's request was made first and finished first: nothing was sent for it.
		expect(smtp.received.some((message) => message.to.includes("nobody@acme.test"))).toBe(false);

		const accepted = await server.request(`/api/invites/${code}/accept`, {
			body: { password: NEW_PASSWORD },
		});
		expect(accepted.status).toBe(200);
		expect(await login("dana@acme.test", PASSWORD)).toBe(401);
		expect(await login("dana@acme.test", NEW_PASSWORD)).toBe(200);
		// Once only.
		const again = await server.request(`/api/invites/${code}/accept`, {
			body: { password: "yet another passphrase" },
		});
		expect(again.status).toBe(410);

		// The audit log has the member asking and using the link, as themself.
		const dana = await server.switchboard.storage.findMemberByEmail("dana@acme.test");
		const entries = await server.switchboard.storage.listAuditEntries("acme", {
			actions: ["password.reset_requested", "password.reset"],
			limit: 10,
		});
		expect(
			entries.map((entry) => [entry.action, entry.actor, entry.target?.id, entry.details]),
		).toEqual([
			[
				"password.reset",
				dana?.id,
				dana?.id,
				{ email: "dana@acme.test", link: "asked for by the member" },
			],
			["password.reset_requested", dana?.id, dana?.id, { email: "dana@acme.test" }],
		]);
	});

	it("limits the requests for one email, whether or not it is a member's", async () => {
		for (const email of ["sam@acme.test", "ghost@acme.test"]) {
			for (let i = 0; i < 3; i++) expect((await forgot(email)).status).toBe(202);
			const refused = await forgot(email);
			expect(refused.status).toBe(429);
			expect(refused.text).toContain("Too many reset links");
		}
	});

	it("refuses a body that is not an email", async () => {
		const response = await server.request("/api/password/forgot", { body: { email: "dana" } });
		expect(response.status).toBe(400);
	});

	it("says it is not available on a server that sends no email", async () => {
		const plain = await startTestServer({ publicUrl: "http://switchboard.test" });
		try {
			// Asked beforehand, so the page says it up front.
			const asked = await plain.request("/api/password/forgot");
			expect(asked.status).toBe(200);
			expect(await asked.json()).toEqual({ byEmail: false });
			const response = await plain.request("/api/password/forgot", {
				body: { email: "dana@acme.test" },
			});
			expect(response.status).toBe(503);
			expect(await response.text()).toContain("Ask an admin of your organisation");
		} finally {
			await plain.close();
		}
	}, 120_000);
});

describe("links an admin makes", () => {
	it("mails an invitation that names the admin who sent it and the organisation, in text and HTML", async () => {
		const admin = await server.addMember("acme", "Ada Lovelace", "admin");
		const invited = await server.request("/api/orgs/acme/invites", {
			token: admin.token,
			body: { invites: [{ email: "zed@acme.test", role: "ambassador" }] },
		});
		expect(invited.status).toBe(201);
		expect(((await invited.json()) as { mailed: boolean }).mailed).toBe(true);
		const raw = await waitFor(
			() => smtp.received.find((message) => message.to.includes("zed@acme.test")),
			10_000,
			"the invitation email to zed",
		);
		const mail = readMail(raw.data);
		expect(mail.subject).toBe("Ada Lovelace invites you to Acme on Switchboard");
		for (const part of [mail.text, mail.html]) {
			expect(part).toContain("Ada Lovelace, an admin of Acme, invites you");
			expect(part).toMatch(/http:\/\/switchboard\.test\/invite\/[A-Za-z0-9_-]+/);
		}
	});

	it("answers that a reset link was mailed to the member, for the admin's screen to say so", async () => {
		const admin = await server.addMember("acme", "Grace Hopper", "admin");
		const kim = server.members.kim!;
		const response = await server.request(`/api/orgs/acme/members/${kim.id}/password-reset`, {
			method: "POST",
			token: admin.token,
		});
		expect(response.status).toBe(201);
		const link = (await response.json()) as { email: string; mailed: boolean };
		expect(link).toMatchObject({ email: "kim@acme.test", mailed: true });
		await waitFor(
			() => smtp.received.find((message) => message.to.includes("kim@acme.test")),
			10_000,
			"the reset email to kim",
		);
	});
});
