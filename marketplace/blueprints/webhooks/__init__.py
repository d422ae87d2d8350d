"""Webhooks from other systems (Stripe)."""
