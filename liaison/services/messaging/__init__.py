"""What agencies tell each other: notices, messages, alerts and webhooks."""
