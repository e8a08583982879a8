"""Adapters: the technology behind the ports (PostgreSQL, argon2, Jinja2, SMTP, the system clock)."""
