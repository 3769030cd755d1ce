/**
 * The moderator's pages as routes, mounted inside the signed-in shell. Each loads on its
 * first visit: ambassadors never download the charts (uPlot) or the review tools.
 */
import { Route } from "@solidjs/router";
import { lazy } from "solid-js";

const CoveragePage = lazy(() =>
	import("./pages/coverage-page.tsx").then((module) => ({ default: module.CoveragePage })),
);
const ReviewsPage = lazy(() =>
	import("./pages/reviews-page.tsx").then((module) => ({ default: module.ReviewsPage })),
);
const ReportsPage = lazy(() =>
	import("./pages/reports-page.tsx").then((module) => ({ default: module.ReportsPage })),
);

export function ModeratorRoutes() {
	return (
		<>
			<Route path="/coverage" component={CoveragePage} />
			<Route path="/reviews" component={ReviewsPage} />
			<Route path="/reports" component={ReportsPage} />
		</>
	);
}
