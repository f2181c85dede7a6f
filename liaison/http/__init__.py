"""What the API and the web pages share: identifying callers, sessions, rate limits and problem responses."""
