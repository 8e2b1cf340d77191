"""Who is calling and what they may do: principals, roles, API keys (pure logic and their adapters)."""
