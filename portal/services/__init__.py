"""Business rules. Services add and flush; the caller (a route or a job) commits."""
