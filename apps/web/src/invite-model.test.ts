import { describe, expect, it } from "vitest";
import {
	earlierLinks,
	invitedAs,
	invitesDelivery,
	refusalInWords,
	resetLinkDelivery,
	signedOutByAccepting,
} from "./invite-model.ts";

const bill = { name: "Bill", email: "bill@acme.test" };

describe("who accepting a link signs out on this device", () => {
	it("nobody when nobody is signed in", () => {
		expect(signedOutByAccepting(null, { kind: "invite", email: "zed@acme.test" })).toBeNull();
	});

	it("the member signed in, when the invitation is someone else's", () => {
		expect(signedOutByAccepting(bill, { kind: "invite", email: "zed@acme.test" })).toBe(bill);
	});

	it("the member signed in even for an invitation to their own email: it makes another account", () => {
		expect(signedOutByAccepting(bill, { kind: "invite", email: "Bill@acme.test" })).toBe(bill);
	});

	it("nobody when the reset link is the signed-in member's own", () => {
		expect(signedOutByAccepting(bill, { kind: "reset", email: "BILL@acme.test" })).toBeNull();
	});

	it("the member signed in, for someone else's reset link or when their email is unknown", () => {
		expect(signedOutByAccepting(bill, { kind: "reset", email: "zed@acme.test" })).toBe(bill);
		const unknown = { name: "Bill", email: null };
		expect(signedOutByAccepting(unknown, { kind: "reset", email: "bill@acme.test" })).toBe(unknown);
	});
});

describe("what the invitation page says of an invitation", () => {
	const acme = { name: "Acme" };

	it("names the organisation, the role the link gives and the email", () => {
		expect(invitedAs({ email: "nina@acme.test", organisation: acme, role: "moderator" })).toBe(
			"You are invited to Acme as a moderator, with the email nina@acme.test.",
		);
		expect(invitedAs({ email: "al@acme.test", organisation: acme, role: "admin" })).toBe(
			"You are invited to Acme as an admin, with the email al@acme.test.",
		);
	});

	it("leaves the role out when the server does not say it", () => {
		expect(invitedAs({ email: "nina@acme.test", organisation: acme })).toBe(
			"You are invited to Acme, with the email nina@acme.test.",
		);
	});
});

describe("what the admin's screen says of a reset link it made", () => {
	it("that it went to the member's email too, when the server mailed it", () => {
		expect(resetLinkDelivery({ email: "kim@acme.test", mailed: true }, "Kim")).toBe(
			"Also sent to kim@acme.test.",
		);
	});

	it("that the admin must hand it over, when the server sends no email", () => {
		expect(resetLinkDelivery({ email: "kim@acme.test", mailed: false }, "Kim")).toBe(
			"Not sent by email: hand it to Kim yourself; it is shown only now.",
		);
	});
});

describe("what the admin's screen says of the invitations it made", () => {
	it("that the links went by email, when the server mailed them", () => {
		expect(invitesDelivery(["nina@acme.test"], true)).toBe(
			"1 invitation made. Its link was sent by email to nina@acme.test.",
		);
		expect(invitesDelivery(["a@acme.test", "b@acme.test"], true)).toBe(
			"2 invitations made. Each link was sent by email to its person.",
		);
	});

	it("that they were not, and the admin must pass them on, when the server sends no email", () => {
		expect(invitesDelivery(["nina@acme.test"], false)).toBe(
			"1 invitation made. Not sent by email (this server has no mail set up): copy the link and pass it to nina@acme.test yourself; it is shown only now.",
		);
		expect(invitesDelivery(["a@acme.test", "b@acme.test"], false)).toMatch(
			/^2 invitations made\. Not sent by email .*copy each link and pass it on yourself/,
		);
	});
});

describe("a refused CSV row's reason in words", () => {
	it("reads the column into the sentence", () => {
		expect(refusalInWords("role: must be one of ambassador, moderator, admin")).toBe(
			"the role must be one of ambassador, moderator, admin",
		);
	});

	it("keeps a reason that is a sentence of its own", () => {
		expect(refusalInWords("boards: the board main is archived")).toBe("the board main is archived");
	});

	it("leaves a reason without a column as it is", () => {
		expect(refusalInWords("That email is invited twice.")).toBe("That email is invited twice.");
	});
});

describe("earlierLinks", () => {
	it("keeps the links shown before, but one the batch made again for its email", () => {
		const link = (email: string, url: string) => ({ email, url });
		expect(
			earlierLinks(
				[link("kim@acme.test", "/invite/k2"), link("lee@acme.test", "/invite/l1")],
				[link("ada@acme.test", "/invite/a1"), link("Kim@acme.test", "/invite/k1")],
			),
		).toEqual([link("ada@acme.test", "/invite/a1")]);
		expect(earlierLinks([], [link("ada@acme.test", "/invite/a1")])).toEqual([
			link("ada@acme.test", "/invite/a1"),
		]);
	});
});
