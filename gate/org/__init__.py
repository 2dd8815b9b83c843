"""Readiness across an organisation: plan a GitHub Actions matrix over its services (`plan`), evaluate one
service into a row (`rows`), and merge the rows into an aggregate, a job summary and a dashboard
(`aggregate`, `render`)."""
