"""Performance benchmark of CTA Learning: data set, bare route and the wrk runner."""
